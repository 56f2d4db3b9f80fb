package regress

// Constructors whose sizes cannot fit: each must return an error naming
// itself, with nothing allocated, rather than panic in make, crash out of
// memory, or wrap a product round to a small buffer.

import (
	"context"
	"math"
	"math/bits"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

const (
	halfInt    = 1 << (bits.UintSize / 2)   // halfInt² wraps round to 0
	quarterInt = 1 << (bits.UintSize - 2)   // 4·quarterInt wraps round to 0
	bit31      = 1 << (bits.UintSize/2 - 1) // 1<<31 on 64-bit platforms
)

func wantLimitErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one mentioning %q", what, parts)
		return
	}
	prefix := "regress: " // or package data's, for its Loader's limits
	if strings.HasPrefix(err.Error(), "data: ") {
		prefix = "data: "
	}
	if strings.Count(err.Error(), prefix) != 1 || !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("%s: error %q: want one %q prefix", what, err, prefix)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not mention %q", what, err, p)
		}
	}
}

func TestNewLinearLimits(t *testing.T) {
	for _, s := range [][2]int{
		{1 << 20, 1 << 20}, {bit31, bit31}, {quarterInt, 4}, {4, quarterInt}, {halfInt, halfInt},
		{halfInt - 1, halfInt},                                      // out·in + out = 2^bits.UintSize wraps round to 0
		{math.MaxInt, 1}, {1, math.MaxInt}, {linalg.MaxElements, 1}, // the bias takes it over
	} {
		m, err := NewLinear(s[0], s[1], 1)
		wantLimitErr(t, "NewLinear", err, "NewLinear(", "linalg.MaxElements")
		if m != nil {
			t.Errorf("NewLinear(%d, %d) returned a model with its error", s[0], s[1])
		}
	}
}

func TestNewTrainerLimits(t *testing.T) {
	m, err := NewLinear(3, 1<<9, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{min(1<<40, math.MaxInt), math.MaxInt, 1<<19 + 1, math.MaxInt/512 + 1} {
		opt := must(NewSGD(SGDConfig{LR: 0.1}))
		tr, err := NewTrainer(m, MSE, opt, batch)
		wantLimitErr(t, "NewTrainer", err, "NewTrainer", "batches of", "linalg.MaxElements")
		if tr != nil {
			t.Errorf("NewTrainer(batch %d) returned a trainer with its error", batch)
		}
	}
	// A Linear made by hand whose Out·In + Out wraps round to 0, the length
	// of its (nil) parameters.
	bad := &Linear{W: linalg.Dense{Rows: halfInt, Cols: halfInt - 1, Stride: halfInt - 1}}
	_, err = NewTrainer(bad, MSE, must(NewSGD(SGDConfig{LR: 0.1})), 1)
	wantLimitErr(t, "NewTrainer of a hand-made model", err, "not made by NewLinear")
}

func TestOptimizerStateLimits(t *testing.T) {
	sgd := must(NewSGD(SGDConfig{LR: 0.1, Momentum: 0.9}))
	for _, n := range []int{-1, linalg.MaxElements + 1, math.MaxInt} {
		wantLimitErr(t, "SGD.Init", sgd.Init(n), "SGD: parameters")
	}
	adam := must(NewAdam(AdamDefaults(1e-3)))
	// 2n wraps round to a negative length (a panic in make), or is over the
	// limit though n is not.
	for _, n := range []int{-1, math.MaxInt/2 + 1, linalg.MaxElements/2 + 1, math.MaxInt} {
		wantLimitErr(t, "Adam.Init", adam.Init(n), "Adam: ")
	}
	if err := adam.Init(linalg.MaxElements / 2 / 1024); err != nil {
		t.Errorf("Adam.Init of a legal size: %v", err)
	}
}

func TestAccumulatorLimits(t *testing.T) {
	for _, tc := range []struct {
		what string
		f    func() error
		want string
	}{
		{"NewQR(-1, 1)", func() error { _, err := NewQR(-1, 1, true); return err }, "-1 inputs"},
		// The command's 100,000 columns: a 10¹⁰-value R.
		{"NewQR(100000, 1)", func() error { _, err := NewQR(100000, 1, true); return err }, "k+n ≤ 4096"},
		{"NewQR(2, MaxInt)", func() error { _, err := NewQR(2, math.MaxInt, true); return err }, "k+n ≤ 4096"},
		{"NewMetrics(-1)", func() error { _, err := NewMetrics(-1); return err }, "NewMetrics: -1 outputs"},
		{"NewMetrics(MaxInt)", func() error { _, err := NewMetrics(math.MaxInt); return err }, "linalg.MaxElements"},
		{"NewWelford(-3)", func() error { _, err := NewWelford(-3); return err }, "NewWelford: features: -3"},
		{"NewWelford(MaxElements+1)", func() error { _, err := NewWelford(linalg.MaxElements + 1); return err }, "linalg.MaxElements"},
		{"NewEarlyStop(weights -1)", func() error { _, err := NewEarlyStop(1, 0, -1, 1); return err }, "NewEarlyStop: weights"},
		{"NewEarlyStop(biases MaxInt)", func() error { _, err := NewEarlyStop(1, 0, 1, math.MaxInt); return err }, "NewEarlyStop: biases"},
	} {
		wantLimitErr(t, tc.what, tc.f(), tc.want)
	}
}

// TestNewLoaderChecksDataset: a data.Dataset's fields are exported, so data.NewLoader
// checks the shapes it sizes its buffers from (a permutation of 2^40 rows
// was a crash).
func TestNewLoaderChecksDataset(t *testing.T) {
	x := make([]float32, 4)
	for _, ds := range []*data.Dataset{
		{X: linalg.Dense{Rows: math.MaxInt, Cols: 1, Stride: 1, Data: x}, Y: linalg.Dense{Rows: math.MaxInt, Cols: 1, Stride: 1, Data: x}},
		{X: linalg.Dense{Rows: 5, Cols: 64, Stride: quarterInt - 16, Data: x}, Y: linalg.Dense{Rows: 5, Cols: 1, Stride: 1, Data: x}},
		{X: linalg.Dense{Rows: 4, Cols: 1, Stride: 1, Data: x}, Y: linalg.Dense{Rows: 3, Cols: 1, Stride: 1, Data: x}},
		{X: linalg.Dense{Rows: -4, Cols: 1, Stride: 1, Data: x}, Y: linalg.Dense{Rows: -4, Cols: 1, Stride: 1, Data: x}},
	} {
		for _, shuffle := range []bool{false, true} {
			l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 2, Shuffle: shuffle})
			wantLimitErr(t, "NewLoader", err, "NewLoader")
			if l != nil {
				t.Errorf("NewLoader of %d×%d rows returned a loader with its error", ds.X.Rows, ds.X.Cols)
			}
		}
	}
}

