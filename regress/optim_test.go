package regress

import "testing"

// Maximize ascends: exactly descent on the negated gradient (without weight
// decay, whose term does not change sign).
func TestMaximize(t *testing.T) {
	g := []float32{0.5, -2, 3, 0.25}
	neg := []float32{-0.5, 2, -3, -0.25}
	for _, pair := range [][2]Optimizer{
		{must(NewSGD(SGDConfig{LR: 0.1, Momentum: 0.5, Maximize: true})), must(NewSGD(SGDConfig{LR: 0.1, Momentum: 0.5}))},
		{must(NewAdam(AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, Maximize: true})), must(NewAdam(AdamConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8}))},
	} {
		up, down := pair[0], pair[1]
		up.Init(4)
		down.Init(4)
		p := []float32{1, 2, 3, 4}
		q := []float32{1, 2, 3, 4}
		for range 3 {
			up.Step(p, g)
			down.Step(q, neg)
		}
		if !equal(p, q) || !(p[0] > 1 && p[1] < 2) {
			t.Errorf("%T: maximize gave %v, descent on −g %v", up, p, q)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// SetLR takes effect on the next step; Reset makes the next step a first step.
func TestSetLRAndReset(t *testing.T) {
	o := must(NewSGD(SGDConfig{LR: 1, Momentum: 0.9}))
	o.Init(1)
	p := []float32{0}
	o.Step(p, []float32{1}) // buf = 1, p = −1
	if err := o.SetLR(0.5); err != nil || o.LR() != 0.5 {
		t.Fatal(err)
	}
	o.Step(p, []float32{1}) // buf = 1.9, p = −1 − 0.95
	if p[0] != -1.95 {
		t.Errorf("p = %v, want −1.95", p[0])
	}
	o.Reset()
	o.Step(p, []float32{1}) // buf = 1 again
	if p[0] != -2.45 {
		t.Errorf("after Reset p = %v, want −2.45", p[0])
	}
}
