package edgefit

import (
	"math"
	"math/rand"
	"testing"
)

// TestMatMulBiasTinyExact checks the claim of kernels_tiny.go that the tiny
// path sums in the generic loop's order: bit-identical results, signed zeros
// and NaN payloads aside (compared as values). The tolerance-based kernel suite
// would not notice a reordering.
func TestMatMulBiasTinyExact(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for k := 1; k <= 6; k++ {
		for _, sh := range [][2]int{{1, 1}, {5, 2}, {3, 7}} {
			m, n := sh[0], sh[1]
			ldx, ldw, ldy := k+1, k+2, n+3
			X, W, b := make([]float32, m*ldx), make([]float32, n*ldw), make([]float32, n)
			for _, a := range [][]float32{X, W, b} {
				for i := range a {
					// Wide exponents so that the order of the sum matters.
					a[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.Intn(40)-20)))
				}
			}
			for _, bias := range [][]float32{b, nil} {
				got, want := make([]float32, m*ldy), make([]float32, m*ldy)
				matMulBiasTiny(m, n, k, X, ldx, W, ldw, bias, got, ldy)
				matMulBiasGeneric(m, n, k, X, ldx, W, ldw, bias, want, ldy)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("k=%d %dx%d bias=%v: Y[%d] = %v, generic %v", k, m, n, bias != nil, i, got[i], want[i])
					}
				}
			}
		}
	}
}
