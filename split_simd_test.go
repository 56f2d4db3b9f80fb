//go:build (amd64 || arm64 || arm || riscv64) && gc && !purego

package edgefit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSplitBitwise: MatMulBias split on tiles of Y with the budget of one
// tile over all inputs (and, on amd64, on the blocks of inputs one call
// takes too), and GradW split on tiles of G with the budget of one tile's sum
// over all rows, give bit for bit the results of one call.
func TestSplitBitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	m, n, k := 29, 18, 300
	X, W, b, R := randF32(r, m*k), randF32(r, n*k), randF32(r, n), randF32(r, m*n)
	gInit := randF32(r, n*k)
	for i, one := range simdImpls() {
		tn, gn, gk := simdTiles(one)
		mmTile, gwTile := matMulBiasTileM*tn*k, gn*gk*m
		for _, budget := range []int{mmTile, 3*mmTile + 1} {
			split := simdSplit(splitter{budget})[i]
			y1, y2 := make([]float32, m*n), make([]float32, m*n)
			one.MatMulBias(m, n, k, X, k, W, k, b, y1, n)
			split.MatMulBias(m, n, k, X, k, W, k, b, y2, n)
			sameBits(t, fmt.Sprintf("%s MatMulBias budget %d", one, budget), y1, y2)
		}
		for _, budget := range []int{gwTile, 3*gwTile + 1} {
			split := simdSplit(splitter{budget})[i]
			g1, g2 := append([]float32(nil), gInit...), append([]float32(nil), gInit...)
			one.GradW(m, n, k, 0.5, R, n, X, k, 0.25, g1, k)
			split.GradW(m, n, k, 0.5, R, n, X, k, 0.25, g2, k)
			sameBits(t, fmt.Sprintf("%s GradW budget %d", one, budget), g1, g2)
		}
	}
}

func sameBits(t *testing.T, what string, want, got []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
			t.Fatalf("%s: element %d = %v, one call gives %v", what, i, got[i], want[i])
		}
	}
}
