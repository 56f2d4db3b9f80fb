package regress

import (
	"context"
	"errors"
	"fmt"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// ErrStop, from FitConfig.OnEpoch, ends Fit early without an error.
var ErrStop = errors.New("regress: stop training")

// EpochStats describes an epoch, finished or (OnPart) so far.
type EpochStats struct {
	Epoch, Epochs int // from 1; Fit's cfg.Epochs (0 outside Fit)
	Batches, Rows int
	Loss          float32 // over the epoch's rows, each batch's before its step
	LastBatchLoss float32 // what the tutorial's fit prints
	RolledBack    bool    // diverged: the Guard rolled it back, to run again
}

// FitConfig is Fit's number of epochs and optional hooks.
type FitConfig struct {
	Epochs    int         // > 0
	Schedule  Schedule    // from the optimiser's rate, halved per rollback; nil keeps it
	Guard     *Guard      // nil: the first divergence ends Fit
	EarlyStop *EarlyStop  // judges the loss over Val after every epoch
	Val       data.Chunks // validation rows (raw, as the training rows)
	Every     int         // Progress after every Every-th epoch and the last
	Progress  func(EpochStats)
	OnPart    func(EpochStats)       // after each part (chunk) of an epoch
	OnEpoch   func(EpochStats) error // after every epoch: ErrStop ends Fit
}

// Fit trains for cfg.Epochs passes over src and returns the epochs' losses,
// stopping early on ctx, ErrStop, EarlyStop or a *DivergedError.
func (t *Trainer) Fit(ctx context.Context, src data.Source, cfg FitConfig) ([]float32, error) {
	if err := t.checkFit(ctx, src, &cfg); err != nil {
		return nil, err
	}
	r := &t.fit
	if r.part == nil { // made once per trainer, not per Fit or epoch
		r.t, r.part, r.valChunk = t, r.onPart, r.onValChunk
	}
	r.ctx, r.cfg, r.lr0, r.scale, r.rule = ctx, cfg, t.opt.LR(), 1, newGrowth()
	defer func() { r.ctx, r.cfg = nil, FitConfig{} }() // hold nothing of the caller's
	// Room for the history up to a bound: Epochs may be far more than the
	// run will reach (a cancellation, ErrStop), and too many to allocate.
	hist := make([]float32, 0, min(cfg.Epochs, 1<<16))
	for e := 1; e <= cfg.Epochs; e++ {
		st, retry, err := r.epoch(src, e)
		if err != nil {
			return hist, err
		}
		stop := false
		if !retry {
			hist = append(hist, st.Loss)
			if stop, err = r.earlyStop(e); err != nil {
				return hist, err
			}
			if cfg.Progress != nil && ((cfg.Every > 0 && e%cfg.Every == 0) || e == cfg.Epochs) {
				cfg.Progress(st)
			}
		}
		if cfg.OnEpoch != nil {
			if err := cfg.OnEpoch(st); errors.Is(err, ErrStop) {
				stop = true
			} else if err != nil {
				return hist, err
			}
		}
		if stop {
			break
		}
		if retry {
			e--
		}
	}
	if es := cfg.EarlyStop; es != nil && es.BestEpoch >= 0 {
		if err := es.copyBest(t.model.W.Data, t.model.B); err != nil {
			return hist, err
		}
	}
	return hist, nil
}

// checkFit returns an error unless Fit can run with these arguments.
func (t *Trainer) checkFit(ctx context.Context, src data.Source, cfg *FitConfig) error {
	if cfg.Epochs <= 0 {
		return fmt.Errorf("regress: Fit: %d epochs: want at least 1", cfg.Epochs)
	}
	if src == nil || ctx == nil {
		return errors.New("regress: Fit: nil source (loader) or context")
	}
	if cfg.Guard != nil && cfg.Guard.t != t {
		return errors.New("regress: Fit: the guard was made for another trainer")
	}
	if es := cfg.EarlyStop; es != nil {
		if cfg.Val == nil {
			return errors.New("regress: Fit: early stopping without validation rows (Val)")
		}
		if len(es.w) != len(t.model.W.Data) || len(es.b) != len(t.model.B) {
			return fmt.Errorf("regress: Fit: early stopping made for %d weights and %d biases, the model has %d and %d", len(es.w), len(es.b), len(t.model.W.Data), len(t.model.B))
		}
	}
	return nil
}

// fitRun is the state of a Fit, kept in its Trainer.
type fitRun struct {
	t          *Trainer
	ctx        context.Context
	cfg        FitConfig
	lr0, scale float64 // the rate when Fit began; the rollbacks' factor
	rule       growth  // the divergence rule without a guard
	sum        epochSum

	part     func(*data.Loader) error
	valChunk func(X, Y linalg.Dense) error
	valSum   float64
	valRows  int
}

// epoch runs epoch e over src and judges it: its statistics, and whether the
// guard rolled it back (to be run again), or the error that ends Fit.
func (r *fitRun) epoch(src data.Source, e int) (EpochStats, bool, error) {
	t, cfg := r.t, &r.cfg
	if cfg.Schedule != nil {
		if err := t.opt.SetLR(cfg.Schedule.LR(r.lr0, e-1) * r.scale); err != nil {
			return EpochStats{}, false, err
		}
	}
	r.sum = epochSum{st: EpochStats{Epoch: e, Epochs: cfg.Epochs}}
	err := src.Pass(r.part)
	if err == nil && r.sum.elems == 0 {
		err = errors.New("regress: Fit: the source holds no rows")
	}
	st := r.sum.st
	st.Loss = t.loss.fromSum(float32(r.sum.sq), r.sum.elems)
	if err != nil {
		if d, ok := epochError(err, e); ok {
			st.Loss = d.Loss
		}
	}
	if g := cfg.Guard; g != nil {
		retry, err := g.after(e, st.Loss, err)
		if retry {
			r.scale /= 2
			st.RolledBack = true
		}
		return st, retry, err
	}
	if err != nil {
		return st, false, err
	}
	if d := r.rule.check(e, st.Loss, plainLimit, t.model.params); d != nil {
		return st, false, d
	}
	return st, false, nil
}

// onPart trains one part of an epoch.
func (r *fitRun) onPart(l *data.Loader) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if l != nil && l.BatchSize() > r.t.maxBatch {
		return fmt.Errorf("regress: Fit: the loader's batches have %d rows, the trainer was made for at most %d", l.BatchSize(), r.t.maxBatch)
	}
	if err := r.t.epoch(r.ctx, l, &r.sum); err != nil {
		return err
	}
	if r.cfg.OnPart != nil {
		st := r.sum.st
		st.Loss = r.t.loss.fromSum(float32(r.sum.sq), r.sum.elems)
		r.cfg.OnPart(st)
	}
	return nil
}

// earlyStop gives EarlyStop the loss over the validation rows after epoch e
// and returns whether to stop.
func (r *fitRun) earlyStop(e int) (bool, error) {
	es := r.cfg.EarlyStop
	if es == nil {
		return false, nil
	}
	r.valSum, r.valRows = 0, 0
	if err := r.cfg.Val(r.valChunk); err != nil {
		return false, err
	}
	if r.valRows == 0 {
		return false, errors.New("regress: Fit: no validation rows")
	}
	loss := r.valSum
	if r.t.loss == MSE {
		loss /= float64(r.valRows)
	}
	return es.observe(e, float64(float32(loss)), r.t.model.W.Data, r.t.model.B)
}

// onValChunk adds the loss over one chunk of validation rows: weighted by
// rows for the mean, summed for the sum.
func (r *fitRun) onValChunk(X, Y linalg.Dense) error {
	if X.Rows == 0 {
		return nil
	}
	l, err := r.t.Evaluate(X, Y)
	if err != nil {
		return err
	}
	if r.t.loss == MSE {
		r.valSum += float64(l) * float64(X.Rows)
	} else {
		r.valSum += float64(l)
	}
	r.valRows += X.Rows
	return nil
}
