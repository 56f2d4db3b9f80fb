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

// Standardize and File refuse a Std whose fold or unfold float32 cannot hold
// (weight or bias), leaving the model as it was, and never write Inf.
func TestHostileFoldOverflow(t *testing.T) {
	big := float32(3e38)
	for _, c := range []struct {
		name string
		from *Standardizer // the model's Std
		to   *Standardizer // Standardize's argument
		file bool          // File must fail too
		w    float32       // W[0][1], if not 0
	}{
		{"unfold weight", nil, &Standardizer{Mean: []float32{0, 0, 0}, Scale: []float32{1, big, 1}}, false, 0},
		{"unfold bias", nil, &Standardizer{Mean: []float32{0, big, 0}, Scale: []float32{1, 1, 1}}, false, 0},
		{"fold weight", &Standardizer{Mean: []float32{0, 0, 0}, Scale: []float32{1, 1e-37, 1}}, nil, true, 1e3},
		{"fold bias", &Standardizer{Mean: []float32{big, 0, 0}, Scale: []float32{0.5, 1, 1}}, nil, true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := hostileModel(t)
			m.Std = c.from
			if c.w != 0 {
				m.W.Data[1] = c.w
			}
			before := slices.Clone(m.params)
			if err := m.Standardize(c.to); err == nil {
				t.Errorf("Standardize: no error, params %v", m.params)
			}
			if !slices.Equal(before, m.params) || m.Std != c.from {
				t.Error("Standardize changed the model on error")
			}
			mf, err := m.File()
			if c.file && err == nil {
				t.Errorf("File: no error, weights %v bias %v", mf.W, mf.B)
			}
		})
	}
}

// Standardize keeps a copy of its std and Clone of the model's: changing
// the caller's or the original's Std afterwards changes no prediction.
func TestHostileStdAliasing(t *testing.T) {
	x := []float32{3, -1, 7}
	m := hostileModel(t)
	want := must(m.PredictRow(nil, x))
	c := m.Clone()
	m.Std.Scale[0], m.Std.Mean[2] = 100, -5
	if got := must(c.PredictRow(nil, x)); !slices.Equal(got, want) {
		t.Errorf("clone after the original's Std changed: %v, want %v", got, want)
	}
	std := &Standardizer{Mean: []float32{4, 4, 4}, Scale: []float32{3, 3, 3}}
	if err := c.Standardize(std); err != nil {
		t.Fatal(err)
	}
	want = must(c.PredictRow(nil, x))
	std.Scale[1], std.Mean[0] = 1e-3, 1e6
	if got := must(c.PredictRow(nil, x)); !slices.Equal(got, want) {
		t.Errorf("after the caller's std changed: %v, want %v", got, want)
	}
}

// Predict with Std refuses malformed or mismatched matrices with an error
// (no panic), and predicts 0 rows and many rows (several blocks) right.
func TestHostilePredictShapes(t *testing.T) {
	m := hostileModel(t)
	ok := func(r, c int) linalg.Dense { return must(linalg.New(r, c)) }
	short := ok(4, 3)
	short.Data = short.Data[:7]
	shortY := ok(4, 2)
	shortY.Data = shortY.Data[:5]
	stride := ok(4, 3)
	stride.Stride = 2
	for name, c := range map[string]struct{ Y, X linalg.Dense }{
		"X too narrow":  {ok(4, 2), ok(4, 2)},
		"X too wide":    {ok(4, 2), ok(4, 4)},
		"Y rows":        {ok(3, 2), ok(4, 3)},
		"Y columns":     {ok(4, 3), ok(4, 3)},
		"X data short":  {ok(4, 2), short},
		"X stride":      {ok(4, 2), stride},
		"Y data short":  {shortY, ok(4, 3)},
		"negative rows": {linalg.Dense{Rows: -1, Cols: 2}, linalg.Dense{Rows: -1, Cols: 3, Stride: 3}},
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			if err := m.Predict(c.Y, c.X); err == nil {
				t.Errorf("%s: no error", name)
			}
		}()
	}
	if err := m.Predict(ok(0, 2), ok(0, 3)); err != nil {
		t.Errorf("0 rows: %v", err)
	}
	n := 3*stdBlock/3 + 7 // several of Predict's blocks
	X, Y := ok(n, 3), ok(n, 2)
	for i := range X.Data {
		X.Data[i] = float32(i%97) - 40
	}
	if err := m.Predict(Y, X); err != nil {
		t.Fatal(err)
	}
	raw := m.Clone()
	if err := raw.Standardize(nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		nearRel(t, "row of a large Predict", Y.Row(i), must(raw.PredictRow(nil, X.Row(i))), 1e-5)
	}
}

