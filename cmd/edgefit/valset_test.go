package main

import (
	"math"
	"testing"

	"github.com/edgefit/edgefit/regress"
)

// The validation split's memory stays under its limit at every row (item 14
// of issue 10: growing slices by append held about twice the limit), it
// takes nearly all the rows the limit allows, and its loss and metrics are
// those of the rows it holds.
func TestRowBlocksLimit(t *testing.T) {
	const k, n = 3, 2
	for _, limit := range []int64{1 << 10, 100 << 10, 1 << 20, 3<<20 + 12345} {
		b := newRowBlocks(k, n, limit)
		x, y := make([]float32, k), make([]float32, n)
		rows := 0
		for ; ; rows++ {
			x[0], y[0] = float32(rows), float32(2*rows)
			if err := b.add(x, y); err != nil {
				break
			}
			var held int64
			for j := range b.X {
				held += int64(4 * (cap(b.X[j]) + cap(b.Y[j])))
			}
			held += int64(4 * cap(b.scratch))
			if held > limit {
				t.Fatalf("limit %d: %d rows hold %d bytes", limit, rows+1, held)
			}
		}
		rowBytes := int64(4 * (k + n))
		if fit := limit / rowBytes; int64(rows) < fit-2*int64(b.per)-1 {
			t.Errorf("limit %d: took %d rows, want about %d (blocks of %d)", limit, rows, fit, b.per)
		}
		if b.rows != rows {
			t.Errorf("limit %d: rows %d, added %d", limit, b.rows, rows)
		}
		// Row i is (i, 0, 0) → (2i, 0): read back through the blocks.
		for i := 0; i < rows; i += 1 + rows/7 {
			_, X, Y := b.block(i / b.per)
			if r := i % b.per; X[r*k] != float32(i) || Y[r*n] != float32(2*i) {
				t.Fatalf("limit %d: row %d reads back as %v → %v", limit, i, X[r*k:r*k+k], Y[r*n:r*n+n])
			}
		}
		// A model y₀ = 2·x₀ fits output 0 exactly and misses output 1 by 0.5.
		m, err := regress.NewLinearFrom([][]float32{{2, 0, 0}, {0, 0, 0}}, []float32{0, 0.5})
		if err != nil {
			t.Fatal(err)
		}
		mf, err := m.File()
		if err != nil {
			t.Fatal(err)
		}
		met, err := b.metrics(mf)
		if err != nil {
			t.Fatal(err)
		}
		if met.Count != int64(rows) || met.MSE(0) != 0 || math.Abs(met.MSE(1)-0.25) > 1e-9 {
			t.Errorf("limit %d: metrics over %d rows, MSE %v and %v; want %d, 0 and 0.25", limit, met.Count, met.MSE(0), met.MSE(1), rows)
		}
	}
}
