//go:build arm && gc && !purego

package edgefit

// The NEON kernels for 32-bit ARM: the generated assembly in linalg_arm.s
// (see gen/arm), called through the splitter of kernels_split.go. The Impl
// methods have checked every length and stride; the assembly trusts them.
// The kernels multiply and add with vmla.f32 (not fused), which every ARMv7
// core with NEON has, so Cortex-A8 and A9 run the same code as A7, A15 and
// the ARMv8 cores of a 32-bit OS. NEON flushes subnormals to zero and
// returns the default NaN (see doc.go).

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
		peakFMA:      s.peakFMA(peakFMANEON),
		peakLoad:     s.sum(peakLoadNEON),
	}, flushes: true}
}

// prefetchRowsNEONK adapts prefetchRowsNEON, which works out each row's
// lines from its address (at most prefetchMaxLines), to the splitter's
// prefetchKernel.
func prefetchRowsNEONK(k int, idx []int, x []float32, ldx, lines, last int) {
	prefetchRowsNEON(k, idx, x, ldx)
}

// matMulBiasNEON runs Y = X·Wᵀ + b on blocks of Y of whole tiles, so that
// every element is computed as one call would, and, when one tile's inputs
// are over the budget, on blocks of inputs, the later ones adding to Y (an
// order within the documented bound). A nil b passes through: its length,
// 0, is how the assembly knows there is no bias.
func (s splitter) matMulBiasNEON(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	raceReadMatrix(x, m, k, ldx)
	raceReadMatrix(w, n, k, ldw)
	if b != nil {
		raceRead(b[:n])
	}
	raceWriteMatrix(y, m, n, ldy)
	kb := s.block(k, matMulBiasTileM*matMulBiasTileN, matMulBiasKStep)
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
				matMulBiasNEON(min(mb, m-i0), nc, kc, x[i0*ldx+p0:], ldx, w[j0*ldw+p0:], ldw, bj, y[i0*ldy+j0:], ldy, accum)
			}
			if p0+kb >= k {
				break
			}
		}
	}
}

// gradWNEON runs G = α·Rᵀ·X + β·G through the splitter's gradW.
func (s splitter) gradWNEON(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	raceReadMatrix(r, m, n, ldr)
	raceReadMatrix(x, m, k, ldx)
	if beta != 0 {
		raceReadMatrix(g, n, k, ldg)
	}
	raceWriteMatrix(g, n, k, ldg)
	s.gradW(gradWNEON, gradWTileN, gradWTileK, m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// colSumsNEON runs g = α·(column sums of R) + β·g through the splitter's
// colSums.
func (s splitter) colSumsNEON(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	g = g[:n]
	raceReadMatrix(r, m, n, ldr)
	if beta != 0 {
		raceRead(g)
	}
	raceWrite(g)
	s.colSums(colSumsNEON, colSumsTileN, m, n, alpha, r, ldr, beta, g)
}
