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

	"github.com/edgefit/edgefit/regress/modelfile"
)

// noBiasCSV writes rows of y = 3·x1 − 2·x2 + 0.5·x3 with no intercept and
// inputs of different scales, two of them away from 0, and returns the path
// and the inputs as written.
func noBiasCSV(t *testing.T, rows int) (string, [][3]float64) {
	path := filepath.Join(t.TempDir(), "nobias.csv")
	var b strings.Builder
	b.WriteString("x1,x2,x3,y\n")
	s := uint32(7)
	next := func() float64 { s = s*1664525 + 1013904223; return float64(s>>8) / (1 << 24) }
	var xs [][3]float64
	for i := 0; i < rows; i++ {
		x := [3]float64{100 * next(), 20*next() - 10, 1 + next()}
		// Four decimals, so that the CSV holds these values exactly enough.
		for p := range x {
			x[p], _ = strconv.ParseFloat(fmt.Sprintf("%.4f", x[p]), 64)
		}
		xs = append(xs, x)
		fmt.Fprintf(&b, "%.4f,%.4f,%.4f,%.6f\n", x[0], x[1], x[2], 3*x[0]-2*x[1]+0.5*x[2])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, xs
}

// train -bias=false trains y = W·x by gradient descent, prints "bias": [],
// saves a file without bias, standardised by scaling alone; predict, eval and
// info take it.
func TestTrainWithoutBias(t *testing.T) {
	data, xs := noBiasCSV(t, 400)
	model := filepath.Join(t.TempDir(), "nb.safetensors")
	args := []string{"train", "-json", "-quiet", "-data", data, "-y", "y", "-bias=false", "-epochs", "300", "-o", model}
	r := ok(t, runCmd(t, "", args...))
	var j struct {
		Weight     [][]float64     `json:"weight"`
		Bias       json.RawMessage `json:"bias"`
		TrainMSE   float64         `json:"train_mse"`
		OptimalMSE *float64        `json:"optimal_mse"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatal(err)
	}
	if string(j.Bias) != "[]" {
		t.Errorf(`"bias": %s, want []`, j.Bias)
	}
	want := []float64{3, -2, 0.5}
	for p, w := range j.Weight[0] {
		if math.Abs(w-want[p]) > 0.02 {
			t.Errorf("weight %d = %v, want about %v", p, w, want[p])
		}
	}
	// The data is exactly linear without intercept: the optimum without
	// one is 0 up to the CSV's rounding, and training gets near it.
	if j.OptimalMSE == nil || *j.OptimalMSE > 1e-9 || j.TrainMSE > 1e-3 {
		t.Errorf("optimal_mse %v, train_mse %v: want the optimum without intercept, about 0", fmtPtr(j.OptimalMSE), j.TrainMSE)
	}
	mf, err := modelfile.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if mf.B != nil {
		t.Fatalf("the file has a bias %v", mf.B)
	}
	// Scaled by the root mean square, never centred.
	for p := 0; p < 3; p++ {
		var ss float64
		for _, x := range xs {
			ss += x[p] * x[p]
		}
		rms := math.Sqrt(ss / float64(len(xs)))
		if mf.Mean[p] != 0 || math.Abs(float64(mf.Scale[p])-rms) > 1e-5*rms {
			t.Errorf("input %d: mean %v scale %v, want 0 and the root mean square %v", p, mf.Mean[p], mf.Scale[p], rms)
		}
	}
	// predict: W·x from the file's weights.
	x := []float64{55, -3, 1.5}
	r = ok(t, runCmd(t, "", "predict", "-model", model, "55,-3,1.5"))
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	got, err := strconv.ParseFloat(lines[len(lines)-1], 64)
	var wx float64
	for p := range x {
		wx += float64(mf.W[p]) * x[p]
	}
	if err != nil || math.Abs(got-wx) > 1e-5*math.Abs(wx) || math.Abs(got-(3*55+2*3+0.75)) > 0.1 {
		t.Errorf("predict: %q, want W·x = %v, about %v", r.stdout, wx, 3*55+2*3+0.75)
	}
	r = ok(t, runCmd(t, "", "eval", "-model", model, "-data", data, "-json"))
	var ev struct {
		Outputs []outputMetrics `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil || len(ev.Outputs) != 1 || !(ev.Outputs[0].R2 > 0.999) {
		t.Errorf("eval: %v, %s", err, r.stdout)
	}
	r = ok(t, runCmd(t, "", "info", "-model", model))
	for _, w := range []string{"bias          none", "scaled, not centred", "3 inputs → 1 outputs"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("info -model lacks %q:\n%s", w, r.stdout)
		}
	}
	// With the default -bias, the same data gives a model with a bias.
	r = ok(t, runCmd(t, "", "train", "-quiet", "-data", data, "-y", "y", "-epochs", "2", "-o", model))
	mf, err = modelfile.Load(model)
	if err != nil || len(mf.B) != 1 {
		t.Fatalf("default -bias: bias %v (%v), want one value", mf.B, err)
	}
	r = ok(t, runCmd(t, "", "info", "-model", model))
	if want := "bias          " + strconv.FormatFloat(float64(mf.B[0]), 'g', -1, 32) + "\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("info -model lacks %q:\n%s", want, r.stdout)
	}
	r = runCmd(t, "", "info", "-model", data)
	if r.code != 2 || !strings.Contains(r.stderr, "not a valid edgefit model file") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("info -model of a CSV file: status %d, stderr %q", r.code, r.stderr)
	}
}

