package regress

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/linalg"
)

// Trainer trains one Linear model with one loss and one optimiser, the
// tutorial's fit(num_epochs, model, loss_fn, opt, train_dl). NewTrainer
// allocates every buffer; Step, Epoch, Fit (apart from its history) and
// Evaluate allocate nothing.
//
// A Trainer is not safe for concurrent use, and the model must not be used
// for prediction from other goroutines while it trains.
type Trainer struct {
	Model *Linear
	Loss  Loss
	Opt   Optimizer

	maxBatch int
	p        linalg.Dense // maxBatch×Out: predictions, then residuals in place
	p2       linalg.Dense // the same for the worker's steps in a relay epoch
	grad     []float32    // ∂L/∂W row by row then ∂L/∂b, laid out as Model.Params
	gW       linalg.Dense // view of grad
	gb       []float32    // view of grad
	path     path         // which Backward implementation; auto in normal use
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
	in, out := m.In(), m.Out()
	t := &Trainer{Model: m, Loss: loss, Opt: opt, maxBatch: maxBatch}
	t.p, _ = linalg.New(maxBatch, out)
	t.p2, _ = linalg.New(maxBatch, out)
	t.grad = make([]float32, len(m.params))
	t.gW = linalg.Dense{Rows: out, Cols: in, Stride: in, Data: t.grad[: out*in : out*in]}
	t.gb = t.grad[out*in:]
	if cl != nil {
		cl.claim(t)
	}
	return t, nil
}

// MaxBatch is the largest batch Step accepts.
func (t *Trainer) MaxBatch() int { return t.maxBatch }

// Gradients returns the gradient of the last Step or Backward, laid out as
// Model.Params (∂L/∂W row by row, then ∂L/∂b): what w.grad and b.grad hold
// after loss.backward(). It shares the trainer's storage.
func (t *Trainer) Gradients() []float32 { return t.grad }

// Backward computes the loss of the model on one batch and its gradients
// (see Gradients) without updating the model: loss = loss_fn(model(X), Y);
// loss.backward().
func (t *Trainer) Backward(X, Y linalg.Dense) (float32, error) {
	return t.backward(X, Y, t.p)
}

// backward is Backward with the predictions in p (maxBatch×Out).
func (t *Trainer) backward(X, Y, p linalg.Dense) (float32, error) {
	m := t.Model
	if X.Cols != m.In() || Y.Cols != m.Out() || X.Rows != Y.Rows {
		return 0, fmt.Errorf("regress: batch of %d×%d inputs and %d×%d targets for a %d→%d model: want one target row per input row, %d input and %d target columns", X.Rows, X.Cols, Y.Rows, Y.Cols, m.In(), m.Out(), m.In(), m.Out())
	}
	if X.Rows == 0 {
		return 0, errors.New("regress: empty batch")
	}
	if X.Rows > t.maxBatch {
		return 0, fmt.Errorf("regress: batch of %d rows, the trainer was made for at most %d", X.Rows, t.maxBatch)
	}
	if err := X.Check("Step", "inputs"); err != nil {
		return 0, err
	}
	if err := Y.Check("Step", "targets"); err != nil {
		return 0, err
	}
	n := X.Rows * Y.Cols
	if t.path == pathFused || (t.path == pathAuto && X.Rows*m.In()*m.Out() <= fusedMaxWork) {
		sq := t.backwardTiny(X, Y, t.Loss.gradScale(n))
		return t.Loss.fromSum(sq, n), nil
	}
	P := p.Slice(0, X.Rows)
	// Y = X·Wᵀ + b, then the residuals R = P − T in place of P.
	edgefit.MatMulBias(X.Rows, m.Out(), m.In(), X.Data, X.Stride, m.W.Data, m.W.Stride, m.B, P.Data, P.Stride)
	var sq float32
	if Y.Contiguous() {
		sq = edgefit.SqErr(P.Data[:n], P.Data[:n], Y.Data[:n])
	} else {
		for i := 0; i < Y.Rows; i++ {
			sq += edgefit.SqErr(P.Row(i), P.Row(i), Y.Row(i))
		}
	}
	// ∂L/∂P = α·R; ∂L/∂W = (∂L/∂P)ᵀ·X and ∂L/∂b = column sums of ∂L/∂P,
	// with α folded into the kernels.
	alpha := t.Loss.gradScale(n)
	edgefit.GradW(X.Rows, m.Out(), m.In(), alpha, P.Data, P.Stride, X.Data, X.Stride, 0, t.gW.Data, t.gW.Stride)
	edgefit.ColSums(X.Rows, m.Out(), alpha, P.Data, P.Stride, 0, t.gb)
	return t.Loss.fromSum(sq, n), nil
}

