//go:build (arm || arm64) && gc && !purego

package edgefit

// What the NEON sets of arm and arm64 share: the kernel table, whose
// assembly (linalg_arm.s, linalg_arm64.s: see gen/arm and gen/arm64) has the
// same names and signatures on both but for MatMulBias (matMulBiasNEON in
// kernels_neon_arm.go and kernels_neon_arm64.go), called through the
// splitter of kernels_split.go. The Impl methods have checked every length
// and stride; the assembly trusts them. Standardize is the other exception
// (standardizeNEON): arm64 has its assembly, while 32-bit ARM, whose NEON
// has no vector division and flushes subnormals, runs its Go loop.

var neon = newNEON(splitter{callBudget})

// neonPlan is gatherRowsNEON's prefetch plan, from the generator's values.
var neonPlan = prefetchPlan{gatherAheadBytes, gatherMinAhead, gatherMaxAhead, prefetchMaxLines}

// newNEON returns the NEON set calling its assembly through s.
func newNEON(s splitter) *Impl {
	return &Impl{name: "neon", k: kernels{
		matMulBias:   s.matMulBiasNEON,
		sqErr:        s.sqErr(sqErrNEON),
		sqErrSum:     s.sum(sqErrSumNEON),
		gradW:        s.gradWNEON,
		colSums:      s.colSumsNEON,
		axpy:         s.axpy(axpyNEON),
		dot:          s.sum(dotNEON),
		gatherRows:   s.gatherRows(gatherRowsNEON, neonPlan),
		prefetchRows: s.prefetchRows(prefetchRowsNEONK, neonPlan),
		standardize:  s.standardizeNEON,
		peakFMA:      s.peakFMA(peakFMANEON),
		peakLoad:     s.sum(peakLoadNEON),
	}, flushes: neonFlushes}
}

// prefetchRowsNEONK adapts prefetchRowsNEON, which works out each row's
// lines from its address (at most prefetchMaxLines), to the splitter's
// prefetchKernel.
func prefetchRowsNEONK(k int, idx []int, x []float32, ldx, lines, last int) {
	prefetchRowsNEON(k, idx, x, ldx)
}

// gradWNEON runs G = α·Rᵀ·X + β·G through the splitter's gradW.
func (s splitter) gradWNEON(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	s.gradW(gradWNEON, gradWTileN, gradWTileK, m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// colSumsNEON runs g = α·(column sums of R) + β·g through the splitter's
// colSums.
func (s splitter) colSumsNEON(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	s.colSums(colSumsNEON, colSumsTileN, m, n, alpha, r, ldr, beta, g)
}
