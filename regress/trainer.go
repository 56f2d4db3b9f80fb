package regress

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// Trainer trains one Linear model with one loss and one optimiser, the
// tutorial's fit(num_epochs, model, loss_fn, opt, train_dl). NewTrainer
// allocates every buffer; Step, Epoch, Fit (apart from its history) and
// Evaluate allocate nothing.
//
// A large batch's step is shared by the trainer's workers (see SetWorkers),
// goroutines kept until Close.
//
// A Trainer is not safe for concurrent use, and the model must not be used
// for prediction from other goroutines while it trains.
type Trainer struct {
	Model *Linear
	Loss  Loss
	Opt   Optimizer

	maxBatch int
	grad     []float32 // ∂L/∂W row by row then ∂L/∂b (if any), laid out as Model.Params
	path     path      // which Backward implementation; auto in normal use

	// The data-parallel work (parallel.go): the job the team shares, the
	// team (nil with one worker), how many workers and whether by default.
	job     *job
	team    *team
	cleanup runtime.Cleanup
	workers int
	auto    bool
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

// NewTrainer returns a trainer for batches of at most maxBatch rows (a
// Loader's BatchSize); maxBatch×Out must fit in linalg.MaxElements values.
// Init is called on opt, which then belongs to this trainer: an SGD or Adam
// already given to another trainer is refused.
func NewTrainer(m *Linear, loss Loss, opt Optimizer, maxBatch int) (*Trainer, error) {
	if m == nil || opt == nil || opt == (*SGD)(nil) || opt == (*Adam)(nil) {
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
	if err := opt.Init(len(m.params)); err != nil {
		return nil, err
	}
	t := &Trainer{Model: m, Loss: loss, Opt: opt, maxBatch: maxBatch}
	t.grad = make([]float32, len(m.params))
	t.job = &job{grads: [][]float32{t.grad}}
	t.job.p, _ = linalg.New(maxBatch, m.Out())
	t.SetWorkers(0)
	if cl != nil {
		cl.claim(t)
	}
	return t, nil
}

// MaxBatch is the largest batch Step accepts.
func (t *Trainer) MaxBatch() int { return t.maxBatch }

// Gradients returns the gradient of the last Step or Backward, laid out as
// Model.Params (∂L/∂W row by row, then ∂L/∂b if the model has a bias): what
// w.grad and b.grad hold after loss.backward(). It shares the trainer's
// storage.
func (t *Trainer) Gradients() []float32 { return t.grad }

// ErrStop, returned by FitConfig.OnEpoch, ends Fit early without an error
// (early stopping).
var ErrStop = errors.New("regress: stop training")

// EpochStats describes one finished epoch.
type EpochStats struct {
	Epoch   int // 1-based
	Epochs  int // as asked of Fit (0 outside Fit)
	Batches int
	// Loss is the loss over all the epoch's rows as they were trained on
	// (each batch's loss measured before its update): for MSE, the sum of
	// squared errors over all batches divided by the number of elements.
	Loss float32
	// LastBatchLoss is the loss of the epoch's last batch, what the
	// tutorial's fit prints.
	LastBatchLoss float32
}

// FitConfig configures Fit.
type FitConfig struct {
	Epochs int // > 0
	// Every and Progress: Progress is called after every Every-th epoch
	// and after the last (only after the last if Every ≤ 0), as the
	// tutorial prints its loss every 10 epochs.
	Every    int
	Progress func(EpochStats)
	// OnEpoch, if set, is called after every epoch, after Progress. It may
	// change the learning rate, evaluate on validation data, take a
	// Snapshot; returning ErrStop ends Fit successfully, any other error
	// ends it with that error.
	OnEpoch func(EpochStats) error
	// GrowthLimit is how many times the lowest epoch loss so far an epoch
	// loss may reach, while also above the first epoch's, before training is
	// declared divergent; 0 means 1e6.
	GrowthLimit float64
}

// Fit trains for cfg.Epochs epochs over l and returns the loss of every epoch
// run (EpochStats.Loss). It stops early, returning the history so far, when
// ctx is cancelled (with ctx's error), when OnEpoch returns ErrStop (with no
// error) or another error, or when training diverges (a *DivergedError naming
// the epoch). The history is its only allocation.
func (t *Trainer) Fit(ctx context.Context, l *data.Loader, cfg FitConfig) ([]float32, error) {
	if cfg.Epochs <= 0 {
		return nil, fmt.Errorf("regress: Fit: %d epochs: want at least 1", cfg.Epochs)
	}
	if l == nil || ctx == nil {
		return nil, errors.New("regress: Fit: nil loader or context")
	}
	if math.IsNaN(cfg.GrowthLimit) || math.IsInf(cfg.GrowthLimit, 0) {
		return nil, fmt.Errorf("regress: Fit: growth limit %v: want a finite number (0 for the default)", cfg.GrowthLimit)
	}
	if l.BatchSize() > t.maxBatch {
		return nil, fmt.Errorf("regress: Fit: the loader's batches have %d rows, the trainer was made for at most %d", l.BatchSize(), t.maxBatch)
	}
	limit := cfg.GrowthLimit
	if limit <= 0 {
		limit = 1e6
	}
	// Room for the history up to a bound: Epochs may be far more than the
	// run will reach (a cancellation, ErrStop), and too many to allocate.
	hist := make([]float32, 0, min(cfg.Epochs, 1<<16))
	best := math.Inf(1)
	for e := 1; e <= cfg.Epochs; e++ {
		st, err := t.Epoch(ctx, l)
		if err != nil {
			var d *DivergedError
			if errors.As(err, &d) {
				d.Epoch = e
			}
			overflowEpoch(err, e)
			return hist, err
		}
		st.Epoch, st.Epochs = e, cfg.Epochs
		if !finite(st.Loss) {
			return hist, &DivergedError{Epoch: e, Loss: st.Loss}
		}
		// Growth counts as divergence only past the first epoch's loss too,
		// so that a fit that reached ~0 may wobble by orders of magnitude.
		if float64(st.Loss) > limit*best && (len(hist) == 0 || st.Loss > hist[0]) {
			return hist, &DivergedError{Epoch: e, Loss: st.Loss, Reason: fmt.Sprintf("loss %v, over %g times the lowest so far, %v", st.Loss, limit, float32(best))}
		}
		best = min(best, float64(st.Loss))
		if j := nonFinite(t.Model.params); j >= 0 {
			return hist, &DivergedError{Epoch: e, Loss: st.Loss, Reason: fmt.Sprintf("parameter %d became %v", j, t.Model.params[j])}
		}
		hist = append(hist, st.Loss)
		if cfg.Progress != nil && ((cfg.Every > 0 && e%cfg.Every == 0) || e == cfg.Epochs) {
			cfg.Progress(st)
		}
		if cfg.OnEpoch != nil {
			if err := cfg.OnEpoch(st); err != nil {
				if errors.Is(err, ErrStop) {
					return hist, nil
				}
				return hist, err
			}
		}
	}
	return hist, nil
}

func nonFinite(p []float32) int {
	for i, v := range p {
		if !finite(v) {
			return i
		}
	}
	return -1
}