// A model read from its file, standardised and written again predicts as
// before within float32 rounding, and reads back the same.
func TestHostileFileRoundTrip(t *testing.T) {
	m := hostileModel(t)
	m.Inputs, m.Outputs = []string{"a", "b", "c"}, []string{"y", "z"}
	mf := must(m.File())
	r := must(LinearFromFile(mf))
	if r.Std != nil || !slices.Equal(r.Inputs, m.Inputs) || !slices.Equal(r.Outputs, m.Outputs) {
		t.Fatalf("LinearFromFile: Std %v, names %q %q", r.Std, r.Inputs, r.Outputs)
	}
	if err := r.Standardize(&Standardizer{Mean: []float32{-7, 0.5, 1e3}, Scale: []float32{1e-3, 30, 5e2}}); err != nil {
		t.Fatal(err)
	}
	back := must(LinearFromFile(must(r.File())))
	for _, x := range [][]float32{{0, 0, 0}, {3, -1, 7}, {-1e3, 2e2, 5}} {
		want := must(m.PredictRow(nil, x))
		nearRel(t, "standardised", must(r.PredictRow(nil, x)), want, 1e-4)
		nearRel(t, "read back", must(back.PredictRow(nil, x)), want, 1e-4)
	}
}

// A Std set on the model after NewTrainer (workers up) trains as a trainer
// made with it.
func TestHostileStdAfterNewTrainer(t *testing.T) {
	X, Y := must(linalg.New(64, 3)), must(linalg.New(64, 2))
	for i := range X.Data {
		X.Data[i] = float32(i%13)*3 - 10
	}
	for i := range Y.Data {
		Y.Data[i] = float32(i%7) - 3
	}
	a, b := hostileModel(t), hostileModel(t)
	std := b.Std
	b.Std = nil
	ta := must(NewTrainer(a, MSE, must(NewSGD(SGDConfig{LR: 0.01})), 64))
	tb := must(NewTrainer(b, MSE, must(NewSGD(SGDConfig{LR: 0.01})), 64))
	defer ta.Close()
	defer tb.Close()
	for _, tr := range []*Trainer{ta, tb} {
		if err := tr.SetWorkers(2); err != nil {
			t.Fatal(err)
		}
	}
	b.Std = std
	for range 3 {
		la := must(ta.Step(X, Y))
		lb := must(tb.Step(X, Y))
		if la != lb || !slices.Equal(a.params, b.params) {
			t.Fatalf("losses %v and %v, params %v and %v", la, lb, a.params, b.params)
		}
	}
}

// Trainer.Predict and Evaluate with Std on more rows than the trainer's
// batch (chunked through its buffer) agree with Linear.Predict.
func TestHostileTrainerPredictManyRows(t *testing.T) {
	m := hostileModel(t)
	tr := must(NewTrainer(m, MSE, must(NewSGD(SGDConfig{LR: 0.01})), 5))
	defer tr.Close()
	n := 3*5 + 2
	X, P, Q := must(linalg.New(n, 3)), must(linalg.New(n, 2)), must(linalg.New(n, 2))
	for i := range X.Data {
		X.Data[i] = float32(i%11)*2 - 9
	}
	for _, w := range []int{1, 2} {
		if err := tr.SetWorkers(w); err != nil {
			t.Fatal(err)
		}
		if err := tr.Predict(P, X); err != nil {
			t.Fatal(err)
		}
		if err := m.Predict(Q, X); err != nil {
			t.Fatal(err)
		}
		nearRel(t, "Trainer.Predict", P.Data, Q.Data, 1e-6)
		if l, err := tr.Evaluate(X, Q); err != nil || l > 1e-6 {
			t.Errorf("%d workers: Evaluate against the model's own predictions: %v, %v", w, l, err)
		}
	}
}
