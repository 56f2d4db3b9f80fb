package regress

import (
	"errors"
	"fmt"
	"math"

	"github.com/edgefit/edgefit/linalg"
)

// Online trains a model a sample at a time (partial_fit), in place.
type Online struct {
	Limit float64 // a step raising loss and parameters over Limit× is undone

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

// A Publisher, such as serve.Predictor, copies the models Online publishes.
type Publisher interface {
	Publish(m *Linear) error
}

// PublishTo publishes to p now and every every samples (0: on Publish).
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

// NewOnline returns an online trainer of m (MSE loss).
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

// PartialFit steps on one sample, undoing a step that diverges.
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
	P := linalg.Dense{Rows: 1, Cols: len(o.p), Stride: len(o.p), Data: o.p}
	if err := o.t.Predict(P, o.xd); err != nil { // the trainer's buffers: no pool
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
