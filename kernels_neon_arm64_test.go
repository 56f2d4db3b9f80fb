//go:build arm64 && gc && !purego

package edgefit

import "testing"

// simdPlans are the prefetch plans of this architecture's SIMD sets.
func simdPlans() []prefetchPlan { return []prefetchPlan{neonPlan} }

// TestMatMulBiasPanelsNoAllocs: the NEON MatMulBias packs its panels into an
// array on the wrapper's stack, never the heap, also when the inputs come in
// more than one block and the last panel is narrow or padded.
func TestMatMulBiasPanelsNoAllocs(t *testing.T) {
	for _, d := range [][3]int{{matMulBiasPanelRows, matMulBiasTileN, 1}, {40, 13, matMulBiasKC + 3}, {17, 11, 2*matMulBiasKC + 1}} {
		m, n, k := d[0], d[1], d[2]
		X, W, b, Y := make([]float32, m*k), make([]float32, n*k), make([]float32, n), make([]float32, m*n)
		if a := testing.AllocsPerRun(5, func() { neon.MatMulBias(m, n, k, X, k, W, k, b, Y, n) }); a != 0 {
			t.Errorf("MatMulBias %d×%d×%d: %v allocations per call", m, n, k, a)
		}
	}
}
