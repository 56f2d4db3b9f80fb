//go:build amd64 && gc && !purego

package edgefit

// The AVX2+FMA kernels: the generated assembly in linalg_amd64.s (see
// gen/amd64), called through the splitter of kernels_split.go, and the Go
// loops for tiny products (kernels_tiny.go). The Impl methods have checked
// every length and stride; the assembly trusts them.

var avx2 = newAVX2(splitter{callBudget})

// avx2Plan is gatherRowsAVX2's prefetch plan, from the generator's values.
var avx2Plan = prefetchPlan{gatherAheadBytes, gatherMinAhead, gatherMaxAhead, prefetchMaxLines}

// newAVX2 returns the AVX2 set calling its assembly through s.
func newAVX2(s splitter) *Impl {
	return &Impl{name: "avx2", k: kernels{
		matMulBias:   s.matMulBiasAVX2,
		sqErr:        s.sqErr(sqErrAVX2),
		sqErrSum:     s.sum(sqErrSumAVX2),
		gradW:        s.gradWAVX2,
		colSums:      s.colSumsAVX2,
		axpy:         s.axpy(axpyAVX2),
		dot:          s.sum(dotAVX2),
		gatherRows:   s.gatherRows(gatherRowsAVX2, avx2Plan),
		prefetchRows: s.prefetchRows(prefetchRowsAVX2K, avx2Plan),
		standardize:  s.standardizeAVX2,
		peakFMA:      s.peakFMA(peakFMAAVX2),
		peakLoad:     s.sum(peakLoadAVX2),
	}}
}

// The splitter's calls of sqErrAVX2 are all long enough for its
// non-temporal stores: a budget below sqErrStreamMin elements does not
// compile.
const _ = uint(callBudget - sqErrStreamMin)

// prefetchRowsAVX2K adapts prefetchRowsAVX2, which needs no row length, to
// the splitter's prefetchKernel.
func prefetchRowsAVX2K(k int, idx []int, x []float32, ldx, lines, last int) {
	prefetchRowsAVX2(idx, x, ldx, lines, last)
}

// matMulBiasAVX2 runs Y = X·Wᵀ + b on avx2's panels: matMulBias16AVX2 for 9
// to 16 columns, matMulBias8AVX2 for up to 8.
func (s splitter) matMulBiasAVX2(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	s.matMulBiasPanels(matMulBiasTileN, func(nc int) matMulPanel {
		if nc > 8 {
			return matMulBias16AVX2
		}
		return matMulBias8AVX2
	}, m, n, k, x, ldx, w, ldw, b, y, ldy)
}

// matMulPanel is one panel kernel of MatMulBias: nc columns of Y over kc
// inputs (see matMulBias16AVX2).
type matMulPanel func(m, kc, nc int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int, accum bool)

// matMulBiasPanels runs Y = X·Wᵀ + b as panels of tileN (or, for the last
// one, fewer) output columns, each computed by the kernel panel returns for
// its width, over blocks of at most matMulBiasKC inputs, blocks after the
// first accumulating into Y, and each over blocks of rows within the budget,
// on multiples of matMulBiasTileM, which every panel's micro-kernels divide.
// Every element is summed in the same order however the rows are split.
func (s splitter) matMulBiasPanels(tileN int, panel func(nc int) matMulPanel, m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	if k == 0 || m*n*k < tinyWork {
		matMulBiasTiny(m, n, k, x, ldx, w, ldw, b, y, ldy)
		return
	}
	raceMatMulBias(m, n, k, x, ldx, w, ldw, b, y, ldy)
	for j0 := 0; j0 < n; j0 += tileN {
		nc := min(tileN, n-j0)
		asm := panel(nc)
		var bj []float32
		if b != nil {
			bj = b[j0:]
		}
		for p0 := 0; p0 < k; p0 += matMulBiasKC {
			kc := min(matMulBiasKC, k-p0)
			mb := s.block(m, tileN*kc, matMulBiasTileM)
			for i0 := 0; i0 < m; i0 += mb {
				mc := min(mb, m-i0)
				asm(mc, kc, nc, x[i0*ldx+p0:], ldx, w[j0*ldw+p0:], ldw, bj, y[i0*ldy+j0:], ldy, p0 > 0)
			}
		}
	}
}

// gradWAVX2 runs G = α·Rᵀ·X + β·G on avx2's tiles; see gradWTiles.
func (s splitter) gradWAVX2(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	s.gradWTiles(gradWAVX2, gradWTileN, gradWTileK, m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// gradWTiles runs G = α·Rᵀ·X + β·G with asm in blocks of G on whole tiles
// of tileN×tileK (each element summed as one call would) and, when even one
// tile's column of rows is over the budget, in blocks of rows, the later
// ones adding to G.
func (s splitter) gradWTiles(asm gradWKernel, tileN, tileK, m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	if m*n*k < tinyWork {
		gradWGeneric(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
		return
	}
	s.gradW(asm, tileN, tileK, m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// colSumsAVX2 runs g = α·(column sums of R) + β·g on avx2's tiles.
func (s splitter) colSumsAVX2(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	s.colSumsTiles(colSumsAVX2, colSumsTileN, m, n, alpha, r, ldr, beta, g)
}

// colSumsTiles runs g = α·(column sums of R) + β·g with asm like gradWTiles.
func (s splitter) colSumsTiles(asm colSumsKernel, tileN, m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	if m*n < tinyWork {
		colSumsGeneric(m, n, alpha, r, ldr, beta, g)
		return
	}
	s.colSums(asm, tileN, m, n, alpha, r, ldr, beta, g)
}

// standardizeAVX2 runs D = (X − mean)/scale with standardizeAVX2: short rows
// laid end to end as runs of whole vectors (splitter.runs), the rest row by
// row through the splitter.
func (s splitter) standardizeAVX2(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
	var p stdPattern
	if q, n, mb := s.runs(&p, m, k, ldx, ldd, 8, x, mean, scale, d); q > 0 {
		for i0 := 0; i0 < q; i0 += mb {
			standardizeAVX2(min(mb, q-i0), n, x[i0*n:], n, p.mean[:n], p.scale[:n], d[i0*n:], n)
		}
		m, x, d = m-q*n/k, x[q*n:], d[q*n:]
	}
	s.standardize(standardizeAVX2, m, k, x, ldx, mean, scale, d, ldd)
}
