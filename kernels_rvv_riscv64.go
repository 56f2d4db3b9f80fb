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
		peakFMA:      s.peakFMA(peakFMARVV),
		peakLoad:     s.sum(peakLoadRVV),
	}}
}

// matMulBiasRVV runs Y = X·Wᵀ + b on blocks of Y of whole tiles, so that
// every element is computed as one call would, and, when one tile's inputs
// are over the budget, on blocks of inputs, the later ones adding to Y (an
// order within the documented bound). A nil b passes through: its length,
// 0, is how the assembly knows there is no bias.
func (s splitter) matMulBiasRVV(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	raceReadMatrix(x, m, k, ldx)
	raceReadMatrix(w, n, k, ldw)
	if b != nil {
		raceRead(b[:n])
	}
	raceWriteMatrix(y, m, n, ldy)
	kb := s.block(k, matMulBiasTileM*matMulBiasTileN, 4)
	nb := s.block(n, matMulBiasTileM*kb, matMulBiasTileN)
	mb := s.block(m, nb*kb, matMulBiasTileM)
	for j0 := 0; j0 < n; j0 += nb {
		nc := min(nb, n-j0)
		for p0 := 0; ; p0 += kb { // once when k is 0: the bias alone
			kc, accum, bj := min(kb, k-p0), 0, []float32(nil)
			if p0 > 0 {
				accum = 1
			} else if b != nil {
				bj = b[j0 : j0+nc]
			}
			for i0 := 0; i0 < m; i0 += mb {
				matMulBiasRVV(min(mb, m-i0), nc, kc, x[i0*ldx+p0:], ldx, w[j0*ldw+p0:], ldw, bj, y[i0*ldy+j0:], ldy, accum)
			}
			if p0+kb >= k {
				break
			}
		}
	}
}

// gradWRVV runs G = α·Rᵀ·X + β·G through the splitter's gradW.
func (s splitter) gradWRVV(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	raceReadMatrix(r, m, n, ldr)
	raceReadMatrix(x, m, k, ldx)
	if beta != 0 {
		raceReadMatrix(g, n, k, ldg)
	}
	raceWriteMatrix(g, n, k, ldg)
	s.gradW(gradWRVV, gradWTileN, gradWTileK, m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// colSumsRVV runs g = α·(column sums of R) + β·g through the splitter's
// colSums.
func (s splitter) colSumsRVV(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	g = g[:n]
	raceReadMatrix(r, m, n, ldr)
	if beta != 0 {
		raceRead(g)
	}
	raceWrite(g)
	s.colSums(colSumsRVV, colSumsTileN, m, n, alpha, r, ldr, beta, g)
}
