package regress

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/internal/batches"
)

// Trainer trains a Linear, the tutorial's fit. NewTrainer allocates every
// buffer; Step, Epoch, Fit's epochs and Evaluate allocate nothing. It is not
// safe for concurrent use, nor is its model for Predict while it trains.
type Trainer struct {
	model *Linear
	loss  Loss
	opt   Optimizer

	maxBatch int
	grad     []float32 // ∂L/∂W row by row then ∂L/∂b (if any), laid out as Linear.Params
	path     path      // which Backward implementation; auto in normal use

	// The data-parallel work (parallel.go): the job the team shares, the
	// team (nil with one worker), how many workers and whether by default.
	job     *job
	team    *team
	cleanup runtime.Cleanup
	workers int
	auto    bool

	fit fitRun // Fit's state
}

// path chooses between Backward's two implementations; tests force each.
type path int

const (
	pathAuto    path = iota // fused when the batch's work is at most fusedMaxWork
	pathFused               // one fused Go pass over the rows
	pathKernels             // the root package's kernels
)

// fusedMaxWork bounds Rows·In·Out, the multiply-adds of a batch's forward
// pass, for the fused path. For so little work (the crop data's 5-row batch
// of a 3→2 model is 30) the five kernel calls of the general path cost more
// in argument checks, dispatch and loop set-up than their arithmetic, and one
// fused pass over the rows, with the model and its gradient in a few cache
// lines, does the step in under 100 ns. Past it the SIMD kernels win.
// Measured on this machine with the AVX2 kernels: the fused pass is about
// twice as fast for 3→2 at 16 rows (work 96) and for 8→4 at 5 rows (160);
// the kernels are about three times as fast for 3→2 at 64 rows (384) and for
// 8→4 at 16 rows (512).
const fusedMaxWork = 256

// NewTrainer returns a trainer for batches of at most maxBatch rows; opt then
// belongs to it (one that another trainer has is refused).
func NewTrainer(m *Linear, loss Loss, opt Optimizer, maxBatch int) (*Trainer, error) {
	if m == nil || opt == nil || opt == (*sgd)(nil) || opt == (*adam)(nil) {
		return nil, errors.New("regress: NewTrainer: model and optimiser must not be nil")
	}
	if err := m.valid("NewTrainer"); err != nil {
		return nil, err
	}
	cl, _ := opt.(claimer)
	if cl != nil && cl.owned() {
		return nil, errors.New("regress: NewTrainer: the optimiser belongs to another trainer: make one optimiser per trainer")
	}
	if err := loss.check(); err != nil {
		return nil, err
	}
	if maxBatch <= 0 {
		return nil, fmt.Errorf("regress: NewTrainer: batch size %d: want at least 1", maxBatch)
	}
	if !fits(maxBatch, m.Out()) {
		return nil, tooLarge("NewTrainer", fmt.Sprintf("predictions for batches of %d rows", maxBatch), maxBatch, m.Out())
	}
	if !fits(maxBatch, m.In()) {
		return nil, tooLarge("NewTrainer", fmt.Sprintf("standardised batches of %d rows", maxBatch), maxBatch, m.In())
	}
	t := &Trainer{model: m, loss: loss, opt: opt, maxBatch: maxBatch}
	t.job = &job{}
	if err := t.checkStd("NewTrainer"); err != nil {
		return nil, err
	}
	if err := opt.Init(len(m.params)); err != nil {
		return nil, err
	}
	t.grad = make([]float32, len(m.params))
	t.job.grads = [][]float32{t.grad}
	t.job.p, _ = linalg.New(maxBatch, m.Out())
	t.job.ident = batches.Ident(min(maxBatch, batches.MaxPrefetchRows))
	t.SetWorkers(0)
	if cl != nil {
		cl.claim(t)
	}
	return t, nil
}

// checkStd returns an error unless the model's Std, if any, fits it, and
// makes the buffer batches are standardised into the first time.
func (t *Trainer) checkStd(op string) error {
	s := t.model.Std
	if s == nil {
		return nil
	}
	if err := s.check(op, t.model.In()); err != nil {
		return err
	}
	if t.job.xs.Data == nil {
		t.job.xs, _ = linalg.New(t.maxBatch, t.model.In())
	}
	return nil
}

// standardized returns the rows X standardised by std into rows lo… of buf,
// or X itself when std is nil.
func standardized(std *Standardizer, buf, X linalg.Dense, lo int) (linalg.Dense, error) {
	if std == nil {
		return X, nil
	}
	S := buf.Slice(lo, lo+X.Rows)
	return S, std.apply(S, X)
}

// Gradients returns the last gradient, laid out as Params: what w.grad and
// b.grad hold after the tutorial's loss.backward(). Not a copy.
func (t *Trainer) Gradients() []float32 { return t.grad }
