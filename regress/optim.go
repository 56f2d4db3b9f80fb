package regress

import (
	"fmt"
	"math"

	"github.com/edgefit/edgefit"
)

// Optimizer updates a parameter vector from its gradient, as a torch.optim
// optimiser's step() does. A Trainer calls Init once with the number of
// parameters, then Step once per batch.
//
// Besides the update, an Optimizer exposes what schedules, early stopping and
// divergence rollback need: the learning rate (LR, SetLR), forgetting its
// running state (Reset), and saving and restoring that state (StateLen,
// SaveState, LoadState) so that a Snapshot can put training back exactly where
// it was.
//
// An optimiser belongs to one Trainer: NewTrainer refuses SGD or Adam already
// given to another (their state is per model), and Step refuses parameters
// of another length than Init's.
type Optimizer interface {
	// Init sizes the optimiser's state for n parameters and resets it. It is
	// the only method that may allocate.
	Init(n int) error
	// Step updates params in place from grads, both of Init's n values;
	// other lengths are an error and nothing is updated.
	Step(params, grads []float32) error
	// LR is the learning rate.
	LR() float64
	// SetLR changes the learning rate for the following steps; it must be
	// positive and finite.
	SetLR(lr float64) error
	// Reset forgets momentum and moment estimates and the step count, as a
	// newly constructed torch optimiser would have them.
	Reset()
	// StateLen is the number of float32 values SaveState writes.
	StateLen() int
	// SaveState copies the running state into dst (StateLen values) and
	// returns the number of steps taken; a dst of another length is an
	// error.
	SaveState(dst []float32) (steps int, err error)
	// LoadState restores a state saved by SaveState.
	LoadState(src []float32, steps int) error
}

// owner is what SGD and Adam record of the trainer they were given to, so
// that a second trainer is refused: two models stepping one optimiser's
// state would corrupt each other's momentum or overrun it.
type owner struct{ t *Trainer }

// owned reports whether a trainer has the optimiser.
func (o *owner) owned() bool { return o.t != nil }

// claim gives the optimiser to t.
func (o *owner) claim(t *Trainer) { o.t = t }

// claimer is implemented by the optimisers that know their trainer.
type claimer interface {
	owned() bool
	claim(*Trainer)
}

// checkStep returns an error unless params and grads both have n values.
func checkStep(op string, params, grads []float32, n int) error {
	if len(params) != n || len(grads) != n {
		return fmt.Errorf("regress: %s.Step: %d parameters and %d gradients, want %d of each (as given to Init)", op, len(params), len(grads), n)
	}
	return nil
}

// checkSave returns an error unless dst has n values.
func checkSave(op string, dst []float32, n int) error {
	if len(dst) != n {
		return fmt.Errorf("regress: %s.SaveState: room for %d values, want StateLen's %d", op, len(dst), n)
	}
	return nil
}

func checkLR(op string, lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("regress: %s: learning rate %v: want a positive, finite number", op, lr)
	}
	return nil
}

func checkRange(op, name string, v, lo, hi float64, hiOpen bool) error {
	if math.IsNaN(v) || v < lo || v > hi || (hiOpen && v == hi) {
		r := "]"
		if hiOpen {
			r = ")"
		}
		return fmt.Errorf("regress: %s: %s %v: want a value in [%v, %v%s", op, name, v, lo, hi, r)
	}
	return nil
}

// SGDConfig holds the arguments of torch.optim.SGD. The zero value of every
// field but LR means what it means to PyTorch: no momentum, no dampening, no
// weight decay.
type SGDConfig struct {
	LR          float64 // learning rate, > 0
	Momentum    float64 // ≥ 0
	Dampening   float64 // in [0, 1]
	WeightDecay float64 // L2 penalty, ≥ 0
	Nesterov    bool    // needs Momentum > 0 and Dampening = 0
	Maximize    bool    // ascend instead of descend
}

// SGD is torch.optim.SGD. Per parameter p with gradient g, one step is
//
//	g ← −g                                 if Maximize
//	g ← g + weight_decay·p                 if weight_decay ≠ 0
//	buf ← g (first step), else momentum·buf + (1−dampening)·g    if momentum ≠ 0
//	g ← g + momentum·buf if nesterov, else buf                   if momentum ≠ 0
//	p ← p − lr·g
//
// in that order and in float32, with the coefficients rounded to float32 as
// torch does with Python floats applied to float tensors.
type SGD struct {
	cfg   SGDConfig
	buf   []float32
	n     int // parameters, from Init
	steps int
	owner
}

