//go:build arm && gc && !purego

package edgefit

// The NEON kernels for 32-bit ARM: the generated assembly in linalg_arm.s
// (see gen/arm), called through the splitter of kernels_split.go; the set
// itself is in kernels_neon.go. The kernels multiply and add with vmla.f32
// (not fused), which every ARMv7 core with NEON has, so Cortex-A8 and A9 run
// the same code as A7, A15 and the ARMv8 cores of a 32-bit OS.

// neonFlushes: NEON flushes subnormals to zero and returns the default NaN
// (see doc.go).
const neonFlushes = true

// matMulBiasNEON runs Y = X·Wᵀ + b on blocks of Y of whole tiles (see
// matMulBiasTiles).
func (s splitter) matMulBiasNEON(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	raceMatMulBias(m, n, k, x, ldx, w, ldw, b, y, ldy)
	s.matMulBiasTiles(matMulBiasNEON, matMulBiasTileM, matMulBiasTileN, matMulBiasKStep, m, n, k, x, ldx, w, ldw, b, y, ldy)
}

// standardizeNEON runs Standardize's Go loop: ARMv7's NEON has no vector
// division, and its arithmetic would flush subnormals where the loop's
// (VFP's, IEEE 754) does not.
func (s splitter) standardizeNEON(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
	standardizeGeneric(m, k, x, ldx, mean, scale, d, ldd)
}
