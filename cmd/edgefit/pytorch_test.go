package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A model saved by PyTorch (safetensors.torch.save_file of nn.Linear's
// state_dict, fixtures/torch) works in predict, eval (columns by position, or
// named by -inputs/-outputs) and train -init, and errors say what it is.
func TestPyTorchModelFiles(t *testing.T) {
	raw, err := os.ReadFile("../../fixtures/pytorch.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files struct {
			Inputs [][]float64 `json:"inputs"`
			Cases  []struct {
				File   string      `json:"file"`
				Weight [][]float64 `json:"weight"`
				Preds  [][]float64 `json:"preds"`
			} `json:"cases"`
		} `json:"safetensors_files"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range doc.Files.Cases {
		model := filepath.Join("../../fixtures", c.File)
		// predict: one row as an argument, compared with PyTorch's.
		var row []string
		for _, v := range doc.Files.Inputs[0] {
			row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
		}
		r := ok(t, runCmd(t, "", "predict", "-model", model, strings.Join(row, ",")))
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 2 || lines[0] != "y1,y2,y3" {
			t.Fatalf("%s: predict printed %q", c.File, r.stdout)
		}
		for j, s := range strings.Split(lines[1], ",") {
			got, _ := strconv.ParseFloat(s, 64)
			if want := c.Preds[0][j]; math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: output %d: %v, PyTorch %v", c.File, j, got, want)
			}
		}
		// eval: a CSV of PyTorch's inputs and predictions fits exactly.
		var b strings.Builder
		b.WriteString("a,b,c,d,p,q,r\n")
		for i, x := range doc.Files.Inputs {
			for _, v := range append(append([]float64(nil), x...), c.Preds[i]...) {
				fmt.Fprintf(&b, "%v,", float32(v))
			}
			b.WriteString("\n")
		}
		data := filepath.Join(dir, "d.csv")
		os.WriteFile(data, []byte(strings.ReplaceAll(b.String(), ",\n", "\n")), 0o644)
		for _, args := range [][]string{nil, {"-inputs", "a,b,c,d", "-outputs", "p,q,r"}} {
			r = ok(t, runCmd(t, "", append([]string{"eval", "-json", "-model", model, "-data", data}, args...)...))
			var m struct {
				Overall struct{ MSE float64 } `json:"overall"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || !(m.Overall.MSE < 1e-8) {
				t.Errorf("%s: eval %v: %v, %s", c.File, args, err, r.stdout)
			}
		}
		// train -init: starts from the file's weights.
		j := trainJ(t, "-data", data, "-y", "p,q,r", "-init", model, "-epochs", "1", "-lr", "1e-12", "-standardize=false")
		for o, w := range c.Weight {
			for p, v := range w {
				if math.Abs(j.Weight[o][p]-v) > 1e-6 {
					t.Errorf("%s: trained weight[%d][%d] %v, the file's %v", c.File, o, p, j.Weight[o][p], v)
				}
			}
		}
	}
	// Columns that cannot be taken by position: one line naming the model's kind.
	model := filepath.Join("../../fixtures", doc.Files.Cases[0].File)
	data := filepath.Join(dir, "short.csv")
	os.WriteFile(data, []byte("a,b,c\n1,2,3\n"), 0o644)
	r := runCmd(t, "", "eval", "-model", model, "-data", data)
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "safetensors (PyTorch) model") || !strings.Contains(r.stderr, "-inputs and -outputs") {
		t.Errorf("eval on 3 columns: status %d, stderr %q", r.code, r.stderr)
	}
	r = runCmd(t, "", "predict", "-model", model, "-inputs", "a,b", "1,2")
	if r.code != 2 || !strings.Contains(r.stderr, "-inputs: 2 names for the model's 4 inputs") {
		t.Errorf("-inputs of the wrong length: status %d, stderr %q", r.code, r.stderr)
	}
}
