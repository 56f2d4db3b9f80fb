package edgefit

// MatMulBias and GradW in Go, register-blocked: each pass over the sums
// computes a block of outputs (two rows by two columns, or four by four) in
// as many independent accumulators, so that the loop is bound by the
// multiply-add throughput and not by one add's latency. Every output is still
// one accumulator summed over the inputs in order from zero, then the bias
// (or α and β), with the same expressions as the plain loops documented on
// Impl: the results are bit for bit theirs, fused or not wherever the
// compiler fuses those. genericBlock (kernels_generic_block*.go) picks the
// block that fits the architecture's floating-point registers.

// matMulBiasK0 is MatMulBias with no inputs: each output is the bias alone,
// added to zero as the plain loop does.
func matMulBiasK0(m, n int, b, y []float32, ldy int) {
	for i := 0; i < m; i++ {
		yi := y[i*ldy : i*ldy+n]
		for j := range yi {
			var s float32
			if b != nil {
				s += b[j]
			}
			yi[j] = s
		}
	}
}

// matMulBias2 computes MatMulBias (k ≥ 1) in 2×2 blocks of Y, the last odd
// row and column in 2×1, 1×2 and 1×1 blocks.
func matMulBias2(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	i := 0
	for ; i+2 <= m; i += 2 {
		x0, x1 := x[i*ldx:][:k], x[(i+1)*ldx:][:k]
		y0, y1 := y[i*ldy:][:n], y[(i+1)*ldy:][:n]
		j := 0
		for ; j+2 <= n; j += 2 {
			s00, s01, s10, s11 := dot2x2(x0, x1, w[j*ldw:][:k], w[(j+1)*ldw:][:k])
			if b != nil {
				s00 += b[j]
				s01 += b[j+1]
				s10 += b[j]
				s11 += b[j+1]
			}
			y0[j], y0[j+1], y1[j], y1[j+1] = s00, s01, s10, s11
		}
		if j < n {
			s0, s1 := dot1x2(w[j*ldw:][:k], x0, x1)
			if b != nil {
				s0 += b[j]
				s1 += b[j]
			}
			y0[j], y1[j] = s0, s1
		}
	}
	if i < m {
		x0, y0 := x[i*ldx:][:k], y[i*ldy:][:n]
		j := 0
		for ; j+2 <= n; j += 2 {
			s0, s1 := dot1x2(x0, w[j*ldw:][:k], w[(j+1)*ldw:][:k])
			if b != nil {
				s0 += b[j]
				s1 += b[j+1]
			}
			y0[j], y0[j+1] = s0, s1
		}
		if j < n {
			s := dot1x1(x0, w[j*ldw:][:k])
			if b != nil {
				s += b[j]
			}
			y0[j] = s
		}
	}
}

// matMulBias4 computes MatMulBias (k ≥ 1) in 4×4 blocks of Y, and the
// columns and rows left over with matMulBias2.
func matMulBias4(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	m4, n4 := m&^3, n&^3
	for i := 0; i < m4; i += 4 {
		for j := 0; j < n4; j += 4 {
			s := dot4x4(x[i*ldx:], ldx, w[j*ldw:], ldw, k)
			for r := range s {
				yr := y[(i+r)*ldy+j:][:4]
				for c, v := range s[r] {
					if b != nil {
						v += b[j+c]
					}
					yr[c] = v
				}
			}
		}
	}
	if m4 > 0 && n4 < n {
		var bn []float32
		if b != nil {
			bn = b[n4:]
		}
		matMulBias2(m4, n-n4, k, x, ldx, w[n4*ldw:], ldw, bn, y[n4:], ldy)
	}
	if m4 < m {
		matMulBias2(m-m4, n, k, x[m4*ldx:], ldx, w, ldw, b, y[m4*ldy:], ldy)
	}
}

// dot1x1 returns Σ a[p]·b[p], summed in order.
func dot1x1(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for p, av := range a {
		s += av * b[p]
	}
	return s
}

// dot1x2 returns Σ a[p]·b0[p] and Σ a[p]·b1[p], each summed in order.
func dot1x2(a, b0, b1 []float32) (s0, s1 float32) {
	b0, b1 = b0[:len(a)], b1[:len(a)]
	for p, av := range a {
		s0 += av * b0[p]
		s1 += av * b1[p]
	}
	return s0, s1
}

// dot2x2 returns the four sums Σ aᵢ[p]·bⱼ[p], each summed in order.
func dot2x2(a0, a1, b0, b1 []float32) (s00, s01, s10, s11 float32) {
	a1, b0, b1 = a1[:len(a0)], b0[:len(a0)], b1[:len(a0)]
	for p, u0 := range a0 {
		u1, v0, v1 := a1[p], b0[p], b1[p]
		s00 += u0 * v0
		s01 += u0 * v1
		s10 += u1 * v0
		s11 += u1 * v1
	}
	return s00, s01, s10, s11
}

// dot4x4 returns the sixteen sums of k products of the rows of a (row stride
// lda) and of b (ldb): s[r][c] = Σ a[r·lda+p]·b[c·ldb+p], each in order.
func dot4x4(a []float32, lda int, b []float32, ldb int, k int) (s [4][4]float32) {
	a0, a1, a2, a3 := a[:k], a[lda:][:k], a[2*lda:][:k], a[3*lda:][:k]
	b0, b1, b2, b3 := b[:k], b[ldb:][:k], b[2*ldb:][:k], b[3*ldb:][:k]
	var s00, s01, s02, s03, s10, s11, s12, s13 float32
	var s20, s21, s22, s23, s30, s31, s32, s33 float32
	for p, u0 := range a0 {
		u1, u2, u3 := a1[p], a2[p], a3[p]
		v0, v1, v2, v3 := b0[p], b1[p], b2[p], b3[p]
		s00 += u0 * v0
		s01 += u0 * v1
		s02 += u0 * v2
		s03 += u0 * v3
		s10 += u1 * v0
		s11 += u1 * v1
		s12 += u1 * v2
		s13 += u1 * v3
		s20 += u2 * v0
		s21 += u2 * v1
		s22 += u2 * v2
		s23 += u2 * v3
		s30 += u3 * v0
		s31 += u3 * v1
		s32 += u3 * v2
		s33 += u3 * v3
	}
	return [4][4]float32{{s00, s01, s02, s03}, {s10, s11, s12, s13}, {s20, s21, s22, s23}, {s30, s31, s32, s33}}
}
