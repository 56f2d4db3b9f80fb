package modelfile

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// torchFiles is fixtures/pytorch.json's "safetensors_files": nn.Linear
// state_dicts saved by make_fixtures.py as safetensors.torch.save_file saves
// them, with PyTorch's weights and predictions from each saved file.
type torchFiles struct {
	Inputs [][]float32 `json:"inputs"`
	Cases  []struct {
		File   string      `json:"file"`
		Dtype  string      `json:"dtype"`
		Bias   bool        `json:"bias"`
		Weight [][]float64 `json:"weight"`
		Preds  [][]float64 `json:"preds"`
	} `json:"cases"`
}

// PyTorch's files load as unnamed models with zero mean and unit scale, the
// weights converted exactly from every dtype, a file without bias as a model
// without bias, and predict what PyTorch predicts.
func TestLoadPyTorchSafetensors(t *testing.T) {
	raw, err := os.ReadFile("../../fixtures/pytorch.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files torchFiles `json:"safetensors_files"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range doc.Files.Cases {
		seen[c.Dtype+map[bool]string{true: "+bias", false: ""}[c.Bias]] = true
		mf, err := Load(filepath.Join("../../fixtures", c.File))
		if err != nil {
			t.Errorf("%s: %v", c.File, err)
			continue
		}
		if mf.Source != SourcePyTorch || mf.Inputs != nil || mf.Outputs != nil || mf.Out != len(c.Weight) || mf.In != len(c.Weight[0]) {
			t.Errorf("%s: source %q, names %q %q, %d×%d", c.File, mf.Source, mf.Inputs, mf.Outputs, mf.Out, mf.In)
		}
		for p := 0; p < mf.In; p++ {
			if mf.Mean[p] != 0 || mf.Scale[p] != 1 {
				t.Errorf("%s: input %d: mean %v scale %v, want 0 and 1", c.File, p, mf.Mean[p], mf.Scale[p])
			}
		}
		for j, row := range c.Weight {
			for p, w := range row {
				if got := mf.W[j*mf.In+p]; float64(got) != float64(float32(w)) {
					t.Errorf("%s: weight[%d][%d] %v, PyTorch %v", c.File, j, p, got, w)
				}
			}
		}
		if c.Bias != (mf.B != nil) {
			t.Errorf("%s: PyTorch bias %v, loaded bias %v: want none for a file without one", c.File, c.Bias, mf.B)
		}
		y := make([]float32, mf.Out)
		for i, x := range doc.Files.Inputs {
			if err := mf.Predict(y, x); err != nil {
				t.Fatal(err)
			}
			for j, want := range c.Preds[i] {
				if d := math.Abs(float64(y[j]) - want); d > 1e-5*math.Max(1, math.Abs(want)) {
					t.Errorf("%s: row %d output %d: %v, PyTorch %v", c.File, i, j, y[j], want)
				}
			}
		}
	}
	for _, k := range []string{"F32", "F16", "BF16", "F64", "F32+bias", "F16+bias", "BF16+bias", "F64+bias"} {
		if !seen[k] {
			t.Errorf("no fixture for %s", k)
		}
	}
}

// halfToFloat32 is exact for every binary16 value: against the value computed
// from its definition.
func TestHalfToFloat32(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		exp, frac := (h>>10)&0x1f, float64(h&0x3ff)
		var want float64
		switch exp {
		case 0x1f:
			want = math.Inf(1)
			if frac != 0 {
				want = math.NaN()
			}
		case 0:
			want = frac * math.Pow(2, -24)
		default:
			want = (1 + frac/1024) * math.Pow(2, float64(exp-15))
		}
		if h>>15 != 0 {
			want = -want
		}
		got := float64(halfToFloat32(uint16(h)))
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) || math.Signbit(got) != math.Signbit(want) && !math.IsNaN(want) {
			t.Fatalf("half %#04x: %v, want %v", h, got, want)
		}
	}
}
