package regress

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// chunked is a pass over ds in chunks of rows, each copied into one buffer
// as a file read in chunks would be, counting the chunks.
func chunked(ds *data.Dataset, rows int, count *int) data.Chunks {
	X, Y := must(linalg.New(rows, ds.X.Cols)), must(linalg.New(rows, ds.Y.Cols))
	return func(yield func(X, Y linalg.Dense) error) error {
		for lo := 0; lo < ds.Len(); lo += rows {
			m := min(rows, ds.Len()-lo)
			x, y := X.Slice(0, m), Y.Slice(0, m)
			for i := range m {
				copy(x.Row(i), ds.X.Row(lo+i))
				copy(y.Row(i), ds.Y.Row(lo+i))
			}
			if count != nil {
				*count++
			}
			if err := yield(x, y); err != nil {
				return err
			}
		}
		return nil
	}
}

// An epoch over a Stream is one pass over all its chunks: in order, with
// chunks of whole batches, it is the epoch of a Loader over all the rows,
// bit for bit, and OnPart sees every chunk.
func TestFitStreamIsOnePass(t *testing.T) {
	ds := mediumData(t, 103, 4, 2)
	fit := func(src data.Source, cfg FitConfig) ([]float32, []float32) {
		m := must(NewLinear(4, 2, 3))
		tr := must(NewTrainer(m, MSE, newSGD(t, 0.05), 8))
		defer tr.Close()
		cfg.Epochs = 5
		hist, err := tr.Fit(context.Background(), src, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return hist, m.Params()
	}
	wantHist, wantParams := fit(must(data.NewLoader(ds, data.LoaderConfig{BatchSize: 8})), FitConfig{})
	chunks := 0
	var parts []EpochStats
	s := must(data.NewStream(chunked(ds, 24, &chunks), data.LoaderConfig{BatchSize: 8}))
	hist, params := fit(s, FitConfig{OnPart: func(st EpochStats) { parts = append(parts, st) }})
	if !equal(hist, wantHist) || !equal(params, wantParams) {
		t.Errorf("streamed: losses %v, parameters %v; in memory %v, %v", hist, params, wantHist, wantParams)
	}
	if chunks != 5*5 || len(parts) != 5*5 {
		t.Fatalf("%d chunks read and %d parts seen over 5 epochs of 103 rows in chunks of 24, want 25", chunks, len(parts))
	}
	for i, st := range parts {
		if want := min(24*(i%5+1), 103); st.Epoch != i/5+1 || st.Rows != want {
			t.Errorf("part %d: epoch %d, %d rows so far; want epoch %d, %d rows", i, st.Epoch, st.Rows, i/5+1, want)
		}
	}
	if last := parts[len(parts)-1]; last.Loss != hist[4] || last.Batches != 13 {
		t.Errorf("the last part's stats %+v: want the epoch's loss %v over 13 batches", last, hist[4])
	}
}

// Fit over a Stream allocates its history and nothing per epoch once its
// chunks' loaders exist.
func TestFitStreamAllocs(t *testing.T) {
	ds := mediumData(t, 103, 4, 2)
	tr := must(NewTrainer(must(NewLinear(4, 2, 3)), MSE, newSGD(t, 1e-3), 8))
	defer tr.Close()
	// One goroutine: on a loaded machine parked workers take sudogs, which
	// AllocsPerRun counts; the workers' own zero allocation is the
	// benchmarks' (internal/zeroalloc leaves the runtime's sudogs out).
	if err := tr.SetWorkers(1); err != nil {
		t.Fatal(err)
	}
	s := must(data.NewStream(chunked(ds, 24, nil), data.LoaderConfig{BatchSize: 8, Shuffle: true}))
	for _, epochs := range []int{1, 20} {
		a := zeroalloc.AllocsPerRun(5, func() {
			if _, err := tr.Fit(context.Background(), s, FitConfig{Epochs: epochs}); err != nil {
				t.Fatal(err)
			}
		})
		if a != 1 {
			t.Errorf("Fit over %d epochs of a Stream: %v allocations, want 1 (the history)", epochs, a)
		}
	}
}

// With a guard Fit rolls a diverging run back, says so to OnEpoch and runs
// the epoch again at half the rate, where without one it stops.
func TestFitGuard(t *testing.T) {
	ds := cropDataset(t)
	run := func(rollbacks int) (*Guard, []float32, int, float64, error) {
		m := must(NewLinear(3, 2, 7))
		opt := must(NewSGD(SGDConfig{LR: 1e-3})) // far too large for raw crop inputs
		tr := must(NewTrainer(m, MSE, opt, 5))
		l := must(data.NewLoader(ds, data.LoaderConfig{BatchSize: 5, Shuffle: true, Seed: 1}))
		cfg := FitConfig{Epochs: 100}
		if rollbacks > 0 {
			cfg.Guard = must(NewGuard(tr, rollbacks))
		}
		rolled := 0
		cfg.OnEpoch = func(st EpochStats) error {
			if st.RolledBack {
				rolled++
			}
			return nil
		}
		hist, err := tr.Fit(context.Background(), l, cfg)
		return cfg.Guard, hist, rolled, opt.LR(), err
	}
	if _, _, _, _, err := run(0); !errors.As(err, new(*DivergedError)) {
		t.Fatalf("without a guard: %v, want a *DivergedError", err)
	}
	g, hist, rolled, lr, err := run(20)
	if err != nil {
		t.Fatal(err)
	}
	if g.Rollbacks() == 0 || rolled != g.Rollbacks() || lr != 1e-3/math.Pow(2, float64(g.Rollbacks())) || len(hist) != 100 {
		t.Errorf("%d rollbacks, %d seen by OnEpoch, rate %v, %d epochs: want some, as many, 1e-3 halved for each, 100", g.Rollbacks(), rolled, lr, len(hist))
	}
	if !(hist[99] < 1000) {
		t.Errorf("final loss %v", hist[99])
	}
}

// The schedule sets every epoch's rate from the rate Fit started with.
func TestFitSchedule(t *testing.T) {
	ds := cropDataset(t)
	opt := must(NewSGD(SGDConfig{LR: 1e-5}))
	tr := must(NewTrainer(must(NewLinear(3, 2, 1)), MSE, opt, 5))
	l := must(data.NewLoader(ds, data.LoaderConfig{BatchSize: 5}))
	s := StepDecay{Every: 2, Gamma: 0.5}
	var rates []float64
	_, err := tr.Fit(context.Background(), l, FitConfig{Epochs: 7, Schedule: s, OnEpoch: func(EpochStats) error {
		rates = append(rates, opt.LR())
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	for e, r := range rates {
		if r != s.LR(1e-5, e) {
			t.Errorf("epoch %d: rate %v, want %v", e+1, r, s.LR(1e-5, e))
		}
	}
}

// Early stopping in Fit: on too few rows for their inputs the validation
// loss falls, then rises as the model fits the noise; Fit stops Patience
// epochs after the best and ends with the best epoch's parameters.
func TestFitEarlyStop(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rows := func(n int) (linalg.Dense, linalg.Dense) {
		X, Y := must(linalg.New(n, 16)), must(linalg.New(n, 1))
		for i := range n {
			for p := range 16 {
				X.Set(i, p, float32(rng.NormFloat64()))
			}
			Y.Set(i, 0, X.At(i, 0)+float32(rng.NormFloat64()))
		}
		return X, Y
	}
	X, Y := rows(24)
	VX, VY := rows(400)
	l := must(data.NewLoader(must(data.NewDataset(X, Y)), data.LoaderConfig{BatchSize: 4, Shuffle: true}))
	m := must(NewLinear(16, 1, 2))
	tr := must(NewTrainer(m, MSE, newSGD(t, 0.02), 4))
	es := must(NewEarlyStop(5, 0, 16, 1))
	seen := map[int][]float32{}
	val := func(yield func(X, Y linalg.Dense) error) error { return yield(VX, VY) }
	hist, err := tr.Fit(context.Background(), l, FitConfig{Epochs: 2000, EarlyStop: es, Val: val, OnEpoch: func(st EpochStats) error {
		seen[st.Epoch] = append([]float32(nil), m.Params()...)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) == 2000 || es.BestEpoch < 1 || len(hist) != es.BestEpoch+5 {
		t.Fatalf("ran %d epochs, best %d: want to stop 5 after the best, before 2000", len(hist), es.BestEpoch)
	}
	if !equal(m.Params(), seen[es.BestEpoch]) {
		t.Errorf("parameters %v at the end, want the best epoch's %v", m.Params(), seen[es.BestEpoch])
	}
	if best := must(tr.Evaluate(VX, VY)); float64(best) != es.Best {
		t.Errorf("validation loss %v with the kept parameters, want the best, %v", best, es.Best)
	}
}
