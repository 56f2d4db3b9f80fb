package regress

import (
	"errors"
	"fmt"
	"math"
)

// Guard is the divergence guard: rather than only stopping with a
// *DivergedError when the loss blows up, it puts back the parameters and
// optimiser state of the last good epoch and halves the learning rate, so
// that a learning rate slightly too large costs a retried epoch instead of
// the whole run. It works with any epoch loop: take the first snapshot with
// NewGuard, then call After once per epoch.
type Guard struct {
	// Limit is how many times the lowest epoch loss so far an epoch loss
	// may reach before it counts as divergence (a NaN or Inf loss always
	// does).
	Limit float64
	// MaxRollbacks bounds the retries; the next divergence is returned as
	// the error.
	MaxRollbacks int
	Rollbacks    int // rollbacks so far

	t         *Trainer
	last      Snapshot // the state at the start of the epoch just run
	bestStart Snapshot // the state at the start of the epoch with the lowest loss
	best      float64
}

// NewGuard returns a guard for t that allows maxRollbacks rollbacks, with a
// growth limit of 100 times the best loss; it snapshots t's current state,
// allocating the snapshot's buffers once. A nil trainer or a negative
// maxRollbacks is an error.
func NewGuard(t *Trainer, maxRollbacks int) (*Guard, error) {
	if t == nil || t.Model == nil || t.Opt == nil {
		return nil, errors.New("regress: NewGuard: nil trainer (or one not made by NewTrainer)")
	}
	if maxRollbacks < 0 {
		return nil, fmt.Errorf("regress: NewGuard: %d rollbacks: want at least 0", maxRollbacks)
	}
	g := &Guard{Limit: 100, MaxRollbacks: maxRollbacks, t: t, best: math.Inf(1)}
	if err := t.Snapshot(&g.last); err != nil {
		return nil, err
	}
	if err := t.Snapshot(&g.bestStart); err != nil {
		return nil, err
	}
	return g, nil
}

// After is called after every epoch with the epoch's loss and the error the
// epoch returned (nil if none). If the epoch diverged and a rollback is left,
// it restores the state from which the epoch with the lowest loss so far
// started, halves the learning rate and reports retry; the caller runs the
// epoch again. A divergence with no rollback left,
// or any other error, is returned. Otherwise the epoch's state becomes the
// last good one. After allocates nothing.
func (g *Guard) After(epoch int, loss float32, err error) (retry bool, _ error) {
	var d *DivergedError
	diverged := false
	if err != nil {
		// Only here: errors.As's target escapes, and a good epoch must not
		// allocate.
		if d, diverged = asDiverged(err); !diverged {
			overflowEpoch(err, epoch) // rolling back cannot help
			return false, err
		}
	}
	l := float64(loss)
	if !diverged && (math.IsNaN(l) || math.IsInf(l, 0) || (l > g.Limit*g.best && l > 0) || nonFinite(g.t.Model.params) >= 0) {
		diverged = true
		d = &DivergedError{Epoch: epoch, Loss: loss}
		if l > g.Limit*g.best {
			d.Reason = fmt.Sprintf("loss %v, over %g times the lowest so far, %v", loss, g.Limit, float32(g.best))
		}
	}
	if !diverged {
		// Keep the state the best epoch started from: a run that is
		// starting to diverge can do so within one epoch, so even the
		// best epoch's end state may be the start of the blow-up.
		if l <= g.best {
			g.best = l
			g.bestStart, g.last = g.last, g.bestStart
		}
		return false, g.t.Snapshot(&g.last)
	}
	if d.Epoch == 0 {
		d.Epoch = epoch
	}
	if g.Rollbacks >= g.MaxRollbacks {
		return false, d
	}
	if err := g.t.Restore(&g.bestStart); err != nil {
		return false, err
	}
	if err := g.t.Snapshot(&g.last); err != nil {
		return false, err
	}
	if err := g.t.Opt.SetLR(g.t.Opt.LR() / 2); err != nil {
		return false, err
	}
	g.Rollbacks++
	return true, nil
}

func asDiverged(err error) (*DivergedError, bool) {
	var d *DivergedError
	ok := errors.As(err, &d)
	return d, ok
}