// TestFitHugeEpochs: Fit reserved room for cfg.Epochs losses up front, a
// panic in make for 1<<62 epochs (and gigabytes for 1<<30) when the run
// stops after one.
func TestFitHugeEpochs(t *testing.T) {
	X := mustDense(t, [][]float32{{1, 2}, {3, 4}, {5, 6}})
	Y := mustDense(t, [][]float32{{1}, {2}, {3}})
	ds := must(data.NewDataset(X, Y))
	l := must(data.NewLoader(ds, data.LoaderConfig{BatchSize: 3}))
	m := must(NewLinear(2, 1, 1))
	tr := must(NewTrainer(m, MSE, must(NewSGD(SGDConfig{LR: 1e-3})), 3))
	stop := func(EpochStats) error { return ErrStop }
	for _, epochs := range []int{math.MaxInt, quarterInt, 1 << 30} {
		hist, err := tr.Fit(context.Background(), l, FitConfig{Epochs: epochs, OnEpoch: stop})
		if err != nil || len(hist) != 1 {
			t.Errorf("Fit of %d epochs stopped after one: %d losses, %v", epochs, len(hist), err)
		}
	}
}

// TestPredictHostileStride is issue 10's case: inputs of 5 rows of 64 with
// row stride 1<<62 − 16, whose extent wraps round to 0, passed the checks,
// and the AVX2 kernels read before X.Data and wrote before Y.Data.
func TestPredictHostileStride(t *testing.T) {
	m := must(NewLinear(64, 1, 1))
	tr := must(NewTrainer(m, MSE, must(NewSGD(SGDConfig{LR: 1e-3})), 5))
	before := append([]float32(nil), m.Params()...)
	X := linalg.Dense{Rows: 5, Cols: 64, Stride: quarterInt - 16, Data: make([]float32, 320)}
	Y := must(linalg.New(5, 1))
	for i := range Y.Data {
		Y.Data[i] = 42
	}
	wantErrParts(t, "Predict", m.Predict(Y, X), "X is 5×64", "overflows int")
	// Outputs whose extent wraps round to 1: (5−1)·quarterInt + 1.
	good := must(linalg.New(5, 64))
	Yw := linalg.Dense{Rows: 5, Cols: 1, Stride: quarterInt, Data: Y.Data[:1]}
	wantErrParts(t, "Predict", m.Predict(Yw, good), "Y is 5×1", "overflows int")
	for _, v := range Y.Data {
		if v != 42 {
			t.Fatalf("Predict wrote %v into Y before failing", v)
		}
	}
	_, err := tr.Step(X, Y)
	wantErrParts(t, "Step", err, "inputs is 5×64", "overflows int")
	_, err = tr.Step(good, Yw)
	wantErrParts(t, "Step", err, "targets is 5×1", "overflows int")
	for i, v := range m.Params() {
		if v != before[i] {
			t.Fatalf("a failed Step changed parameter %d", i)
		}
	}
}

// wantErrParts: err mentions every part (Predict and Step pass the linalg
// error on as it is).
func wantErrParts(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want one mentioning %q", what, parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not mention %q", what, err, p)
		}
	}
}
