package regress

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// A model trained on standardised inputs, saved, and loaded back as a Linear
// predicts raw inputs as the trained model predicts standardised ones.
func TestModelFileFromLinear(t *testing.T) {
	X, _ := cropXY()
	w := must(NewWelford(3))
	w.AddRows(rawDense(15, 3, 3, X))
	std := w.Standardizer()
	m, _ := NewLinear(3, 2, 3)
	m.Std, m.Inputs, m.Outputs = std, []string{"a", "b", "c"}, []string{"p", "q"}
	mf, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m")
	if err := modelfile.Save(path, mf); err != nil {
		t.Fatal(err)
	}
	got, err := modelfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := LinearFromFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Std != nil || !slices.Equal(raw.Inputs, m.Inputs) || !slices.Equal(raw.Outputs, m.Outputs) {
		t.Errorf("loaded: Std %v, names %q %q, want nil and %q %q", raw.Std, raw.Inputs, raw.Outputs, m.Inputs, m.Outputs)
	}
	want, _ := m.PredictRow(nil, X[:3])
	y, _ := raw.PredictRow(nil, X[:3])
	for j := range y {
		if d := y[j] - want[j]; d > 1e-4 || d < -1e-4 {
			t.Errorf("output %d: %v from the file, %v from the trained model", j, y[j], want[j])
		}
	}
	m.Std = &Standardizer{Mean: []float32{0}, Scale: []float32{1}}
	if _, err := m.File(); err == nil {
		t.Error("standardisation of the wrong size: no error")
	}
}
