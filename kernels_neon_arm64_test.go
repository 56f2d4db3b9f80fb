//go:build arm64 && gc && !purego

package edgefit

import (
	"math"
	"math/rand/v2"
	"testing"
)

// withChunk runs f with neonChunk set to c.
func withChunk(c int, f func()) {
	saved := neonChunk
	neonChunk = c
	defer func() { neonChunk = saved }()
	f()
}

// TestNEONSplitCalls makes the wrappers split small problems into many
// assembly calls and checks, with the suite's guards and reference, that the
// pieces cover every element exactly once, and that the matrix kernels'
// results are bit for bit those of one call (the splits fall on whole tiles).
func TestNEONSplitCalls(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	shapes := [][3]int{{1, 1, 1}, {7, 5, 9}, {13, 9, 17}, {25, 11, 40}, {40, 23, 3}, {3, 37, 50}}
	for _, chunk := range []int{1, 50, 300, 2000} {
		withChunk(chunk, func() {
			for i, s := range shapes {
				for _, c := range []kcase{
					newMM(r, s[0], s[1], s[2], modeOf(i)),
					newGW(r, s[0], s[1], s[2], modeOf(i)),
					newCS(r, s[0], s[1], modeOf(i)),
				} {
					if errs := c.run(neon, heapPlacer{}); errs.n > 0 {
						t.Errorf("neonChunk=%d: %s:\n\t%s", chunk, c, errs)
					}
				}
			}
			for _, n := range []int{1, 49, 50, 51, 333} {
				for _, c := range []kcase{newSE(r, n, false, modeOf(n)), newSE(r, n, true, modeOf(n)), newVec(r, "Dot", n, modeOf(n)), newVec(r, "Axpy", n, modeOf(n)), newPL(r, n)} {
					if errs := c.run(neon, heapPlacer{}); errs.n > 0 {
						t.Errorf("neonChunk=%d: %s:\n\t%s", chunk, c, errs)
					}
				}
			}
		})
	}

	// Bit-for-bit: the same MatMulBias and GradW in one call and in pieces.
	m, n, k := 29, 18, 35
	X, W, b, R := randF32(r, m*k), randF32(r, n*k), randF32(r, n), randF32(r, m*n)
	one, split := make([]float32, m*n), make([]float32, m*n)
	gOne, gSplit := randF32(r, n*k), make([]float32, n*k)
	copy(gSplit, gOne)
	neon.MatMulBias(m, n, k, X, k, W, k, b, one, n)
	neon.GradW(m, n, k, 0.5, R, n, X, k, 0.25, gOne, k)
	withChunk(100, func() {
		neon.MatMulBias(m, n, k, X, k, W, k, b, split, n)
		neon.GradW(m, n, k, 0.5, R, n, X, k, 0.25, gSplit, k)
	})
	for i := range one {
		if math.Float32bits(one[i]) != math.Float32bits(split[i]) {
			t.Fatalf("MatMulBias split: Y[%d] = %v, one call gives %v", i, split[i], one[i])
		}
	}
	for i := range gOne {
		if math.Float32bits(gOne[i]) != math.Float32bits(gSplit[i]) {
			t.Fatalf("GradW split: G[%d] = %v, one call gives %v", i, gSplit[i], gOne[i])
		}
	}
}

func randF32(r *rand.Rand, n int) []float32 {
	a := make([]float32, n)
	for i := range a {
		a[i] = 2*r.Float32() - 1
	}
	return a
}
