package main

import (
	"errors"
	"fmt"

	"github.com/edgefit/edgefit/regress"
)

// newOptimizer makes the optimiser and the schedule the flags ask for,
// before any data is read.
func newOptimizer(f *trainFlags) (regress.Optimizer, regress.Schedule, error) {
	var opt regress.Optimizer
	var err error
	if f.optimizer == "adam" {
		c := regress.AdamDefaults(f.lr)
		c.WeightDecay = f.weightDecay
		opt, err = regress.NewAdam(c)
	} else {
		opt, err = regress.NewSGD(regress.SGDConfig{LR: f.lr, Momentum: f.momentum, Nesterov: f.nesterov, WeightDecay: f.weightDecay})
	}
	if err != nil {
		return nil, nil, err
	}
	sched, err := parseSchedule(f.schedule)
	if err != nil {
		return nil, nil, fmt.Errorf("-%v", err)
	}
	if ep := regress.ScheduleUnderflow(sched, f.lr, f.epochs); ep >= 0 {
		return nil, nil, fmt.Errorf("-schedule %s: the learning rate %g falls below float32's normal range (1.2e-38) at epoch %d of %d: use fewer -epochs or a gentler schedule", f.schedule, f.lr, ep+1, f.epochs)
	}
	return opt, sched, nil
}

// readInitFlag reads the -init file's raw weights (none for "" or lstsq).
func readInitFlag(f *trainFlags, inputs, outputs []string) (W, b []float32, err error) {
	if f.init == "" || f.init == "lstsq" {
		return nil, nil, nil
	}
	if W, b, err = readInit(f.init, inputs, outputs); err != nil {
		return nil, nil, err
	}
	if b != nil && !f.bias {
		return nil, nil, fmt.Errorf("-init %s has a bias and -bias=false trains a model without one: remove the bias from it or leave out -bias=false", f.init)
	}
	return W, b, nil
}

// standardizer is the standardisation trained under: the training rows'
// means and spreads (spreads alone without a bias to take the means), or
// none (mean 0, scale 1) with -standardize=false.
func standardizer(f *trainFlags, fp *firstPass, k int) *regress.Standardizer {
	switch {
	case f.standardize && f.bias:
		return fp.welford.Standardizer()
	case f.standardize:
		return fp.welford.ScaleOnly()
	}
	std := &regress.Standardizer{Mean: make([]float32, k), Scale: make([]float32, k)}
	for p := range std.Scale {
		std.Scale[p] = 1
	}
	return std
}

// initModel makes the starting model, with its standardisation (none with
// -standardize=false) and column names.
func initModel(f *trainFlags, k, n int, std *regress.Standardizer, start *regress.Solution, res *trainResult, rawW, rawB []float32) (*regress.Linear, error) {
	m, err := initWeights(f, k, n, std, start, res, rawW, rawB)
	if err != nil {
		return nil, err
	}
	m.Std = std
	if !f.standardize {
		m.Std = nil // std changes nothing
	}
	m.Inputs, m.Outputs = res.Inputs, res.Outputs
	return m, nil
}

// initWeights makes the starting weights in the standardised space.
func initWeights(f *trainFlags, k, n int, std *regress.Standardizer, start *regress.Solution, res *trainResult, rawW, rawB []float32) (*regress.Linear, error) {
	switch f.init {
	case "":
		if !f.bias {
			return regress.NewLinearNoBias(k, n, f.seed)
		}
		m, err := regress.NewLinear(k, n, f.seed)
		if err != nil {
			return nil, err
		}
		if f.standardize {
			// On centred inputs the best bias is the targets' mean:
			// starting there spares SGD its slowest direction.
			mean, _ := res.qr.Moments()
			for j := range m.B {
				m.B[j] = float32(mean[k+j])
			}
		}
		return m, nil
	}
	W, b := rawW, rawB // a file's weights, for raw inputs
	if start != nil {
		W, b = unfold64(std, start, k)
	}
	if !f.bias {
		b = nil
	}
	rows := make([][]float32, n)
	for j := range rows {
		rows[j] = W[j*k : (j+1)*k]
	}
	var m *regress.Linear
	var err error
	if !f.bias {
		m, err = regress.NewLinearNoBiasFrom(rows)
	} else {
		m, err = regress.NewLinearFrom(rows, b) // a file without bias: b starts at 0
	}
	if err == nil && start == nil {
		err = m.Standardize(std)
	}
	if err != nil {
		return nil, fmt.Errorf("-init %s: %v", f.init, err)
	}
	return m, nil
}

func explainSingular(err error, inputs []string) error {
	var se *regress.SingularError
	if errors.As(err, &se) && se.Feature < len(inputs) {
		return fmt.Errorf("least squares: XᵀX is singular: input %q is constant or a linear combination of the inputs before it", inputs[se.Feature])
	}
	return err
}
