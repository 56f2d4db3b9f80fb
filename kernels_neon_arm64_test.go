//go:build arm64 && gc && !purego

package edgefit

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// simdPlans are the prefetch plans of this architecture's SIMD sets.
func simdPlans() []prefetchPlan { return []prefetchPlan{neonPlan} }

// simdTiles returns a SIMD set's widest panel of MatMulBias (columns of Y)
// and its tile of GradW (rows × columns of G).
func simdTiles(*Impl) (mmN, gwN, gwK int) {
	return matMulBiasTileN, gradWTileN, gradWTileK
}

// TestMatMulBiasPanelsNoAllocs: the NEON MatMulBias packs its panels into an
// array on the wrapper's stack, never the heap, also when the inputs come in
// more than one block and the last panel is narrow or padded.
func TestMatMulBiasPanelsNoAllocs(t *testing.T) {
	for _, d := range [][3]int{{matMulBiasPanelRows, matMulBiasTileN, 1}, {40, 13, matMulBiasKC + 3}, {17, 11, 2*matMulBiasKC + 1}} {
		m, n, k := d[0], d[1], d[2]
		X, W, b, Y := make([]float32, m*k), make([]float32, n*k), make([]float32, n), make([]float32, m*n)
		if a := zeroalloc.AllocsPerRun(5, func() { neon.MatMulBias(m, n, k, X, k, W, k, b, Y, n) }); a != 0 {
			t.Errorf("MatMulBias %d×%d×%d: %v allocations per call", m, n, k, a)
		}
	}
}

// TestMatMulBiasDotSplitBitwise: the dot-product kernel (a last panel under
// matMulBiasPanelMin columns, a product under matMulBiasPanelRows rows) is
// split on its own tiles, so that a split call gives one call's bits.
func TestMatMulBiasDotSplitBitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, d := range [][3]int{{29, 3, 300}, {matMulBiasPanelRows - 1, 18, 300}} {
		m, n, k := d[0], d[1], d[2]
		X, W, b := randF32(r, m*k), randF32(r, n*k), randF32(r, n)
		tile := matMulBiasDotTileM * matMulBiasDotTileN * k
		for _, budget := range []int{tile, 5 * tile / 2, 3*tile + 1} {
			y1, y2 := make([]float32, m*n), make([]float32, m*n)
			neon.MatMulBias(m, n, k, X, k, W, k, b, y1, n)
			newNEON(splitter{budget}).MatMulBias(m, n, k, X, k, W, k, b, y2, n)
			sameBits(t, fmt.Sprintf("MatMulBias %d×%d×%d budget %d", m, n, k, budget), y1, y2)
		}
	}
}
