package regress

import (
	"math"
	"testing"
)

func TestMetrics(t *testing.T) {
	// Two outputs; output 0 predicted exactly, output 1 off by +1, -1, +2.
	T := []float32{1, 10, 2, 20, 3, 30}
	P := []float32{1, 11, 2, 19, 3, 32}
	e := must(NewMetrics(2))
	e.Add(2, P[:4], T[:4])
	e.Add(1, P[4:], T[4:])
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
	c.Add(2, []float32{5, 6}, []float32{5, 5})
	near("R2 of a constant target missed", c.R2(0), 0)
	if a := testing.AllocsPerRun(100, func() { e.Add(3, P, T) }); a != 0 {
		t.Errorf("Add allocates %v times", a)
	}
}
