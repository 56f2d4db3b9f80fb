package regress

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

func cropDataset(t testing.TB) *data.Dataset {
	f := loadFixtures(t)
	ds, err := data.NewDataset(mustDense(t, f.Inputs), mustDense(t, f.Targets))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func newSGD(t testing.TB, lr float64) Optimizer {
	o, err := NewSGD(SGDConfig{LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Every hot path allocates nothing once constructed: Step (fused and kernel
// paths, every optimiser, a model with Std), a whole epoch with shuffling,
// Evaluate and Predict.
func TestNoAllocations(t *testing.T) {
	ctx := context.Background()
	for _, shape := range []struct{ in, out, rows, batch int }{{3, 2, 15, 5}, {64, 8, 1000, 256}} {
		ds := mediumData(t, shape.rows, shape.in, shape.out)
		X, Y := ds.X.Slice(0, shape.batch), ds.Y.Slice(0, shape.batch)
		sgdm, _ := NewSGD(SGDConfig{LR: 1e-3, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4})
		adam, _ := NewAdam(AdamDefaults(1e-3))
		w := must(NewWelford(shape.in))
		w.AddRows(ds.X)
		for i, opt := range []Optimizer{newSGD(t, 1e-3), sgdm, adam, newSGD(t, 1e-3)} {
			m, _ := NewLinear(shape.in, shape.out, 7)
			if i == 3 {
				m.Std = w.Standardizer()
			}
			tr, err := NewTrainer(m, MSE, opt, shape.batch)
			if err != nil {
				t.Fatal(err)
			}
			l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: shape.batch, Shuffle: true, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			P, _ := linalg.New(shape.batch, shape.out)
			row := make([]float32, 0, shape.out)
			var snap Snapshot
			tr.Snapshot(&snap)
			hot := map[string]func(){
				"Step":       func() { _, err = tr.Step(X, Y) },
				"Epoch":      func() { _, err = tr.Epoch(ctx, l) },
				"Evaluate":   func() { _, err = tr.Evaluate(ds.X, ds.Y) },
				"Predict":    func() { err = m.Predict(P, X) },
				"PredictRow": func() { row, err = m.PredictRow(row, X.Row(0)) },
				"Snapshot":   func() { tr.Snapshot(&snap) },
				"Restore":    func() { err = tr.Restore(&snap) },
			}
			if m.Std != nil { // Linear's scratch with Std: TestStdPredict
				delete(hot, "Predict")
				delete(hot, "PredictRow")
			}
			for name, f := range hot {
				if a := zeroalloc.AllocsPerRun(20, f); a != 0 || err != nil {
					t.Errorf("%d→%d, %T (Std %v): %s: %v allocations per run (err %v), want 0", shape.in, shape.out, opt, m.Std != nil, name, a, err)
				}
			}
		}
	}
}

// Fit allocates its history and nothing per epoch.
func TestFitAllocatesOnlyItsHistory(t *testing.T) {
	ds := cropDataset(t)
	m, _ := NewLinear(3, 2, 1)
	tr, _ := NewTrainer(m, MSE, newSGD(t, 1e-5), 5)
	l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5, Shuffle: true})
	ctx := context.Background()
	for _, epochs := range []int{1, 50} {
		a := zeroalloc.AllocsPerRun(5, func() {
			if _, err := tr.Fit(ctx, l, FitConfig{Epochs: epochs}); err != nil {
				t.Fatal(err)
			}
		})
		if a != 1 {
			t.Errorf("Fit over %d epochs: %v allocations, want 1 (the history)", epochs, a)
		}
	}
}

// Predicting with one trained model from many goroutines at once is safe
// (run with -race) and gives every goroutine the same answers, with Std
// (whose scratch the goroutines share) and without.
func TestPredictConcurrent(t *testing.T) {
	t.Run("raw", func(t *testing.T) { predictConcurrent(t, false) })
	t.Run("Std", func(t *testing.T) { predictConcurrent(t, true) })
}

func predictConcurrent(t *testing.T, withStd bool) {
	ds := mediumData(t, 512, 16, 4)
	m, _ := NewLinear(16, 4, 1)
	if withStd {
		w := must(NewWelford(16))
		w.AddRows(ds.X)
		m.Std = w.Standardizer()
	}
	tr, _ := NewTrainer(m, MSE, newSGD(t, 1e-2), 64)
	l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 64, Shuffle: true})
	if _, err := tr.Fit(context.Background(), l, FitConfig{Epochs: 3}); err != nil {
		t.Fatal(err)
	}
	want, _ := linalg.New(ds.Len(), 4)
	if err := m.Predict(want, ds.X); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			P, _ := linalg.New(ds.Len(), 4)
			y := make([]float32, 0, 4)
			for rep := 0; rep < 20; rep++ {
				if err := m.Predict(P, ds.X); err != nil {
					errs <- err
					return
				}
				i := (g*31 + rep) % ds.Len()
				var err error
				if y, err = m.PredictRow(y, ds.X.Row(i)); err != nil {
					errs <- err
					return
				}
				// One row may take another kernel path than a full
				// matrix (SIMD blocking), so compare within rounding.
				for j, v := range y {
					if w := want.At(i, j); math.Abs(float64(v-w)) > 1e-5*math.Max(1, math.Abs(float64(w))) {
						errs <- fmt.Errorf("PredictRow(row %d)[%d] = %v, Predict gave %v", i, j, v, w)
						return
					}
				}
			}
			for i, v := range P.Data {
				if v != want.Data[i] {
					errs <- errors.New("concurrent Predict gave a different answer")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNewLinearInit(t *testing.T) {
	m, err := NewLinear(16, 3, 42)
	if err != nil {
		t.Fatal(err)
	}
	bound := float32(1 / math.Sqrt(16))
	var lo, hi float32
	for _, v := range m.Params() {
		if v < -bound || v >= bound {
			t.Fatalf("parameter %v outside [−1/√16, 1/√16)", v)
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo > -bound/2 || hi < bound/2 {
		t.Errorf("51 draws span only [%v, %v] of ±%v: not uniform over the bound", lo, hi, bound)
	}
	same, _ := NewLinear(16, 3, 42)
	other, _ := NewLinear(16, 3, 43)
	if !equal(m.Params(), same.Params()) {
		t.Error("the same seed gave different weights")
	}
	if equal(m.Params(), other.Params()) {
		t.Error("different seeds gave the same weights")
	}
	if m.W.At(2, 5) != m.Params()[2*16+5] || m.B[1] != m.Params()[3*16+1] {
		t.Error("W and B are not views of Params in the nn.Linear layout")
	}
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func TestBadInput(t *testing.T) {
	X, Y := cropBatch(t)
	X.Set(3, 2, float32(math.NaN()))
	_, err := data.NewDataset(X, Y)
	wantErr(t, err, "inputs", "row 3", "column 2", "NaN")
	X, _ = cropBatch(t)
	Y.Set(4, 1, float32(math.Inf(-1)))
	_, err = data.NewDataset(X, Y)
	wantErr(t, err, "targets", "row 4", "column 1", "-Inf")

	_, err = data.NewDataset(linalg.Dense{Cols: 3, Stride: 3}, linalg.Dense{Cols: 2, Stride: 2})
	wantErr(t, err, "empty")
	X, Y = cropBatch(t)
	_, err = data.NewDataset(X, Y.Slice(0, 4))
	wantErr(t, err, "5 input rows", "4 target rows")

	ds, _ := data.NewDataset(X, Y)
	for _, bs := range []int{0, -3} {
		_, err = data.NewLoader(ds, data.LoaderConfig{BatchSize: bs})
		wantErr(t, err, "batch size")
	}
	_, err = data.NewLoader(ds, data.LoaderConfig{BatchSize: 6, DropLast: true})
	wantErr(t, err, "no batch")

	for _, lr := range []float64{0, -1e-3, math.NaN(), math.Inf(1)} {
		_, err = NewSGD(SGDConfig{LR: lr})
		wantErr(t, err, "learning rate")
		_, err = NewAdam(AdamDefaults(lr))
		wantErr(t, err, "learning rate")
	}
	_, err = NewSGD(SGDConfig{LR: 1, Nesterov: true})
	wantErr(t, err, "Nesterov")
	_, err = NewSGD(SGDConfig{LR: 1, Momentum: 0.9, Dampening: 0.1, Nesterov: true})
	wantErr(t, err, "Nesterov")
	_, err = NewAdam(AdamConfig{LR: 1, Beta1: 1, Beta2: 0.9})
	wantErr(t, err, "beta1")
	opt := newSGD(t, 1)
	wantErr(t, opt.SetLR(0), "learning rate")

	m, _ := NewLinear(3, 2, 1)
	tr, _ := NewTrainer(m, MSE, newSGD(t, 1e-5), 5)
	_, err = tr.Step(X.Slice(0, 4), Y)
	wantErr(t, err, "4×3 inputs", "5×2 targets")
	_, err = tr.Step(Y, Y)
	wantErr(t, err, "3→2")
	big := mediumData(t, 6, 3, 2)
	_, err = tr.Step(big.X, big.Y)
	wantErr(t, err, "6 rows", "at most 5")
	_, err = tr.Evaluate(X, Y.Slice(0, 2))
	wantErr(t, err, "Evaluate")
	_, err = NewTrainer(&Linear{}, MSE, newSGD(t, 1), 1)
	wantErr(t, err, "NewLinear")
	_, err = tr.Fit(context.Background(), nil, FitConfig{Epochs: 1})
	wantErr(t, err, "nil source")
	_, err = NewTrainer(m, MSE, newSGD(t, 1), 0)
	wantErr(t, err, "batch size")
	_, err = NewTrainer(m, Loss(9), newSGD(t, 1), 1)
	wantErr(t, err, "loss")
	P, _ := linalg.New(5, 3)
	wantErr(t, m.Predict(P, X), "5×3", "want 5×2")
	_, err = m.PredictRow(nil, []float32{1, 2})
	wantErr(t, err, "2 inputs", "takes 3")
	_, err = NewLinear(0, 2, 1)
	wantErr(t, err, "at least one input")
	_, err = NewLinearFrom([][]float32{{1, 2}, {3}}, nil)
	wantErr(t, err, "row 1")
	_, err = NewLinearFrom([][]float32{{1, 2}}, []float32{1, 2})
	wantErr(t, err, "bias has 2")
	l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5})
	_, err = tr.Fit(context.Background(), l, FitConfig{Epochs: 0})
	wantErr(t, err, "epochs")

	// A NaN reaching Step directly is named, and the model is untouched.
	before := append([]float32(nil), m.Params()...)
	X.Set(1, 0, float32(math.Inf(1)))
	_, err = tr.Step(X, Y)
	wantErr(t, err, "row 1", "column 0", "+Inf")
	if !equal(before, m.Params()) {
		t.Error("a failed step changed the model")
	}
}

// Too large a learning rate on the raw crop data diverges: Fit must stop with
// an error naming the epoch and the remedy, never return NaN weights.
func TestDivergence(t *testing.T) {
	ds := cropDataset(t)
	for _, lr := range []float64{1e-3, 1e-1, 10} {
		m, _ := NewLinear(3, 2, 1)
		tr, _ := NewTrainer(m, MSE, newSGD(t, lr), 5)
		l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5, Shuffle: true})
		hist, err := tr.Fit(context.Background(), l, FitConfig{Epochs: 100})
		var d *DivergedError
		if !errors.As(err, &d) {
			t.Fatalf("lr %g: err = %v, want a *DivergedError", lr, err)
		}
		wantErr(t, err, "epoch", "lower the learning rate", "standardise")
		t.Logf("lr %g: %v", lr, err)
		if d.Epoch < 1 || d.Epoch > 100 || len(hist) != d.Epoch-1 {
			t.Errorf("lr %g: diverged at epoch %d with %d epochs of history", lr, d.Epoch, len(hist))
		}
		for _, v := range hist {
			if !finite(v) {
				t.Errorf("lr %g: history holds %v", lr, v)
			}
		}
	}
	// A loss that has fallen far and then wobbles at its floor, rising over
	// its lowest so far many times, is not divergence: without a guard only
	// growth past a million times the lowest counts.
	noisy := mediumData(t, 64, 4, 1)
	m0, _ := NewLinear(4, 1, 1)
	tr0, _ := NewTrainer(m0, MSE, newSGD(t, 0.1), 8)
	l0, _ := data.NewLoader(noisy, data.LoaderConfig{BatchSize: 8, Shuffle: true})
	hist0, err := tr0.Fit(context.Background(), l0, FitConfig{Epochs: 200})
	if err != nil {
		t.Fatalf("converged fit: %v", err)
	}
	rises, low := 0, math.Inf(1)
	for _, v := range hist0 {
		if float64(v) > 1.01*low {
			rises++
		}
		low = min(low, float64(v))
	}
	if rises == 0 || !(hist0[len(hist0)-1] < 1e-3*hist0[0]) {
		t.Errorf("the case tests nothing: %d rises over the lowest loss, loss %v -> %v", rises, hist0[0], hist0[len(hist0)-1])
	}

	// A small enough rate does not trip the detector.
	m, _ := NewLinear(3, 2, 1)
	tr, _ := NewTrainer(m, MSE, newSGD(t, 1e-5), 5)
	l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5, Shuffle: true})
	if _, err := tr.Fit(context.Background(), l, FitConfig{Epochs: 100}); err != nil {
		t.Fatal(err)
	}
}

func TestFitCallbacksAndCancel(t *testing.T) {
	ds := cropDataset(t)
	m, _ := NewLinear(3, 2, 1)
	tr, _ := NewTrainer(m, MSE, newSGD(t, 1e-5), 5)
	l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5, Shuffle: true})

	var progress []int
	var seen int
	hist, err := tr.Fit(context.Background(), l, FitConfig{Epochs: 25, Every: 10,
		Progress: func(st EpochStats) { progress = append(progress, st.Epoch) },
		OnEpoch: func(st EpochStats) error {
			seen++
			if st.Batches != 3 || st.Epochs != 25 || st.Epoch != seen {
				t.Errorf("epoch stats %+v", st)
			}
			return nil
		}})
	if err != nil || len(hist) != 25 || seen != 25 {
		t.Fatalf("Fit: %d epochs, %d callbacks, err %v", len(hist), seen, err)
	}
	if len(progress) != 3 || progress[0] != 10 || progress[1] != 20 || progress[2] != 25 {
		t.Errorf("progress after epochs %v, want [10 20 25]", progress)
	}
	if !(hist[24] < hist[0]) {
		t.Errorf("loss did not fall: %v -> %v", hist[0], hist[24])
	}

	// ErrStop ends training early without error.
	hist, err = tr.Fit(context.Background(), l, FitConfig{Epochs: 25, OnEpoch: func(st EpochStats) error {
		if st.Epoch == 4 {
			return ErrStop
		}
		return nil
	}})
	if err != nil || len(hist) != 4 {
		t.Errorf("ErrStop: %d epochs, err %v; want 4, nil", len(hist), err)
	}
	// Another error ends it with that error.
	boom := errors.New("boom")
	_, err = tr.Fit(context.Background(), l, FitConfig{Epochs: 5, OnEpoch: func(EpochStats) error { return boom }})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	// Cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	hist, err = tr.Fit(ctx, l, FitConfig{Epochs: 25, OnEpoch: func(st EpochStats) error {
		if st.Epoch == 2 {
			cancel()
		}
		return nil
	}})
	if !errors.Is(err, context.Canceled) || len(hist) != 2 {
		t.Errorf("cancelled: %d epochs, err %v; want 2, context.Canceled", len(hist), err)
	}
}

