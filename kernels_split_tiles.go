//go:build (arm || arm64 || riscv64) && gc && !purego

package edgefit

// matMulTileKernel is a MatMulBias assembly kernel that computes Y = X·Wᵀ + b
// on whole tiles of Y straight from W (arm's matMulBiasNEON, arm64's
// matMulBiasDotNEON, matMulBiasRVV): with accum = 1 it adds to Y instead,
// and a b of length 0 means no bias.
type matMulTileKernel func(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int, accum int)

// matMulBiasTiles runs asm on blocks of Y of whole tiles of tileM rows by
// tileN columns, so that every element is computed as one call would, and,
// when one tile's inputs are over the budget, on blocks of a multiple of
// kStep inputs, the later ones adding to Y (an order within the documented
// bound); the bias comes with the first block. A nil b passes through: its
// length, 0, is how the assembly knows there is no bias. The caller reports
// the operands to the race detector (raceMatMulBias).
func (s splitter) matMulBiasTiles(asm matMulTileKernel, tileM, tileN, kStep, m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	kb := s.block(k, tileM*tileN, kStep)
	nb := s.block(n, tileM*kb, tileN)
	mb := s.block(m, nb*kb, tileM)
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
				asm(min(mb, m-i0), nc, kc, x[i0*ldx+p0:], ldx, w[j0*ldw+p0:], ldw, bj, y[i0*ldy+j0:], ldy, accum)
			}
			if p0+kb >= k {
				break
			}
		}
	}
}
