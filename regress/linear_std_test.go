package regress

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// scaledData is mediumData with inputs of varied scale and offset, its
// standardizer, and its inputs standardised by it (std.Apply).
func scaledData(t testing.TB, n, d, o int) (raw, std *data.Dataset, s *Standardizer) {
	ds := mediumData(t, n, d, o)
	X := must(linalg.New(n, d))
	for i := range n {
		for p, v := range ds.X.Row(i) {
			X.Row(i)[p] = 40*float32(p) + float32(1+p%5)*v
		}
	}
	w := must(NewWelford(d))
	if err := w.AddRows(X); err != nil {
		t.Fatal(err)
	}
	s = w.Standardizer()
	Xs := must(linalg.New(n, d))
	if err := s.applyChecked(Xs, X); err != nil {
		t.Fatal(err)
	}
	return must(data.NewDataset(X, ds.Y)), must(data.NewDataset(Xs, ds.Y)), s
}

// A model with Std trains on raw rows exactly, bit for bit, as the same
// model without Std on rows standardised beforehand (the way before Std):
// steps (fused and kernel paths), Fit over a shuffled Loader and over a
// Stream with early stopping, Evaluate and Trainer.Predict, with one worker
// and with two; and the caller's rows are left as they were.
func TestStdTrainsAsStandardisedRows(t *testing.T) {
	ctx := context.Background()
	for _, sh := range []struct{ in, out, rows, batch int }{{3, 2, 15, 5}, {64, 8, 1000, 256}} {
		raw, stdz, std := scaledData(t, sh.rows, sh.in, sh.out)
		keep := slices.Clone(raw.X.Data)
		for _, workers := range []int{1, 2} {
			a := must(NewLinear(sh.in, sh.out, 7))
			b := a.Clone()
			b.Std = std
			ta := newTrainerW(t, a, newSGD(t, 1e-2), sh.batch, workers)
			tb := newTrainerW(t, b, newSGD(t, 1e-2), sh.batch, workers)
			run := func(tr *Trainer, ds *data.Dataset) (out []float32) {
				l := must(data.NewLoader(ds, data.LoaderConfig{BatchSize: sh.batch, Shuffle: true, Seed: 3}))
				s := must(data.NewStream(chunked(ds, 2*sh.batch, nil), data.LoaderConfig{BatchSize: sh.batch}))
				es := must(NewEarlyStop(2, 0, sh.in*sh.out, sh.out))
				for _, src := range []data.Source{l, s} {
					h, err := tr.Fit(ctx, src, FitConfig{Epochs: 3, EarlyStop: es, Val: chunked(ds, 7, nil)})
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, h...)
				}
				loss, err := tr.Step(ds.X.Slice(0, sh.batch), ds.Y.Slice(0, sh.batch))
				ev, err2 := tr.Evaluate(ds.X, ds.Y)
				if err != nil || err2 != nil {
					t.Fatal(err, err2)
				}
				out = append(append(out, loss, ev), tr.model.Params()...)
				return append(out, tr.Gradients()...)
			}
			got, want := run(tb, raw), run(ta, stdz)
			// Predictions: b's rows are standardised in blocks, which the
			// kernels may round differently from one call over all rows.
			P, Q := must(linalg.New(raw.Len(), sh.out)), must(linalg.New(raw.Len(), sh.out))
			if err, err2 := ta.Predict(P, stdz.X), tb.Predict(Q, raw.X); err != nil || err2 != nil {
				t.Fatal(err, err2)
			}
			nearRel(t, "Trainer.Predict with Std", Q.Data, P.Data, 1e-5)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%d→%d, %d workers: value %d is %v with Std, %v on rows standardised beforehand", sh.in, sh.out, workers, i, got[i], want[i])
				}
			}
			if !slices.Equal(keep, raw.X.Data) {
				t.Fatal("training with Std changed the caller's rows")
			}
		}
	}
}

