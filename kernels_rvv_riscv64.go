//go:build riscv64 && gc && !purego

package edgefit

// The RISC-V Vector (RVV 1.0) kernels: the generated assembly in
// linalg_riscv64.s (see gen/riscv64), called through the splitter of
// kernels_split.go. The Impl methods have checked every length and stride;
// the assembly trusts them. The kernels are vector-length agnostic: one
// build runs on every VLEN.

var rvv = newRVV(splitter{callBudget})

// rvvPlan is gatherRowsRVV's and prefetchRowsRVV's prefetch plan, from the
// generator's values.
var rvvPlan = prefetchPlan{gatherAheadBytes, gatherMinAhead, gatherMaxAhead, prefetchMaxLines}

// newRVV returns the RVV set calling its assembly through s.
func newRVV(s splitter) *Impl {
	return &Impl{name: "rvv", k: kernels{
		matMulBias:   s.matMulBiasRVV,
		sqErr:        s.sqErr(sqErrRVV),
		sqErrSum:     s.sum(sqErrSumRVV),
		gradW:        s.gradWRVV,
		colSums:      s.colSumsRVV,
		axpy:         s.axpy(axpyRVV),
		dot:          s.sum(dotRVV),
		gatherRows:   s.gatherRows(gatherRowsRVV, rvvPlan),
		prefetchRows: s.prefetchRows(prefetchRowsRVV, rvvPlan),
		standardize:  s.standardizeRVV,
		peakFMA:      s.peakFMA(peakFMARVV),
		peakLoad:     s.sum(peakLoadRVV),
	}}
}

// matMulBiasRVV runs Y = X·Wᵀ + b on blocks of Y of whole tiles (see
// matMulBiasTiles).
func (s splitter) matMulBiasRVV(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	raceMatMulBias(m, n, k, x, ldx, w, ldw, b, y, ldy)
	s.matMulBiasTiles(matMulBiasRVV, matMulBiasTileM, matMulBiasTileN, 4, m, n, k, x, ldx, w, ldw, b, y, ldy)
}

// gradWRVV runs G = α·Rᵀ·X + β·G through the splitter's gradW.
func (s splitter) gradWRVV(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	s.gradW(gradWRVV, gradWTileN, gradWTileK, m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// colSumsRVV runs g = α·(column sums of R) + β·g through the splitter's
// colSums.
func (s splitter) colSumsRVV(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	s.colSums(colSumsRVV, colSumsTileN, m, n, alpha, r, ldr, beta, g)
}

// standardizeRVV runs D = (X − mean)/scale with standardizeRVV through the
// splitter. A strip may be short, so no row needs whole vectors, but short
// rows laid end to end (splitter.runs) share one row's loop overhead and
// fill more of each strip: runs of whole 32-lane strips, an LMUL-8 group at
// the least VLEN (128 bits), or else of whole 8-lane pieces, which admit
// more row lengths within stdPatternMax.
func (s splitter) standardizeRVV(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
	var p stdPattern
	q, n, mb := s.runs(&p, m, k, ldx, ldd, 32, x, mean, scale, d)
	if q == 0 {
		q, n, mb = s.runs(&p, m, k, ldx, ldd, 8, x, mean, scale, d)
	}
	if q > 0 {
		for i0 := 0; i0 < q; i0 += mb {
			standardizeRVV(min(mb, q-i0), n, x[i0*n:], n, p.mean[:n], p.scale[:n], d[i0*n:], n)
		}
		m, x, d = m-q*n/k, x[q*n:], d[q*n:]
	}
	s.standardize(standardizeRVV, m, k, x, ldx, mean, scale, d, ldd)
}
