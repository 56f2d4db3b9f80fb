package regress

import (
	"math"
	"slices"
	"testing"

	"github.com/edgefit/edgefit/linalg"
)

// hostileModel is a 3→2 model with bias and a valid Std.
func hostileModel(t *testing.T) *Linear {
	t.Helper()
	m := must(NewLinearFrom([][]float32{{1, -2, 0.5}, {0.25, 3, -1}}, []float32{0.5, -1}))
	m.Std = &Standardizer{Mean: []float32{1, 2, 3}, Scale: []float32{2, 0.5, 4}}
	return m
}

// badStds are standardizers every exported surface must refuse for 3 inputs.
func badStds() map[string]*Standardizer {
	f := float32(math.Inf(1))
	nan := float32(math.NaN())
	ok := func() *Standardizer { return &Standardizer{Mean: []float32{1, 2, 3}, Scale: []float32{2, 0.5, 4}} }
	set := func(mean bool, v float32) *Standardizer {
		s := ok()
		if mean {
			s.Mean[1] = v
		} else {
			s.Scale[1] = v
		}
		return s
	}
	return map[string]*Standardizer{
		"short mean":      {Mean: []float32{1, 2}, Scale: []float32{2, 0.5, 4}},
		"long scale":      {Mean: []float32{1, 2, 3}, Scale: []float32{2, 0.5, 4, 1}},
		"scale 0":         set(false, 0),
		"scale negative":  set(false, -1),
		"scale NaN":       set(false, nan),
		"scale Inf":       set(false, f),
		"scale subnormal": set(false, math.SmallestNonzeroFloat32),
		"mean NaN":        set(true, nan),
		"mean Inf":        set(true, -f),
	}
}

// Every surface taking a model with Std refuses a bad Std with an error,
// including a Std set or changed after NewTrainer, and leaves the model as it
// was when Standardize refuses one.
func TestHostileBadStd(t *testing.T) {
	for name, bad := range badStds() {
		t.Run(name, func(t *testing.T) {
			X := must(linalg.New(2, 3))
			Y := must(linalg.New(2, 2))
			m := hostileModel(t)
			before := slices.Clone(m.params)
			if err := m.Standardize(bad); err == nil {
				t.Error("Standardize: no error")
			}
			if !slices.Equal(before, m.params) || m.Std.Scale[1] != 0.5 {
				t.Error("Standardize changed the model on error")
			}
			tr := must(NewTrainer(m, MSE, must(NewSGD(SGDConfig{LR: 0.01})), 4))
			defer tr.Close()
			m.Std = bad
			if err := m.Predict(Y, X); err == nil {
				t.Error("Predict: no error")
			}
			if _, err := m.PredictRow(nil, X.Row(0)); err == nil {
				t.Error("PredictRow: no error")
			}
			if _, err := m.File(); err == nil {
				t.Error("File: no error")
			}
			if _, err := tr.Step(X, Y); err == nil {
				t.Error("Trainer.Step after setting Std: no error")
			}
			if _, err := tr.Evaluate(X, Y); err == nil {
				t.Error("Trainer.Evaluate: no error")
			}
			if err := tr.Predict(Y, X); err == nil {
				t.Error("Trainer.Predict: no error")
			}
			if err := m.Standardize(nil); err == nil {
				t.Error("Standardize(nil) from a bad Std: no error")
			}
			if _, err := NewTrainer(m, MSE, must(NewSGD(SGDConfig{LR: 0.01})), 4); err == nil {
				t.Error("NewTrainer: no error")
			}
			if _, err := NewOnline(m, must(NewSGD(SGDConfig{LR: 0.01}))); err == nil {
				t.Error("NewOnline: no error")
			}
		})
	}
}