// NewSGD checks cfg as torch.optim.SGD does (and refuses a learning rate that
// is not positive) and returns the optimiser.
func NewSGD(cfg SGDConfig) (*SGD, error) {
	if err := checkLR("SGD", cfg.LR); err != nil {
		return nil, err
	}
	if err := checkRange("SGD", "momentum", cfg.Momentum, 0, math.MaxFloat64, false); err != nil {
		return nil, err
	}
	if err := checkRange("SGD", "dampening", cfg.Dampening, 0, 1, false); err != nil {
		return nil, err
	}
	if err := checkRange("SGD", "weight decay", cfg.WeightDecay, 0, math.MaxFloat64, false); err != nil {
		return nil, err
	}
	if cfg.Nesterov && (cfg.Momentum <= 0 || cfg.Dampening != 0) {
		return nil, fmt.Errorf("regress: SGD: Nesterov momentum requires a momentum and zero dampening (momentum %v, dampening %v)", cfg.Momentum, cfg.Dampening)
	}
	return &SGD{cfg: cfg}, nil
}

// Config returns the optimiser's settings, with the current learning rate.
func (o *SGD) Config() SGDConfig { return o.cfg }

// Init sizes the state for n parameters; see Optimizer.
func (o *SGD) Init(n int) error {
	if err := checkCount("SGD", "parameters", n); err != nil {
		return err
	}
	if o.cfg.Momentum != 0 {
		o.buf = make([]float32, n)
	}
	o.n = n
	o.steps = 0
	return nil
}

// LR is the learning rate.
func (o *SGD) LR() float64 { return o.cfg.LR }

// SetLR sets the learning rate of the following steps.
func (o *SGD) SetLR(lr float64) error {
	if err := checkLR("SGD", lr); err != nil {
		return err
	}
	o.cfg.LR = lr
	return nil
}

// Reset makes the next step a first step, as for a new optimiser.
func (o *SGD) Reset() { o.steps = 0 }

// StateLen is the length of the state SaveState writes.
func (o *SGD) StateLen() int { return len(o.buf) }

// SaveState copies the running state into dst and returns the step count.
func (o *SGD) SaveState(dst []float32) (int, error) {
	if err := checkSave("SGD", dst, len(o.buf)); err != nil {
		return 0, err
	}
	copy(dst, o.buf)
	return o.steps, nil
}

// LoadState restores a state saved by SaveState.
func (o *SGD) LoadState(src []float32, steps int) error {
	if len(src) != len(o.buf) || steps < 0 {
		return fmt.Errorf("regress: SGD: state of %d values at step %d, want %d values", len(src), steps, len(o.buf))
	}
	copy(o.buf, src)
	o.steps = steps
	return nil
}

// Step applies one update to params from grads; it allocates nothing.
func (o *SGD) Step(params, grads []float32) error {
	if err := checkStep("SGD", params, grads, o.n); err != nil {
		return err
	}
	c := &o.cfg
	lr := float32(c.LR)
	if c.Momentum == 0 && c.WeightDecay == 0 && !c.Maximize {
		// Plain gradient descent is one axpy.
		edgefit.Axpy(-lr, grads, params)
		o.steps++
		return nil
	}
	grads = grads[:len(params)]
	wd := float32(c.WeightDecay)
	mom := float32(c.Momentum)
	damp := float32(1 - c.Dampening)
	first := o.steps == 0
	var buf []float32
	if mom != 0 {
		buf = o.buf[:len(params)]
	}
	for i, p := range params {
		g := grads[i]
		if c.Maximize {
			g = -g
		}
		if wd != 0 {
			g += wd * p
		}
		if mom != 0 {
			if first {
				buf[i] = g
			} else {
				buf[i] = buf[i]*mom + damp*g
			}
			if c.Nesterov {
				g += mom * buf[i]
			} else {
				g = buf[i]
			}
		}
		params[i] = p - lr*g
	}
	o.steps++
	return nil
}

// AdamConfig holds the arguments of torch.optim.Adam; AdamDefaults fills in
// PyTorch's defaults.
type AdamConfig struct {
	LR           float64 // learning rate, > 0 (PyTorch's default 1e-3)
	Beta1, Beta2 float64 // in [0, 1) (0.9, 0.999)
	Eps          float64 // ≥ 0 (1e-8)
	WeightDecay  float64 // L2 penalty added to the gradient, ≥ 0 (0)
	Maximize     bool
}