// Snapshot and Restore put training back exactly: the same steps after a
// restore give the same weights, for optimisers with state.
func TestSnapshotRestore(t *testing.T) {
	ds := cropDataset(t)
	for _, mk := range []func() Optimizer{
		func() Optimizer { o, _ := NewSGD(SGDConfig{LR: 1e-5, Momentum: 0.9}); return o },
		func() Optimizer { o, _ := NewAdam(AdamDefaults(1e-2)); return o },
	} {
		m, _ := NewLinear(3, 2, 1)
		tr, _ := NewTrainer(m, MSE, mk(), 5)
		l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5})
		ctx := context.Background()
		tr.Epoch(ctx, l)
		var s Snapshot
		tr.Snapshot(&s)
		tr.Epoch(ctx, l)
		tr.Epoch(ctx, l)
		after := append([]float32(nil), m.Params()...)
		if err := tr.Restore(&s); err != nil {
			t.Fatal(err)
		}
		if !equal(m.Params(), s.Params) {
			t.Fatal("Restore did not restore the parameters")
		}
		tr.Epoch(ctx, l)
		tr.Epoch(ctx, l)
		if !equal(after, m.Params()) {
			t.Errorf("%T: training after Restore took another path", tr.opt)
		}
	}
}

func TestLoader(t *testing.T) {
	ds := mediumData(t, 23, 2, 1)
	rowOf := func(x []float32) int {
		for i := 0; i < ds.Len(); i++ {
			if equal(ds.X.Row(i), x) {
				return i
			}
		}
		return -1
	}
	epochOrder := func(l *data.Loader) (order []int, sizes []int) {
		if err := l.Reset(); err != nil {
			t.Fatal(err)
		}
		for {
			X, Y, ok := l.Next()
			if !ok {
				return
			}
			sizes = append(sizes, X.Rows)
			for i := 0; i < X.Rows; i++ {
				r := rowOf(X.Row(i))
				if Y.At(i, 0) != ds.Y.At(r, 0) {
					t.Fatal("a batch's targets do not belong to its inputs")
				}
				order = append(order, r)
			}
		}
	}
	isPerm := func(o []int) bool {
		seen := map[int]bool{}
		for _, r := range o {
			if r < 0 || seen[r] {
				return false
			}
			seen[r] = true
		}
		return len(o) == ds.Len()
	}

	l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5})
	o, sizes := epochOrder(l)
	for i, r := range o {
		if r != i {
			t.Fatalf("unshuffled order %v", o)
		}
	}
	if len(sizes) != 5 || sizes[4] != 3 || l.Batches() != 5 {
		t.Errorf("batch sizes %v (Batches %d), want 5,5,5,5,3", sizes, l.Batches())
	}
	l, _ = data.NewLoader(ds, data.LoaderConfig{BatchSize: 5, DropLast: true})
	o, sizes = epochOrder(l)
	if len(o) != 20 || len(sizes) != 4 || l.Batches() != 4 {
		t.Errorf("drop_last: %d rows in %d batches, want 20 in 4", len(o), len(sizes))
	}

	a, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 4, Shuffle: true, Seed: 9})
	b, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 4, Shuffle: true, Seed: 9})
	c, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 4, Shuffle: true, Seed: 10})
	a1, _ := epochOrder(a)
	a2, _ := epochOrder(a)
	b1, _ := epochOrder(b)
	c1, _ := epochOrder(c)
	if !isPerm(a1) || !isPerm(a2) || !isPerm(c1) {
		t.Fatal("a shuffled epoch is not a permutation of the rows")
	}
	if !equalInts(a1, b1) {
		t.Error("the same seed gave different orders")
	}
	if equalInts(a1, a2) {
		t.Error("two epochs had the same order: want a new permutation each epoch")
	}
	if equalInts(a1, c1) {
		t.Error("different seeds gave the same order")
	}

	// An explicit order is replayed, and a non-permutation is refused.
	perm := []int{22, 0, 21, 1, 20, 2, 19, 3, 18, 4, 17, 5, 16, 6, 15, 7, 14, 8, 13, 9, 12, 10, 11}
	l, _ = data.NewLoader(ds, data.LoaderConfig{BatchSize: 7, Order: data.Orders{perm}})
	if o, _ := epochOrder(l); !equalInts(o, perm) {
		t.Errorf("explicit order replayed as %v", o)
	}
	bad := append([]int(nil), perm...)
	bad[3] = 22
	l, _ = data.NewLoader(ds, data.LoaderConfig{BatchSize: 7, Order: data.Orders{bad}})
	wantErr(t, l.Reset(), "not a permutation", "epoch 0")
	if _, _, ok := l.Next(); ok {
		t.Error("a loader whose epoch failed to start yielded a batch")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
