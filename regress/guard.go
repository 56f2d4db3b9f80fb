package regress

import (
	"errors"
	"fmt"
	"math"
)

// The divergence rule, the one Fit and Guard apply after every epoch: an
// epoch diverged when its loss is NaN or Inf, when a parameter became NaN or
// Inf, or when its loss is over a limit times the lowest epoch loss so far.
// The limit is Guard.Limit under a guard, where a false alarm costs one
// retried epoch, and plainLimit without one, where it would end the run (a
// fit at its noise floor may wobble by orders of magnitude).
const plainLimit = 1e6

// growth holds what the rule compares an epoch's loss with.
type growth struct {
	best float64 // the lowest good epoch loss; +Inf before any
}

func newGrowth() growth { return growth{best: math.Inf(1)} }

// check applies the rule to an epoch's loss and the parameters after it: a
// *DivergedError naming the epoch, or nil, the loss then taken into account.
func (g *growth) check(epoch int, loss float32, limit float64, params []float32) *DivergedError {
	l := float64(loss)
	if !finite(loss) {
		return &DivergedError{Epoch: epoch, Loss: loss}
	}
	if l > limit*g.best && l > 0 {
		return &DivergedError{Epoch: epoch, Loss: loss, Reason: fmt.Sprintf("loss %v, over %g times the lowest so far, %v", loss, limit, float32(g.best))}
	}
	if j := nonFinite(params); j >= 0 {
		return &DivergedError{Epoch: epoch, Loss: loss, Reason: fmt.Sprintf("parameter %d became %v", j, params[j])}
	}
	g.best = min(g.best, l)
	return nil
}

// epochError names the epoch in the error an epoch returned, if it is a
// *DivergedError or an *OverflowError that names none, and reports whether
// it is a divergence.
func epochError(err error, epoch int) (*DivergedError, bool) {
	var d *DivergedError
	if !errors.As(err, &d) {
		overflowEpoch(err, epoch)
		return nil, false
	}
	if d.Epoch == 0 {
		d.Epoch = epoch
	}
	return d, true
}

func nonFinite(p []float32) int {
	for i, v := range p {
		if !finite(v) {
			return i
		}
	}
	return -1
}

// Guard rolls a diverged epoch back and halves the rate (FitConfig.Guard).
type Guard struct {
	Limit        float64 // the divergence rule's limit
	MaxRollbacks int     // then the next divergence is Fit's error
	rollbacks    int     // rollbacks so far: Rollbacks

	t         *Trainer
	last      Snapshot // the state at the start of the epoch just run
	bestStart Snapshot // the state at the start of the epoch with the lowest loss
	rule      growth
}

// NewGuard returns a guard for t, which it snapshots: make it just before Fit.
func NewGuard(t *Trainer, maxRollbacks int) (*Guard, error) {
	if t == nil || t.model == nil || t.opt == nil {
		return nil, errors.New("regress: NewGuard: nil trainer (or one not made by NewTrainer)")
	}
	if maxRollbacks < 0 {
		return nil, fmt.Errorf("regress: NewGuard: %d rollbacks: want at least 0", maxRollbacks)
	}
	g := &Guard{Limit: 100, MaxRollbacks: maxRollbacks, t: t, rule: newGrowth()}
	if err := t.Snapshot(&g.last); err != nil {
		return nil, err
	}
	if err := t.Snapshot(&g.bestStart); err != nil {
		return nil, err
	}
	return g, nil
}

// after takes an epoch's loss and error (nil if none). If the epoch diverged
// and a rollback is left, it rolls back and reports retry: run the epoch
// again. A divergence with no rollback left, or another error, is returned. It
// allocates nothing for a good epoch.
func (g *Guard) after(epoch int, loss float32, err error) (retry bool, _ error) {
	var d *DivergedError
	if err != nil {
		// Only here: errors.As's target escapes, and a good epoch must not
		// allocate.
		var diverged bool
		if d, diverged = epochError(err, epoch); !diverged {
			return false, err // rolling back cannot help
		}
	} else {
		improved := float64(loss) <= g.rule.best
		if d = g.rule.check(epoch, loss, g.Limit, g.t.model.params); d == nil {
			// Keep the state the best epoch started from: a run that is
			// starting to diverge can do so within one epoch, so even the
			// best epoch's end state may be the start of the blow-up.
			if improved {
				g.bestStart, g.last = g.last, g.bestStart
			}
			return false, g.t.Snapshot(&g.last)
		}
	}
	if g.rollbacks >= g.MaxRollbacks {
		return false, d
	}
	if err := g.t.Restore(&g.bestStart); err != nil {
		return false, err
	}
	if err := g.t.Snapshot(&g.last); err != nil {
		return false, err
	}
	if err := g.t.opt.SetLR(g.t.opt.LR() / 2); err != nil {
		return false, err
	}
	g.rollbacks++
	return true, nil
}

// Rollbacks returns the number of rollbacks so far.
func (g *Guard) Rollbacks() int { return g.rollbacks }