// Streaming trains a model without bias exactly as in memory.
func TestTrainWithoutBiasStreams(t *testing.T) {
	data, _ := noBiasCSV(t, 1000)
	args := []string{"-data", data, "-y", "y", "-bias=false", "-epochs", "3", "-batch", "16", "-shuffle=false", "-chunk-rows", "160"}
	mem := trainJ(t, args...)
	str := trainJ(t, append(args, "-mem-mb", "0")...)
	if mem.Streamed || !str.Streamed || len(mem.Bias) != 0 || len(str.Bias) != 0 {
		t.Fatalf("streamed %v and %v, biases %v and %v", mem.Streamed, str.Streamed, mem.Bias, str.Bias)
	}
	for q := range mem.Weight[0] {
		if mem.Weight[0][q] != str.Weight[0][q] {
			t.Errorf("weight %d: %v in memory, %v streamed", q, mem.Weight[0][q], str.Weight[0][q])
		}
	}
}

// -init with and without bias: a start without bias trains either way (b
// from 0 with -bias); a bias given with -bias=false is one line and exit 2,
// and writes no model.
func TestTrainWithoutBiasInit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	withB := filepath.Join(dir, "b.safetensors")
	noB := filepath.Join(dir, "nb.safetensors")
	ok(t, runCmd(t, "", "train", "-quiet", "-data", crops, "-y", "apples,oranges", "-epochs", "2", "-o", withB))
	ok(t, runCmd(t, "", "train", "-quiet", "-data", crops, "-y", "apples,oranges", "-epochs", "2", "-bias=false", "-o", noB))
	jsonNoB := write("nb.json", `{"weight": [[-0.42, 0.84, 0.68], [-0.25, 0.79, 0.92]], "bias": []}`)
	jsonB := write("b.json", `{"weight": [[-0.42, 0.84, 0.68], [-0.25, 0.79, 0.92]], "bias": [1, 2]}`)
	tiny := []string{"-data", crops, "-y", "apples,oranges", "-epochs", "1", "-lr", "1e-9"}
	for _, c := range []struct {
		init string
		bias bool
	}{{jsonNoB, false}, {noB, false}, {noB, true}, {jsonNoB, true}} {
		j := trainJ(t, append(tiny, "-init", c.init, "-bias="+strconv.FormatBool(c.bias))...)
		if math.Abs(j.Weight[1][2]-startWeight(t, c.init, 1, 2)) > 1e-4 || len(j.Bias) != map[bool]int{true: 2}[c.bias] {
			t.Errorf("-init %s -bias=%v: weights %v bias %v", filepath.Base(c.init), c.bias, j.Weight, j.Bias)
		}
		for _, b := range j.Bias {
			if math.Abs(b) > 1e-3 {
				t.Errorf("-init %s -bias: bias %v, want to start at 0", filepath.Base(c.init), j.Bias)
			}
		}
	}
	out := filepath.Join(dir, "out.safetensors")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-init", withB, "-bias=false"}, "has a bias and -bias=false trains a model without one"},
		{[]string{"-init", jsonB, "-bias=false"}, "has a bias and -bias=false trains a model without one"},
	} {
		r := runCmd(t, "", append(append([]string{"train", "-o", out}, tiny...), c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("train %v: status %d, stderr %q; want 2 and one line containing %q", c.args, r.code, r.stderr, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("train %v wrote a model", c.args)
			os.Remove(out)
		}
	}
}

// startWeight is weight[j][p] of an -init file, JSON or model.
func startWeight(t *testing.T, path string, j, p int) float64 {
	if strings.HasSuffix(path, ".json") {
		var sd struct{ Weight [][]float64 }
		b, _ := os.ReadFile(path)
		if err := json.Unmarshal(b, &sd); err != nil {
			t.Fatal(err)
		}
		return sd.Weight[j][p]
	}
	mf, err := modelfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return float64(mf.W[j*mf.In+p])
}

func fmtPtr(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

// Without a bias a constant input is the intercept's stand-in: only an input
// that is always 0 is warned about.
func TestTrainWithoutBiasConstantInputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.csv")
	os.WriteFile(path, []byte("x,one,zero,y\n1,1,0,3\n2,1,0,5\n3,1,0,7\n4,1,0,9\n"), 0o644)
	for _, c := range []struct {
		bias string
		want string
	}{{"true", `nothing is learned from them: "one", "zero"` + "\n"}, {"false", `nothing is learned from them: "zero"` + "\n"}} {
		r := ok(t, runCmd(t, "", "train", "-quiet", "-data", path, "-y", "y", "-epochs", "1", "-bias="+c.bias))
		if !strings.HasSuffix(r.stderr, c.want) {
			t.Errorf("-bias=%s: stderr %q, want it to end %q", c.bias, r.stderr, c.want)
		}
	}
}
