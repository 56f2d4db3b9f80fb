package regress

import (
	"fmt"
	"math"

	"github.com/edgefit/edgefit"
)

// Optimizer is a torch.optim optimiser: step() and its running state.
type Optimizer interface {
	Init(n int) error                   // size the state for n parameters and reset it; the only allocation
	Step(params, grads []float32) error // update params in place; both of Init's length
	LR() float64                        // the learning rate
	SetLR(lr float64) error             // for the next steps; positive and finite
	Reset()                             // forget momentum, moments and step count
	StateLen() int                      // the length of SaveState's dst
	SaveState(dst []float32) (steps int, err error)
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

// SGDConfig holds torch.optim.SGD's arguments (zero: PyTorch's default).
type SGDConfig struct {
	LR          float64 // learning rate, > 0
	Momentum    float64 // ≥ 0
	Dampening   float64 // in [0, 1]
	WeightDecay float64 // L2 penalty, ≥ 0
	Nesterov    bool    // needs Momentum > 0 and Dampening = 0
	Maximize    bool    // ascend instead of descend
}

// sgd is torch.optim.SGD: its update equations, in its order, in float32.
type sgd struct {
	cfg   SGDConfig
	buf   []float32
	n     int // parameters, from Init
	steps int
	owner
}

// NewSGD returns torch.optim.SGD, in its order, in float32.
func NewSGD(cfg SGDConfig) (Optimizer, error) {
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
	return &sgd{cfg: cfg}, nil
}

// Init implements Optimizer.
func (o *sgd) Init(n int) error {
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

// LR implements Optimizer.
func (o *sgd) LR() float64 { return o.cfg.LR }

// SetLR implements Optimizer.
func (o *sgd) SetLR(lr float64) error {
	if err := checkLR("SGD", lr); err != nil {
		return err
	}
	o.cfg.LR = lr
	return nil
}

// Reset implements Optimizer.
func (o *sgd) Reset() { o.steps = 0 }

// StateLen implements Optimizer.
func (o *sgd) StateLen() int { return len(o.buf) }

// SaveState implements Optimizer.
func (o *sgd) SaveState(dst []float32) (int, error) {
	if err := checkSave("SGD", dst, len(o.buf)); err != nil {
		return 0, err
	}
	copy(dst, o.buf)
	return o.steps, nil
}

// LoadState implements Optimizer.
func (o *sgd) LoadState(src []float32, steps int) error {
	if len(src) != len(o.buf) || steps < 0 {
		return fmt.Errorf("regress: SGD: state of %d values at step %d, want %d values", len(src), steps, len(o.buf))
	}
	copy(o.buf, src)
	o.steps = steps
	return nil
}

// Step implements Optimizer; it allocates nothing.
func (o *sgd) Step(params, grads []float32) error {
	// Per parameter p with gradient g, in this order, with the coefficients
	// rounded to float32 as torch rounds Python floats applied to tensors:
	//
	//	g ← −g                                 if Maximize
	//	g ← g + weight_decay·p                 if weight_decay ≠ 0
	//	buf ← g (first step), else momentum·buf + (1−dampening)·g    if momentum ≠ 0
	//	g ← g + momentum·buf if nesterov, else buf                   if momentum ≠ 0
	//	p ← p − lr·g
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

// AdamConfig holds torch.optim.Adam's arguments (AdamDefaults: PyTorch's).
type AdamConfig struct {
	LR           float64 // learning rate, > 0 (PyTorch's default 1e-3)
	Beta1, Beta2 float64 // in [0, 1) (0.9, 0.999)
	Eps          float64 // ≥ 0 (1e-8)
	WeightDecay  float64 // L2 penalty added to the gradient, ≥ 0 (0)
	Maximize     bool
}

// AdamDefaults returns torch.optim.Adam's defaults with learning rate lr.
func AdamDefaults(lr float64) AdamConfig {
	return AdamConfig{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// adam is torch.optim.Adam without amsgrad (weight decay in the L2 form, not
// AdamW's): torch's order, bias corrections in float64, the rest in float32.
type adam struct {
	cfg   AdamConfig
	m, v  []float32 // m and v, one slice so that state saving is one copy
	state []float32
	steps int
	owner
}

// NewAdam returns torch.optim.Adam (no amsgrad), in torch's order.
func NewAdam(cfg AdamConfig) (Optimizer, error) {
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
	return &adam{cfg: cfg}, nil
}

// Init implements Optimizer; the state (2n values) must fit in
// linalg.MaxElements.
func (o *adam) Init(n int) error {
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

// LR implements Optimizer.
func (o *adam) LR() float64 { return o.cfg.LR }

// SetLR implements Optimizer.
func (o *adam) SetLR(lr float64) error {
	if err := checkLR("Adam", lr); err != nil {
		return err
	}
	o.cfg.LR = lr
	return nil
}

// Reset implements Optimizer.
func (o *adam) Reset() {
	clear(o.state)
	o.steps = 0
}

// StateLen implements Optimizer.
func (o *adam) StateLen() int { return len(o.state) }

// SaveState implements Optimizer.
func (o *adam) SaveState(dst []float32) (int, error) {
	if err := checkSave("Adam", dst, len(o.state)); err != nil {
		return 0, err
	}
	copy(dst, o.state)
	return o.steps, nil
}

// LoadState implements Optimizer.
func (o *adam) LoadState(src []float32, steps int) error {
	if len(src) != len(o.state) || steps < 0 {
		return fmt.Errorf("regress: Adam: state of %d values at step %d, want %d values", len(src), steps, len(o.state))
	}
	copy(o.state, src)
	o.steps = steps
	return nil
}

// Step implements Optimizer; it allocates nothing.
func (o *adam) Step(params, grads []float32) error {
	// At step t = 1, 2, …, per parameter p with gradient g:
	//
	//	g ← g + weight_decay·p
	//	m ← β₁·m + (1−β₁)·g
	//	v ← β₂·v + (1−β₂)·g²
	//	p ← p − (lr/(1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + eps)
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
