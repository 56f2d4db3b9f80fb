package regress

import (
	"math"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

func TestSchedules(t *testing.T) {
	step := StepDecay{Every: 30, Gamma: 0.1}
	for _, c := range []struct {
		epoch int
		want  float64
	}{{0, 1}, {29, 1}, {30, 0.1}, {59, 0.1}, {60, 0.01}} {
		if got := step.LR(1, c.epoch); math.Abs(float64(got)-c.want) > 1e-7 {
			t.Errorf("StepDecay epoch %d: %v, want %v", c.epoch, got, c.want)
		}
	}
	inv := InvScaling{Power: 0.5}
	if got := inv.LR(2, 3); math.Abs(float64(got)-1) > 1e-7 {
		t.Errorf("InvScaling(0.5) at epoch 3 from 2: %v, want 1", got)
	}
}

func TestEarlyStop(t *testing.T) {
	e := must(NewEarlyStop(2, 0, 1, 1))
	losses := []float64{5, 4, 4.5, 3, 3.5, 3.2, 1}
	var stopped = -1
	for ep, l := range losses {
		if stop, err := e.observe(ep, l, []float32{float32(ep)}, []float32{float32(-ep)}); err != nil || stop {
			stopped = ep
			break
		}
	}
	W, B := []float32{7}, []float32{7}
	if err := e.copyBest(W, B); err != nil {
		t.Fatal(err)
	}
	if stopped != 5 || e.BestEpoch != 3 || e.Best != 3 || W[0] != 3 || B[0] != -3 {
		t.Errorf("stopped at %d, best epoch %d loss %v, W %v B %v; want 5, 3, 3, [3], [-3]", stopped, e.BestEpoch, e.Best, W, B)
	}
	n := must(NewEarlyStop(1, 0, 1, 1))
	if n.observe(0, math.NaN(), []float32{0}, []float32{0}); n.BestEpoch != -1 {
		t.Error("NaN counted as an improvement")
	}
	if err := n.copyBest(W, B); err == nil {
		t.Error("CopyBest before any improvement: no error")
	}
	if err := e.copyBest(W, B[:0]); err == nil {
		t.Error("CopyBest with no room for the bias: no error")
	}
	w, b := []float32{1}, []float32{2}
	if a := zeroalloc.AllocsPerRun(100, func() { e.observe(9, 0.5, w, b) }); a != 0 {
		t.Errorf("Observe allocates %v times", a)
	}
	if a := zeroalloc.AllocsPerRun(100, func() { e.copyBest(w, b) }); a != 0 {
		t.Errorf("CopyBest allocates %v times", a)
	}
}

// A schedule whose rate underflows float32 is found before training: step
// decay by 0.1 every epoch from 0.1 leaves the normal range of float32 after
// 37 decades.
func TestScheduleUnderflow(t *testing.T) {
	s := StepDecay{Every: 1, Gamma: 0.1}
	first := -1
	for e := 0; e < 100; e++ {
		if s.LR(0.1, e) < 0x1p-126 {
			first = e
			break
		}
	}
	if first < 0 {
		t.Fatal("the schedule never underflows: the test is wrong")
	}
	if got := ScheduleUnderflow(s, 0.1, 100); got != first {
		t.Errorf("ScheduleUnderflow = %d, want %d", got, first)
	}
	if got := ScheduleUnderflow(s, 0.1, first); got != -1 {
		t.Errorf("ScheduleUnderflow over %d epochs = %d, want -1", first, got)
	}
	if got := ScheduleUnderflow(nil, 0.1, 100); got != -1 {
		t.Errorf("constant schedule: %d", got)
	}
	if got := ScheduleUnderflow(InvScaling{Power: 0.25}, 0.1, 1000); got != -1 {
		t.Errorf("invscaling: %d", got)
	}
}
