package regress

import (
	"path/filepath"
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
	mf, err := NewModelFile(m, std, []string{"a", "b", "c"}, []string{"p", "q"})
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
	xs := make([]float32, 3)
	std.Apply(rawDense(1, 3, 3, xs), rawDense(1, 3, 3, X[:3]))
	want, _ := m.PredictRow(nil, xs)
	y, _ := raw.PredictRow(nil, X[:3])
	for j := range y {
		if d := y[j] - want[j]; d > 1e-4 || d < -1e-4 {
			t.Errorf("output %d: %v from the file, %v from the trained model", j, y[j], want[j])
		}
	}
	if _, err := NewModelFile(m, &Standardizer{Mean: []float32{0}, Scale: []float32{1}}, nil, nil); err == nil {
		t.Error("standardisation of the wrong size: no error")
	}
}
