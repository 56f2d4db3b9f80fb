//go:build amd64 && gc && !purego

package edgefit

// The AVX-512 kernels: the generated assembly in linalg_amd64.s (see
// gen/amd64, the *AVX512 functions), called through the splitter of
// kernels_split.go like avx2's. The set reuses avx2's kernels where a ZMM
// version gains nothing: MatMulBias's panel of 8 or fewer columns (a ZMM
// would be half empty), GatherRows and PrefetchRows (they wait on memory,
// not on the width of a copy).

var avx512 = newAVX512(splitter{callBudget})

// newAVX512 returns the AVX-512 set calling its assembly through s.
func newAVX512(s splitter) *Impl {
	return &Impl{name: "avx512", k: kernels{
		matMulBias:   s.matMulBiasAVX512,
		sqErr:        s.sqErr(sqErrAVX512),
		sqErrSum:     s.sum(sqErrSumAVX512),
		gradW:        s.gradWAVX512,
		colSums:      s.colSumsAVX512,
		axpy:         s.axpy(axpyAVX512),
		dot:          s.sum(dotAVX512),
		gatherRows:   s.gatherRows(gatherRowsAVX2, avx2Plan),
		prefetchRows: s.prefetchRows(prefetchRowsAVX2K, avx2Plan),
		standardize:  s.standardizeAVX512,
		peakFMA:      s.peakFMA(peakFMAAVX512),
		peakLoad:     s.sum(peakLoadAVX512),
	}}
}

// matMulBiasAVX512 runs Y = X·Wᵀ + b on panels of matMulBias512TileN
// columns: matMulBias32AVX512 for 17 to 32 columns, matMulBias16AVX512 for 9
// to 16, avx2's matMulBias8AVX2 for up to 8.
func (s splitter) matMulBiasAVX512(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	s.matMulBiasPanels(matMulBias512TileN, func(nc int) matMulPanel {
		switch {
		case nc > 16:
			return matMulBias32AVX512
		case nc > 8:
			return matMulBias16AVX512
		}
		return matMulBias8AVX2
	}, m, n, k, x, ldx, w, ldw, b, y, ldy)
}

// gradWAVX512 runs G = α·Rᵀ·X + β·G on gradWAVX512's tiles; see gradWTiles.
func (s splitter) gradWAVX512(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	s.gradWTiles(gradWAVX512, gradW512TileN, gradW512TileK, m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// colSumsAVX512 runs g = α·(column sums of R) + β·g on colSumsAVX512's tiles.
func (s splitter) colSumsAVX512(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	s.colSumsTiles(colSumsAVX512, colSums512TileN, m, n, alpha, r, ldr, beta, g)
}

// standardizeAVX512 runs D = (X − mean)/scale with standardizeAVX512 as
// standardizeAVX2 does with its kernel.
func (s splitter) standardizeAVX512(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
	var p stdPattern
	if q, n, mb := s.runs(&p, m, k, ldx, ldd, 16, x, mean, scale, d); q > 0 {
		for i0 := 0; i0 < q; i0 += mb {
			standardizeAVX512(min(mb, q-i0), n, x[i0*n:], n, p.mean[:n], p.scale[:n], d[i0*n:], n)
		}
		m, x, d = m-q*n/k, x[q*n:], d[q*n:]
	}
	s.standardize(standardizeAVX512, m, k, x, ldx, mean, scale, d, ldd)
}