// backwardTiny is Backward fused into one pass over the rows: per row the
// forward pass, residual, loss and both gradients, then one scaling by α.
// The bias is added first, as torch.addmm(b, X, Wᵀ) does.
func (t *Trainer) backwardTiny(X, Y linalg.Dense, alpha float32) float32 {
	m := t.Model
	in, out := m.In(), m.Out()
	W, b := m.W.Data[:in*out], m.B[:out]
	g := t.grad[: in*out+out : in*out+out]
	gW, gb := g[:in*out], g[in*out:]
	clear(g)
	xs, ys := X.Data, Y.Data
	var sq float32
	for i := 0; i < X.Rows; i++ {
		x := xs[i*X.Stride:][:in]
		y := ys[i*Y.Stride:][:out]
		for j, bj := range b {
			w := W[j*in:][:in]
			s := bj
			for k, xv := range x {
				s += xv * w[k]
			}
			r := s - y[j]
			sq += r * r
			gb[j] += r
			gj := gW[j*in:][:in]
			for k, xv := range x {
				gj[k] += r * xv
			}
		}
	}
	for i := range g {
		g[i] *= alpha
	}
	return sq
}

// Step trains on one batch, the body of the tutorial's loop:
//
//	loss = loss_fn(model(xb), yb); loss.backward(); opt.step(); opt.zero_grad()
//
// and returns the batch's loss (before the update). If the loss is NaN or
// Inf the model is left untouched and the error is a *DivergedError (or names
// the row and column of a NaN or Inf in the batch, if that is the cause, or is
// an *OverflowError if the targets are too large to square in float32).
func (t *Trainer) Step(X, Y linalg.Dense) (float32, error) {
	return t.step(X, Y, t.p)
}

// step is Step with the predictions in p.
func (t *Trainer) step(X, Y, p linalg.Dense) (float32, error) {
	loss, err := t.backward(X, Y, p)
	if err != nil {
		return loss, err
	}
	if !finite(loss) {
		return loss, t.badLoss(X, Y, loss, 0)
	}
	if err := t.Opt.Step(t.Model.params, t.grad); err != nil {
		return loss, err
	}
	return loss, nil
}

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

// Epoch trains on every batch of one epoch of l (calling l.Reset first) and
// returns its statistics (Epoch and Epochs left 0). It checks ctx between
// batches. It allocates nothing.
func (t *Trainer) Epoch(ctx context.Context, l *Loader) (EpochStats, error) {
	var st EpochStats
	if l == nil || ctx == nil {
		return st, errors.New("regress: Epoch: nil loader or context")
	}
	if err := l.reset(l.ahead == nil); err != nil {
		return st, err
	}
	if a := l.ahead; a != nil {
		// With a worker, the epoch runs as a relay (each batch trained on
		// by the goroutine that gathered it) or in this goroutine alone,
		// whichever has been faster lately.
		relay := a.mode.choose()
		start := time.Now()
		var st EpochStats
		var err error
		if relay {
			st, err = a.relay.epoch(ctx, t, l)
		} else {
			a.off = true // Next gathers here, posting nothing
			st, err = t.epoch(ctx, l)
			a.off = false
		}
		if err == nil {
			a.mode.record(relay, time.Since(start), l.ds.Len())
		}
		return st, err
	}
	return t.epoch(ctx, l)
}

// epoch trains on the batches l.Next yields, after Reset.
func (t *Trainer) epoch(ctx context.Context, l *Loader) (EpochStats, error) {
	var st EpochStats
	done := ctx.Done()
	var sq float64
	var elems int
	for {
		select {
		case <-done:
			return st, ctx.Err()
		default:
		}
		X, Y, ok := l.Next()
		if !ok {
			break
		}
		loss, err := t.Step(X, Y)
		if err != nil {
			return st, err
		}
		n := X.Rows * Y.Cols
		// Back to Σ(P−T)² so that batches of different sizes weigh by rows.
		sq += float64(loss) / float64(t.Loss.scale(n))
		elems += n
		st.Batches++
		st.LastBatchLoss = loss
	}
	st.Loss = t.Loss.fromSum(float32(sq), elems)
	return st, nil
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
func (t *Trainer) Fit(ctx context.Context, l *Loader, cfg FitConfig) ([]float32, error) {
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
