package edgefit

// matMulBiasTiny is MatMulBias for at most four inputs, the tutorial's shape
// (3 inputs): the row of X is held in locals and each output is one
// expression, with no inner loop. It sums in exactly the order of the generic
// loop (from 0, input by input, then the bias), so the results are the same.
// It reports false, doing nothing, for k > 4.
func matMulBiasTiny(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) bool {
	if k < 1 || k > 4 {
		return false
	}
	var xr [4]float32
	for i := 0; i < m; i++ {
		copy(xr[:k], x[i*ldx:i*ldx+k])
		yi := y[i*ldy : i*ldy+n]
		for j := range yi {
			wj := w[j*ldw : j*ldw+k]
			var s float32
			switch k {
			case 4:
				s += xr[0] * wj[0]
				s += xr[1] * wj[1]
				s += xr[2] * wj[2]
				s += xr[3] * wj[3]
			case 3:
				s += xr[0] * wj[0]
				s += xr[1] * wj[1]
				s += xr[2] * wj[2]
			case 2:
				s += xr[0] * wj[0]
				s += xr[1] * wj[1]
			default:
				s += xr[0] * wj[0]
			}
			if b != nil {
				s += b[j]
			}
			yi[j] = s
		}
	}
	return true
}
