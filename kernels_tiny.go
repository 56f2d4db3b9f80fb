package edgefit

// The one fast path for tiny shapes: a product of fewer than tinyWork
// multiply-adds (m·n·k for MatMulBias and GradW, m·n adds for ColSums) runs
// in Go, where setting up vector code (packing a panel, masks, reductions)
// costs about as much as the whole product, as for the tutorial's 5×3×2;
// from there on the vector code is faster (bench/results/NOTES.md). Only the
// sets whose kernels pay such a set-up use it: avx2 and avx512 for all
// three, arm64's neon for MatMulBias (it packs panels of W).
const tinyWork = 64

// matMulBiasTiny runs MatMulBias on a tiny product: for 1 ≤ k ≤ 4 (the
// tutorial has 3) a loop per input count with the row of X in locals and
// each output a fixed expression, otherwise the generic loop. Each sums in
// exactly the order of the generic loop (from 0, input by input, then the
// bias), so the results are bit for bit those of matMulBiasGeneric.
func matMulBiasTiny(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	switch k {
	case 1:
		matMulBiasK1(m, n, x, ldx, w, ldw, b, y, ldy)
	case 2:
		matMulBiasK2(m, n, x, ldx, w, ldw, b, y, ldy)
	case 3:
		matMulBiasK3(m, n, x, ldx, w, ldw, b, y, ldy)
	case 4:
		matMulBiasK4(m, n, x, ldx, w, ldw, b, y, ldy)
	default:
		matMulBiasGeneric(m, n, k, x, ldx, w, ldw, b, y, ldy)
	}
}

func matMulBiasK1(m, n int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	for i := 0; i < m; i++ {
		xi := x[i*ldx : i*ldx+1]
		x0 := xi[0]
		yi := y[i*ldy : i*ldy+n]
		if b != nil {
			b := b[:len(yi)]
			for j := range yi {
				wj := w[j*ldw : j*ldw+1]
				var s float32
				s += x0 * wj[0]
				yi[j] = s + b[j]
			}
			continue
		}
		for j := range yi {
			wj := w[j*ldw : j*ldw+1]
			var s float32
			s += x0 * wj[0]
			yi[j] = s
		}
	}
}

func matMulBiasK2(m, n int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	for i := 0; i < m; i++ {
		xi := x[i*ldx : i*ldx+2]
		x0, x1 := xi[0], xi[1]
		yi := y[i*ldy : i*ldy+n]
		if b != nil {
			b := b[:len(yi)]
			for j := range yi {
				wj := w[j*ldw : j*ldw+2]
				var s float32
				s += x0 * wj[0]
				s += x1 * wj[1]
				yi[j] = s + b[j]
			}
			continue
		}
		for j := range yi {
			wj := w[j*ldw : j*ldw+2]
			var s float32
			s += x0 * wj[0]
			s += x1 * wj[1]
			yi[j] = s
		}
	}
}

func matMulBiasK3(m, n int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	for i := 0; i < m; i++ {
		xi := x[i*ldx : i*ldx+3]
		x0, x1, x2 := xi[0], xi[1], xi[2]
		yi := y[i*ldy : i*ldy+n]
		if b != nil {
			b := b[:len(yi)]
			for j := range yi {
				wj := w[j*ldw : j*ldw+3]
				var s float32
				s += x0 * wj[0]
				s += x1 * wj[1]
				s += x2 * wj[2]
				yi[j] = s + b[j]
			}
			continue
		}
		for j := range yi {
			wj := w[j*ldw : j*ldw+3]
			var s float32
			s += x0 * wj[0]
			s += x1 * wj[1]
			s += x2 * wj[2]
			yi[j] = s
		}
	}
}

func matMulBiasK4(m, n int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	for i := 0; i < m; i++ {
		xi := x[i*ldx : i*ldx+4]
		x0, x1, x2, x3 := xi[0], xi[1], xi[2], xi[3]
		yi := y[i*ldy : i*ldy+n]
		if b != nil {
			b := b[:len(yi)]
			for j := range yi {
				wj := w[j*ldw : j*ldw+4]
				var s float32
				s += x0 * wj[0]
				s += x1 * wj[1]
				s += x2 * wj[2]
				s += x3 * wj[3]
				yi[j] = s + b[j]
			}
			continue
		}
		for j := range yi {
			wj := w[j*ldw : j*ldw+4]
			var s float32
			s += x0 * wj[0]
			s += x1 * wj[1]
			s += x2 * wj[2]
			s += x3 * wj[3]
			yi[j] = s
		}
	}
}
