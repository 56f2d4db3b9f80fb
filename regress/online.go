package regress

import (
	"errors"
	"fmt"
	"math"

	"github.com/edgefit/edgefit/linalg"
)

// Online trains a model one sample at a time, as a sensor stream delivers
// them (scikit-learn's partial_fit), on inputs standardised by the model's
// Std if it has one. It allocates nothing after NewOnline
// (publishing aside). PartialFit writes the model in place: to predict while
// it learns, publish copies (PublishTo) to a Publisher such as
// regress/serve's Predictor and predict with those.
type Online struct {
	// Limit bounds one step's damage: a step that raises the loss on its own
	// sample over Limit times while the largest parameter grows over Limit
	// times (from at least 1) is undone as divergence. NewOnline sets 100.
	Limit float64

	t      *Trainer
	x      []float32
	y      []float32
	p      []float32    // the prediction after a step
	xd, yd linalg.Dense // x and y as 1-row matrices for Step
	snap   Snapshot     // the state before the step, to undo it

	pub   Publisher // where copies go (nil: none)
	every int       // samples between copies (0: on demand only)
	since int       // samples learned since the last copy
}

// A Publisher receives copies of a model trained online: Publish must copy
// m before returning, as training goes on changing it. It is called from the
// goroutine that calls PartialFit or Publish.
type Publisher interface {
	Publish(m *Linear) error
}

// PublishTo publishes the model to p now and then after every every samples
// learned (every 0: only on Publish); a nil p stops publishing.
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

// Publish hands the model as it is now to PublishTo's Publisher.
func (o *Online) Publish() error {
	if o.pub == nil {
		return errors.New("regress: Online.Publish: no publisher (see PublishTo)")
	}
	o.since = 0
	if err := o.pub.Publish(o.t.model); err != nil {
		return fmt.Errorf("regress: Online: publishing the model: %w", err)
	}
	return nil
}

// NewOnline returns an online trainer of m with optimiser opt and the MSE
// loss.
func NewOnline(m *Linear, opt Optimizer) (*Online, error) {
	if err := m.valid("NewOnline"); err != nil {
		return nil, err
	}
	t, err := NewTrainer(m, MSE, opt, 1)
	if err != nil {
		return nil, err
	}
	o := &Online{Limit: 100, t: t, x: make([]float32, m.In()), y: make([]float32, m.Out()), p: make([]float32, m.Out())}
	o.xd = linalg.Dense{Rows: 1, Cols: m.In(), Stride: m.In(), Data: o.x}
	o.yd = linalg.Dense{Rows: 1, Cols: m.Out(), Stride: m.Out(), Data: o.y}
	if err := t.Snapshot(&o.snap); err != nil { // allocates the buffers once
		return nil, err
	}
	return o, nil
}

// PartialFit takes one optimiser step on inputs x and targets y and returns
// the loss before it. A step whose loss or parameters become NaN or Inf, or
// that explodes (see Limit), is undone and returns a *DivergedError.
func (o *Online) PartialFit(x, y []float32) (float32, error) {
	if len(x) != len(o.x) || len(y) != len(o.y) {
		return 0, fmt.Errorf("regress: PartialFit: %d inputs and %d targets, the model takes %d and %d", len(x), len(y), len(o.x), len(o.y))
	}
	copy(o.x, x)
	copy(o.y, y)
	t := o.t
	if err := t.Snapshot(&o.snap); err != nil {
		return 0, err
	}
	loss, err := t.Step(o.xd, o.yd)
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
	m := o.t.model
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
	after := o.t.loss.fromSum(sq, len(o.p))
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
