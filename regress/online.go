package regress

import (
	"errors"
	"fmt"
	"math"

	"github.com/edgefit/edgefit/linalg"
)

// Online trains a model from samples as they arrive, one at a time, as a
// sensor stream delivers them: PartialFit is one optimiser step on one
// example (scikit-learn's partial_fit), standardised with a fixed
// Standardizer if one is given. It allocates nothing after NewOnline
// (publishing aside).
//
// PartialFit writes the model given to NewOnline in place: that model is the
// trainer's own, and predicting with it while PartialFit runs in another
// goroutine is a data race. To serve predictions while learning, publish
// copies (PublishTo): the trainer keeps training its model and hands a
// snapshot to a Publisher, such as regress/serve's Predictor, every N samples
// or on demand (Publish); the callers predict with the snapshot.
type Online struct {
	// Limit bounds one step's damage: a step after which the loss on its
	// own sample is over Limit times what it was before, while the largest
	// parameter grew over Limit times (from at least 1), is undone and
	// reported as divergence. NewOnline sets 100, Guard's default.
	Limit float64

	t    *Trainer
	std  *Standardizer
	x    []float32
	y    []float32
	p    []float32 // the prediction after a step
	X    linalg.Dense
	Y    linalg.Dense
	snap Snapshot // the state before the step, to undo it

	pub   Publisher // where copies go (nil: none)
	every int       // samples between copies (0: on demand only)
	since int       // samples learned since the last copy
}

// A Publisher receives copies of a model being trained online: Publish is
// given the trainer's model and standardisation (nil: raw inputs) and must
// copy what it keeps before returning, as the trainer goes on changing them.
// It is called from the goroutine that calls PartialFit or Publish.
type Publisher interface {
	Publish(m *Linear, std *Standardizer) error
}

// PublishTo makes PartialFit publish a copy of the model to p after every
// every samples it learns from (every 0: only when Publish is called), and
// publishes one now, so that p starts from the model as it is. A nil p stops
// publishing. every < 0 is an error.
func (o *Online) PublishTo(p Publisher, every int) error {
	if every < 0 {
		return fmt.Errorf("regress: Online.PublishTo: every %d samples: want 0 (on demand) or more", every)
	}
	o.pub, o.every, o.since = p, every, 0
	if p == nil {
		return nil
	}
	return o.Publish()
}

// Publish hands a copy of the model as it is now to the Publisher given to
// PublishTo (none: an error). It allocates what the Publisher copies.
func (o *Online) Publish() error {
	if o.pub == nil {
		return errors.New("regress: Online.Publish: no publisher (see PublishTo)")
	}
	o.since = 0
	if err := o.pub.Publish(o.t.Model, o.std); err != nil {
		return fmt.Errorf("regress: Online: publishing the model: %w", err)
	}
	return nil
}

// NewOnline returns an online trainer of m with optimiser opt and the MSE
// loss. std may be nil (raw inputs); otherwise m's weights are for
// standardised inputs (see Standardizer.Unfold) and Fold gives the raw ones.
// A nil m or opt, or a std that is not one finite mean and one positive
// finite scale per input, is an error.
func NewOnline(m *Linear, opt Optimizer, std *Standardizer) (*Online, error) {
	if err := m.valid("NewOnline"); err != nil {
		return nil, err
	}
	if std != nil {
		if err := std.check("NewOnline", m.In()); err != nil {
			return nil, err
		}
	}
	t, err := NewTrainer(m, MSE, opt, 1)
	if err != nil {
		return nil, err
	}
	o := &Online{Limit: 100, t: t, std: std, x: make([]float32, m.In()), y: make([]float32, m.Out()), p: make([]float32, m.Out())}
	o.X = linalg.Dense{Rows: 1, Cols: m.In(), Stride: m.In(), Data: o.x}
	o.Y = linalg.Dense{Rows: 1, Cols: m.Out(), Stride: m.Out(), Data: o.y}
	if err := t.Snapshot(&o.snap); err != nil { // allocates the buffers once
		return nil, err
	}
	return o, nil
}

// Trainer returns the trainer underneath, for its learning rate and
// snapshots.
func (o *Online) Trainer() *Trainer { return o.t }

// PartialFit updates the model from one example with inputs x and targets y
// and returns the loss on it before the update. A NaN or Inf in x or y is an
// error naming the column. A loss that is NaN or Inf, or a step that leaves a
// parameter or the sample's loss NaN or Inf or that explodes (see Limit), is
// undone, leaving the model and the optimiser as they were, and returns a
// *DivergedError. Every PublishTo's every samples learned, it publishes a
// copy of the model; an error in publishing is returned after the step.
func (o *Online) PartialFit(x, y []float32) (float32, error) {
	if len(x) != len(o.x) || len(y) != len(o.y) {
		return 0, fmt.Errorf("regress: PartialFit: %d inputs and %d targets, the model takes %d and %d", len(x), len(y), len(o.x), len(o.y))
	}
	if o.std != nil {
		if err := o.std.Apply(1, x, len(x), o.x, len(x)); err != nil {
			return 0, err
		}
	} else {
		copy(o.x, x)
	}
	copy(o.y, y)
	t := o.t
	if err := t.Snapshot(&o.snap); err != nil {
		return 0, err
	}
	loss, err := t.Step(o.X, o.Y)
	if err != nil {
		return loss, err
	}
	if err := o.checkStep(loss); err != nil {
		if rerr := t.Restore(&o.snap); rerr != nil {
			return loss, errors.Join(err, rerr)
		}
		return loss, err
	}
	if o.pub != nil && o.every > 0 {
		if o.since++; o.since >= o.every {
			return loss, o.Publish()
		}
	}
	return loss, nil
}

// checkStep returns a *DivergedError if the step just taken, from a state
// with loss before on the sample, left the model non-finite or exploded.
func (o *Online) checkStep(before float32) error {
	m := o.t.Model
	if j := nonFinite(m.params); j >= 0 {
		return &DivergedError{Loss: before, Reason: fmt.Sprintf("one step made parameter %d %v; the step was undone", j, m.params[j])}
	}
	if _, err := m.PredictRow(o.p, o.x); err != nil {
		return err
	}
	var sq float32
	for j, v := range o.p {
		r := v - o.y[j]
		sq += r * r
	}
	after := o.t.Loss.fromSum(sq, len(o.p))
	wBefore, wAfter := maxMagnitude(o.snap.Params), maxMagnitude(m.params)
	if !finite(after) || (float64(after) > o.Limit*float64(before) && wAfter > o.Limit*math.Max(wBefore, 1)) {
		return &DivergedError{Loss: after, Reason: fmt.Sprintf("one step took the sample's loss from %v to %v and the largest parameter from %.3g to %.3g; the step was undone", before, after, wBefore, wAfter)}
	}
	return nil
}

func maxMagnitude(v []float32) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}
