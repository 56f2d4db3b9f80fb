package regress

import (
	"math"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

func TestMetrics(t *testing.T) {
	// Two outputs; output 0 predicted exactly, output 1 off by +1, -1, +2.
	T := []float32{1, 10, 2, 20, 3, 30}
	P := []float32{1, 11, 2, 19, 3, 32}
	e := must(NewMetrics(2))
	e.Add(rawDense(2, 2, 2, P[:4]), rawDense(2, 2, 2, T[:4]))
	e.Add(rawDense(1, 2, 2, P[4:]), rawDense(1, 2, 2, T[4:]))
	if e.Count != 3 {
		t.Fatalf("Count = %d", e.Count)
	}
	near := func(name string, got, want float64) {
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("MSE(0)", e.MSE(0), 0)
	near("MSE(1)", e.MSE(1), 6.0/3)
	near("MAE(1)", e.MAE(1), 4.0/3)
	near("R2(0)", e.R2(0), 1)
	near("R2(1)", e.R2(1), 1-6.0/200)
	near("TotalMSE", e.TotalMSE(), 6.0/6)
	near("TotalMAE", e.TotalMAE(), 4.0/6)
	near("MeanR2", e.MeanR2(), (1+1-6.0/200)/2)
	c := must(NewMetrics(1))
	c.Add(rawDense(2, 1, 1, []float32{5, 6}), rawDense(2, 1, 1, []float32{5, 5}))
	near("R2 of a constant target missed", c.R2(0), 0)
	// Strided rows (one padding value after each) count the same.
	s := must(NewMetrics(2))
	Ps := []float32{1, 11, -7, 2, 19, -7, 3, 32}
	Ts := []float32{1, 10, 2, 20, 3, 30}
	if err := s.Add(rawDense(3, 2, 3, Ps), rawDense(3, 2, 2, Ts)); err != nil {
		t.Fatal(err)
	}
	near("strided TotalMSE", s.TotalMSE(), e.TotalMSE())
	near("strided MeanR2", s.MeanR2(), e.MeanR2())
	if a := zeroalloc.AllocsPerRun(100, func() { e.Add(rawDense(3, 2, 2, P), rawDense(3, 2, 2, T)) }); a != 0 {
		t.Errorf("Add allocates %v times", a)
	}
}
