package regress

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// Linear.File folds a scale-only standardisation into a model without bias
// and refuses one with means.
func TestModelFileWithoutBias(t *testing.T) {
	X, _ := cropXY()
	w := must(NewWelford(3))
	w.AddRows(rawDense(15, 3, 3, X))
	m, _ := NewLinearNoBias(3, 2, 3)
	std := w.ScaleOnly()
	m.Std = std
	mf, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	if mf.B != nil {
		t.Fatalf("bias %v, want none", mf.B)
	}
	xs := make([]float32, 3)
	raw := m.Clone() // the model on standardised inputs
	raw.Std = nil
	y := make([]float32, 2)
	for i := 0; i < 15; i++ {
		std.applyChecked(rawDense(1, 3, 3, xs), rawDense(1, 3, 3, X[3*i:3*i+3]))
		want, _ := raw.PredictRow(nil, xs)
		if err := mf.Predict(y, X[3*i:3*i+3]); err != nil {
			t.Fatal(err)
		}
		for j := range y {
			if d := math.Abs(float64(y[j] - want[j])); d > 1e-5*math.Max(1, math.Abs(float64(want[j]))) {
				t.Errorf("row %d output %d: %v from the file, %v from the trained model", i, j, y[j], want[j])
			}
		}
	}
	m.Std = w.Standardizer()
	if _, err := m.File(); err == nil {
		t.Error("a centring standardisation folded into a model without bias: no error")
	}
	// Saved, loaded and made a model again, it has no bias; nor has a
	// PyTorch file without one.
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := modelfile.Save(path, mf); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, "../fixtures/torch/linear_f32_nobias.safetensors"} {
		got, err := modelfile.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := LinearFromFile(got)
		if err != nil || m.hasBias() || len(m.Params()) != got.In*got.Out {
			t.Errorf("%s: LinearFromFile: %v (%v), want a model without bias", p, m, err)
		}
	}
}
