package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// Rows given as arguments are predicted in their order, those starting with
// a minus sign among them (they were once moved after the others).
func TestPredictRowOrder(t *testing.T) {
	m, _ := regress.NewLinearFrom([][]float32{{1, 10}}, nil)
	m.Inputs, m.Outputs = []string{"a", "b"}, []string{"y"}
	mf, _ := m.File()
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := modelfile.Save(path, mf); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"predict", "-model", path, "1,0", "-2,0", "3,0", "-.5,0"},
		{"predict", "1,0", "-2,0", "-model", path, "3,0", "--", "-.5,0"},
	} {
		r := ok(t, runCmd(t, "", args...))
		if got := strings.Fields(r.stdout); strings.Join(got, " ") != "y 1 -2 3 -0.5" {
			t.Errorf("%v: %q, want the rows' predictions in their order", args, r.stdout)
		}
	}
}
