package regress

import (
	"errors"
	"math"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// A stream of samples from y = 2x₁ − x₂ + 3, fed one by one, must bring the
// model close to those parameters, with no allocation per sample.
func TestOnlinePartialFitLearns(t *testing.T) {
	m, _ := NewLinear(2, 1, 1)
	opt, _ := NewSGD(SGDConfig{LR: 0.05})
	o, err := NewOnline(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]float32, 2), make([]float32, 1)
	i := 0
	sample := func() {
		x[0], x[1] = float32(i%7)/7, float32(i%5)/5
		y[0] = 2*x[0] - x[1] + 3
		i++
	}
	for ; i < 20000; sample() {
		if _, err := o.PartialFit(x, y); err != nil {
			t.Fatal(err)
		}
	}
	if w := m.W.Data; math.Abs(float64(w[0]-2)) > 1e-2 || math.Abs(float64(w[1]+1)) > 1e-2 || math.Abs(float64(m.B[0]-3)) > 1e-2 {
		t.Errorf("learned W %v b %v, want [2 -1] [3]", w, m.B)
	}
	if a := zeroalloc.AllocsPerRun(200, func() { sample(); o.PartialFit(x, y) }); a != 0 {
		t.Errorf("PartialFit allocates %v times", a)
	}
	if _, err := o.PartialFit(x[:1], y); err == nil {
		t.Error("wrong length: no error")
	}
}

// The guard rolls a diverging run back and halves the learning rate until it
// converges, where plain training would diverge.
func TestGuardRollsBack(t *testing.T) {
	X, Y := cropXY()
	ds, loader := cropLoader(t, X, Y)
	_ = ds
	m, _ := NewLinear(3, 2, 7)
	opt, _ := NewSGD(SGDConfig{LR: 1e-3}) // far too large for raw crop inputs
	tr, _ := NewTrainer(m, MSE, opt, 5)
	g, _ := NewGuard(tr, 20)
	var last float32
	for e := 1; e <= 100; e++ {
		st, err := tr.Epoch(ctxBg, loader)
		retry, err := g.after(e, st.Loss, err)
		if err != nil {
			t.Fatalf("epoch %d: %v", e, err)
		}
		if retry {
			e--
			continue
		}
		last = st.Loss
	}
	if g.Rollbacks() == 0 || !(opt.LR() < 1e-3) {
		t.Errorf("%d rollbacks, lr %v: want at least one rollback and a lower rate", g.Rollbacks(), opt.LR())
	}
	if !(last < 1000) {
		t.Errorf("final loss %v", last)
	}
	// With no rollback allowed the same run returns a *DivergedError.
	m2, _ := NewLinear(3, 2, 7)
	opt2, _ := NewSGD(SGDConfig{LR: 1e-3})
	tr2, _ := NewTrainer(m2, MSE, opt2, 5)
	g2, _ := NewGuard(tr2, 0)
	var err error
	for e := 1; e <= 100 && err == nil; e++ {
		st, eerr := tr2.Epoch(ctxBg, loader)
		_, err = g2.after(e, st.Loss, eerr)
	}
	var d *DivergedError
	if !errors.As(err, &d) {
		t.Errorf("without rollbacks: error %v, want *DivergedError", err)
	}
}

func TestGuardAfterAllocs(t *testing.T) {
	m, _ := NewLinear(3, 2, 7)
	opt, _ := NewSGD(SGDConfig{LR: 1e-5, Momentum: 0.9})
	tr, _ := NewTrainer(m, MSE, opt, 5)
	g, _ := NewGuard(tr, 3)
	loss := float32(100)
	g.after(1, loss, nil)
	if a := zeroalloc.AllocsPerRun(100, func() {
		loss *= 0.99
		if _, err := g.after(2, loss, nil); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("After allocates %v times per good epoch", a)
	}
}

// copier is a Publisher that keeps copies of what it is given.
type copier struct{ copies []*Linear }

func (c *copier) Publish(m *Linear) error {
	c.copies = append(c.copies, m.Clone())
	return nil
}

// PublishTo hands a copy at once and then every N samples, Publish on
// demand; the copies are not the model trained.
func TestOnlinePublishTo(t *testing.T) {
	m, _ := NewLinear(2, 1, 1)
	opt, _ := NewSGD(SGDConfig{LR: 0.05})
	o, _ := NewOnline(m, opt)
	if err := o.Publish(); err == nil {
		t.Error("Publish without a publisher: no error")
	}
	if err := o.PublishTo(&copier{}, -1); err == nil {
		t.Error("PublishTo every -1: no error")
	}
	c := &copier{}
	if err := o.PublishTo(c, 3); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		if _, err := o.PartialFit([]float32{float32(i), 1}, []float32{float32(2 * i)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.copies) != 3 {
		t.Fatalf("%d copies after 7 samples every 3, want 3 (PublishTo's, then after samples 3 and 6)", len(c.copies))
	}
	if err := o.Publish(); err != nil || len(c.copies) != 4 {
		t.Fatalf("Publish: %v, %d copies", err, len(c.copies))
	}
	last := c.copies[3]
	if &last.Params()[0] == &m.Params()[0] || last.Params()[0] != m.Params()[0] {
		t.Error("the copy published shares the trained model's storage, or differs from it")
	}
}
