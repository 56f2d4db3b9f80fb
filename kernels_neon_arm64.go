//go:build arm64 && gc && !purego

package edgefit

// The NEON kernels: the generated assembly in linalg_arm64.s (see
// gen/arm64), called through the splitter of kernels_split.go; the set
// itself is in kernels_neon.go.
//
// MatMulBias packs W into panels (the one set-up), so its tiny products run
// in Go like the AVX2 set's; every other kernel and shape goes to the
// assembly.

// neonFlushes: unlike ARMv7's, AArch64's Advanced SIMD keeps subnormals and
// NaN payloads as IEEE 754 does (TestSubnormalsAndNaNs).
const neonFlushes = false

// matMulBiasNEON runs Y = X·Wᵀ + b as panels of matMulBiasTileN output
// columns, each packed (packPanel) over blocks of at most matMulBiasKC
// inputs and run by matMulBiasNEON over blocks of rows within the budget;
// blocks of inputs after the first resume from Y's partial sums, which is
// exact, and the bias comes with the last. A last panel narrower than
// matMulBiasPanelMin, and a product of fewer than matMulBiasPanelRows rows,
// go to the dot-product kernel instead. Tiny products run in Go.
func (s splitter) matMulBiasNEON(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	if k == 0 || m*n*k < tinyWork {
		matMulBiasTiny(m, n, k, x, ldx, w, ldw, b, y, ldy)
		return
	}
	raceMatMulBias(m, n, k, x, ldx, w, ldw, b, y, ldy)
	if m < matMulBiasPanelRows {
		s.matMulBiasDot(m, n, k, x, ldx, w, ldw, b, y, ldy)
		return
	}
	var panel [matMulBiasTileN * matMulBiasKC]float32
	for j0 := 0; j0 < n; j0 += matMulBiasTileN {
		nc := min(matMulBiasTileN, n-j0)
		var bj []float32
		if b != nil {
			bj = b[j0 : j0+nc]
		}
		if nc < matMulBiasPanelMin {
			s.matMulBiasDot(m, nc, k, x, ldx, w[j0*ldw:], ldw, bj, y[j0:], ldy)
			continue
		}
		for p0 := 0; p0 < k; p0 += matMulBiasKC {
			kc := min(matMulBiasKC, k-p0)
			packPanel(panel[:matMulBiasTileN*kc], w[j0*ldw+p0:], ldw, nc, kc)
			accum, bias := 0, []float32(nil)
			if p0 > 0 {
				accum = 1
			}
			if p0+kc == k {
				bias = bj
			}
			mb := s.block(m, matMulBiasTileN*kc, matMulBiasTileM)
			for i0 := 0; i0 < m; i0 += mb {
				matMulBiasNEON(min(mb, m-i0), kc, nc, x[i0*ldx+p0:], ldx, panel[:], bias, y[i0*ldy+j0:], ldy, accum)
			}
		}
	}
}

// packPanel writes the panel kc inputs by matMulBiasTileN columns that
// matMulBiasNEON reads: dst[8p+j] = w[j·ldw+p] for the nc rows of w, zeros
// for the columns past them. The rows are sliced to one length first so
// that the copy loop needs no bounds checks but dst's.
func packPanel(dst, w []float32, ldw, nc, kc int) {
	var rows [matMulBiasTileN][]float32
	for j := range rows {
		rows[j] = zeroInputs[:kc]
		if j < nc {
			rows[j] = w[j*ldw : j*ldw+kc]
		}
	}
	r0 := rows[0]
	r1, r2, r3 := rows[1][:len(r0)], rows[2][:len(r0)], rows[3][:len(r0)]
	r4, r5, r6, r7 := rows[4][:len(r0)], rows[5][:len(r0)], rows[6][:len(r0)], rows[7][:len(r0)]
	for p := range r0 {
		d := dst[matMulBiasTileN*p : matMulBiasTileN*p+8 : matMulBiasTileN*p+8]
		d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
		d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
	}
}

// zeroInputs stands for the rows of W past a narrow panel's last.
var zeroInputs [matMulBiasKC]float32

// A panel's rows are the eight packPanel copies.
const _ = uint(matMulBiasTileN-8) + uint(8-matMulBiasTileN)

// matMulBiasDot runs Y = X·Wᵀ + b with the dot-product kernel on blocks of
// Y of whole tiles (see matMulBiasTiles).
func (s splitter) matMulBiasDot(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	s.matMulBiasTiles(matMulBiasDotNEON, matMulBiasDotTileM, matMulBiasDotTileN, 4, m, n, k, x, ldx, w, ldw, b, y, ldy)
}

// standardizeNEON runs D = (X − mean)/scale with standardizeNEON: short rows
// laid end to end as runs of whole vectors (splitter.runs), the rest row by
// row through the splitter.
func (s splitter) standardizeNEON(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
	var p stdPattern
	if q, n, mb := s.runs(&p, m, k, ldx, ldd, 4, x, mean, scale, d); q > 0 {
		for i0 := 0; i0 < q; i0 += mb {
			standardizeNEON(min(mb, q-i0), n, x[i0*n:], n, p.mean[:n], p.scale[:n], d[i0*n:], n)
		}
		m, x, d = m-q*n/k, x[q*n:], d[q*n:]
	}
	s.standardize(standardizeNEON, m, k, x, ldx, mean, scale, d, ldd)
}