// AdamDefaults returns torch.optim.Adam's defaults with the given learning
// rate.
func AdamDefaults(lr float64) AdamConfig {
	return AdamConfig{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Adam is torch.optim.Adam (without amsgrad). At step t = 1, 2, …, per
// parameter p with gradient g:
//
//	g ← g + weight_decay·p               (the L2 form, not AdamW's)
//	m ← β₁·m + (1−β₁)·g
//	v ← β₂·v + (1−β₂)·g²
//	p ← p − (lr/(1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + eps)
//
// with the bias corrections computed in float64 and everything else in
// float32, in torch's order.
type Adam struct {
	cfg   AdamConfig
	m, v  []float32 // m and v, one slice so that state saving is one copy
	state []float32
	steps int
	owner
}

// NewAdam checks cfg as torch.optim.Adam does (and refuses a learning rate
// that is not positive) and returns the optimiser.
func NewAdam(cfg AdamConfig) (*Adam, error) {
	if err := checkLR("Adam", cfg.LR); err != nil {
		return nil, err
	}
	if err := checkRange("Adam", "beta1", cfg.Beta1, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkRange("Adam", "beta2", cfg.Beta2, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkRange("Adam", "eps", cfg.Eps, 0, math.MaxFloat64, false); err != nil {
		return nil, err
	}
	if err := checkRange("Adam", "weight decay", cfg.WeightDecay, 0, math.MaxFloat64, false); err != nil {
		return nil, err
	}
	return &Adam{cfg: cfg}, nil
}

// Config returns the optimiser's settings, with the current learning rate.
func (o *Adam) Config() AdamConfig { return o.cfg }

// Init sizes the state for n parameters; see Optimizer. The state, two
// values per parameter, must fit in linalg.MaxElements.
func (o *Adam) Init(n int) error {
	if err := checkCount("Adam", "parameters", n); err != nil {
		return err
	}
	if !fits(2, n) {
		return tooLarge("Adam", "two moment estimates per parameter", 2, n)
	}
	o.state = make([]float32, 2*n)
	o.m, o.v = o.state[:n:n], o.state[n:]
	o.steps = 0
	return nil
}

// LR is the learning rate.
func (o *Adam) LR() float64 { return o.cfg.LR }

// SetLR sets the learning rate of the following steps.
func (o *Adam) SetLR(lr float64) error {
	if err := checkLR("Adam", lr); err != nil {
		return err
	}
	o.cfg.LR = lr
	return nil
}

// Reset makes the next step a first step, as for a new optimiser.
func (o *Adam) Reset() {
	clear(o.state)
	o.steps = 0
}

// StateLen is the length of the state SaveState writes.
func (o *Adam) StateLen() int { return len(o.state) }

// SaveState copies the running state into dst and returns the step count.
func (o *Adam) SaveState(dst []float32) (int, error) {
	if err := checkSave("Adam", dst, len(o.state)); err != nil {
		return 0, err
	}
	copy(dst, o.state)
	return o.steps, nil
}

// LoadState restores a state saved by SaveState.
func (o *Adam) LoadState(src []float32, steps int) error {
	if len(src) != len(o.state) || steps < 0 {
		return fmt.Errorf("regress: Adam: state of %d values at step %d, want %d values", len(src), steps, len(o.state))
	}
	copy(o.state, src)
	o.steps = steps
	return nil
}

// Step applies one update to params from grads; it allocates nothing.
func (o *Adam) Step(params, grads []float32) error {
	if err := checkStep("Adam", params, grads, len(o.m)); err != nil {
		return err
	}
	c := &o.cfg
	o.steps++
	t := float64(o.steps)
	bc1 := 1 - math.Pow(c.Beta1, t)
	bc2 := 1 - math.Pow(c.Beta2, t)
	stepSize := float32(c.LR / bc1)
	bc2Sqrt := float32(math.Sqrt(bc2))
	b1, b2 := float32(c.Beta1), float32(c.Beta2)
	ob1, ob2 := float32(1-c.Beta1), float32(1-c.Beta2)
	eps, wd := float32(c.Eps), float32(c.WeightDecay)
	grads = grads[:len(params)]
	m, v := o.m[:len(params)], o.v[:len(params)]
	for i, p := range params {
		g := grads[i]
		if c.Maximize {
			g = -g
		}
		if wd != 0 {
			g += wd * p
		}
		m[i] = m[i]*b1 + ob1*g
		v[i] = v[i]*b2 + ob2*(g*g)
		denom := float32(math.Sqrt(float64(v[i])))/bc2Sqrt + eps
		params[i] = p - stepSize*(m[i]/denom)
	}
	return nil
}
