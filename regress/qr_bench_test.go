package regress

import (
	"fmt"
	"testing"
)

// BenchmarkLeastSquares accumulates and solves 1,000,000 rows of 16 inputs
// and 2 targets with the normal equations (the leastSquares baseline, float32 rows) and
// with the QR accumulator (float32 rows, as the trainer holds them, and
// float64 rows, then with a step of refinement over them too), reporting
// rows per second.
func BenchmarkLeastSquares(b *testing.B) {
	const m, k, n = 1_000_000, 16, 2
	X, Y := genLinear(11, m, k, n)
	X32, Y32 := make([]float32, len(X)), make([]float32, len(Y))
	for i, v := range X {
		X32[i] = float32(v)
	}
	for i, v := range Y {
		Y32[i] = float32(v)
	}
	name := fmt.Sprintf("rows=%d/k=%d", m, k)
	run := func(b *testing.B, fit func() error) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := fit(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(m)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run(name+"/solver=normal", func(b *testing.B) {
		run(b, func() error {
			ls, err := newLeastSquares(k, n)
			if err != nil {
				return err
			}
			if err := ls.AddRows(m, X32, k, Y32, n); err != nil {
				return err
			}
			_, err = ls.Solve(0)
			return err
		})
	})
	b.Run(name+"/solver=qr", func(b *testing.B) {
		run(b, func() error {
			a, err := NewQR(k, n, true)
			if err != nil {
				return err
			}
			if err := a.AddRows32(rawDense(m, k, k, X32), rawDense(m, n, n, Y32)); err != nil {
				return err
			}
			_, err = a.Solve(0)
			return err
		})
	})
	b.Run(name+"/solver=qr64", func(b *testing.B) {
		run(b, func() error {
			a, err := NewQR(k, n, true)
			if err != nil {
				return err
			}
			if err := a.AddRows(m, X, k, Y, n); err != nil {
				return err
			}
			_, err = a.Solve(0)
			return err
		})
	})
	b.Run(name+"/solver=qr64+refine", func(b *testing.B) {
		run(b, func() error {
			a, err := NewQR(k, n, true)
			if err != nil {
				return err
			}
			if err := a.AddRows(m, X, k, Y, n); err != nil {
				return err
			}
			sol, err := a.Solve(0)
			if err != nil {
				return err
			}
			f, err := a.Refinement(sol, 0)
			if err != nil {
				return err
			}
			if err := f.AddRows(m, X, k, Y, n); err != nil {
				return err
			}
			_, err = f.Solve()
			return err
		})
	})
}