// Linear.Predict and PredictRow with Std take raw rows, give what the model
// without Std gives on the rows standardised, and allocate nothing. (Their
// scratch comes from a sync.Pool, which drops a quarter of what it is given
// under the race detector: over 1000 runs that stays below one a run.)
func TestStdPredict(t *testing.T) {
	raw, stdz, std := scaledData(t, 1000, 24, 3)
	a := must(NewLinear(24, 3, 2))
	b := a.Clone()
	b.Std = std
	P, Q := must(linalg.New(1000, 3)), must(linalg.New(1000, 3))
	if err := a.Predict(P, stdz.X); err != nil {
		t.Fatal(err)
	}
	if err := b.Predict(Q, raw.X); err != nil {
		t.Fatal(err)
	}
	nearRel(t, "Predict with Std", Q.Data, P.Data, 1e-5)
	row := make([]float32, 0, 3)
	y, err := b.PredictRow(row, raw.X.Row(5))
	if err != nil {
		t.Fatal(err)
	}
	nearRel(t, "PredictRow with Std", y, P.Row(5), 1e-5)
	for name, f := range map[string]func(){
		"Predict":    func() { err = b.Predict(Q, raw.X) },
		"PredictRow": func() { row, err = b.PredictRow(row, raw.X.Row(0)) },
	} {
		if n := zeroalloc.AllocsPerRun(1000, f); n != 0 || err != nil {
			t.Errorf("%s with Std: %v allocations per run (err %v), want 0", name, n, err)
		}
	}
	b.Std = &Standardizer{Mean: std.Mean[:3], Scale: std.Scale}
	if err := b.Predict(Q, raw.X); err == nil {
		t.Error("Predict with a Std of the wrong size: no error")
	}
}

// Standardize re-expresses a model without changing its predictions; nil
// folds it back to raw inputs; Clone copies Std and names; a model without
// bias refuses a centring Std and stays as it was.
func TestStandardize(t *testing.T) {
	raw, _, std := scaledData(t, 50, 4, 2)
	m := must(NewLinear(4, 2, 9))
	m.Inputs, m.Outputs = []string{"a", "b", "c", "d"}, []string{"y", "z"}
	w0 := slices.Clone(m.Params())
	P0, P := must(linalg.New(50, 2)), must(linalg.New(50, 2))
	m.Predict(P0, raw.X)
	near := func(what string, got, want []float32) { t.Helper(); nearRel(t, what, got, want, 1e-4) }
	if err := m.Standardize(std); err != nil || m.Std == std || !slices.Equal(m.Std.Mean, std.Mean) || !slices.Equal(m.Std.Scale, std.Scale) {
		t.Fatalf("Standardize: %v, Std %v", err, m.Std)
	}
	m.Predict(P, raw.X)
	near("predictions with Std", P.Data, P0.Data)
	c := m.Clone()
	if c.Std == m.Std || !slices.Equal(c.Std.Scale, std.Scale) || !slices.Equal(c.Inputs, m.Inputs) || !slices.Equal(c.Outputs, m.Outputs) {
		t.Errorf("Clone: Std %v, names %q %q", c.Std, c.Inputs, c.Outputs)
	}
	if err := m.Standardize(nil); err != nil || m.Std != nil {
		t.Fatalf("Standardize(nil): %v, Std %v", err, m.Std)
	}
	near("parameters folded back", m.Params(), w0)

	nb := must(NewLinearNoBias(4, 2, 9))
	p := slices.Clone(nb.Params())
	if err := nb.Standardize(std); err == nil || nb.Std != nil || !slices.Equal(nb.Params(), p) {
		t.Errorf("a centring Std on a model without bias: err %v, Std %v, changed %v", err, nb.Std, !slices.Equal(nb.Params(), p))
	}
}

// nearRel fails t unless got[i] is within tol·max(1, |want[i]|) of want[i].
func nearRel(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > tol*math.Max(1, math.Abs(float64(want[i]))) {
			t.Fatalf("%s: value %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}
