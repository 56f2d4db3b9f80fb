package edgefit

// GradW and ColSums in Go, blocked as MatMulBias is (kernels_block.go): G[j,p]
// sums R[i,j]·X[i,p] over the rows i, so a block of G takes a few adjacent
// columns of R and of X, and every element is still one accumulator summed
// over i in order. The colDot loops are kept out of line (go:noinline): inlined
// into gradW2, whose many live values they then share registers with, their
// loop counter and offsets spill to the stack.

// gradOut stores α·s + β·g at g, not reading g when β is 0: the expressions
// of the plain loop, with α·s rounded on its own. Where the compiler fuses a
// multiply into an add (arm64, riscv64, ppc64le, s390x), α·s + β·g could
// become either fma(α, s, β·g) or fma(β, g, α·s), whichever the compiler
// meets first, so that two copies of the loop could differ; the conversion
// leaves only the second, the one the plain loop compiled to before.
func gradOut(g *float32, alpha, s, beta float32) {
	if beta == 0 {
		*g = alpha * s
	} else {
		*g = float32(alpha*s) + beta**g
	}
}

// gradW2 computes GradW in 2×2 blocks of G, the last odd row and column of G
// in smaller blocks.
func gradW2(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	if m == 0 {
		gradW0(n, k, alpha, beta, g, ldg)
		return
	}
	j := 0
	for ; j+2 <= n; j += 2 {
		g0, g1 := g[j*ldg:][:k], g[(j+1)*ldg:][:k]
		p := 0
		for ; p+2 <= k; p += 2 {
			s00, s01, s10, s11 := colDot2x2(m, r[j:], ldr, x[p:], ldx)
			gradOut(&g0[p], alpha, s00, beta)
			gradOut(&g0[p+1], alpha, s01, beta)
			gradOut(&g1[p], alpha, s10, beta)
			gradOut(&g1[p+1], alpha, s11, beta)
		}
		if p < k {
			s0, s1 := colDot1x2(m, x[p:], ldx, r[j:], ldr)
			gradOut(&g0[p], alpha, s0, beta)
			gradOut(&g1[p], alpha, s1, beta)
		}
	}
	if j < n {
		g0 := g[j*ldg:][:k]
		p := 0
		for ; p+2 <= k; p += 2 {
			s0, s1 := colDot1x2(m, r[j:], ldr, x[p:], ldx)
			gradOut(&g0[p], alpha, s0, beta)
			gradOut(&g0[p+1], alpha, s1, beta)
		}
		if p < k {
			gradOut(&g0[p], alpha, colDot1x1(m, r[j:], ldr, x[p:], ldx), beta)
		}
	}
}

// gradW0 is GradW over no rows: every sum is zero.
func gradW0(n, k int, alpha, beta float32, g []float32, ldg int) {
	for j := 0; j < n; j++ {
		gj := g[j*ldg : j*ldg+k]
		for p := range gj {
			var s float32
			gradOut(&gj[p], alpha, s, beta)
		}
	}
}

// gradW4 computes GradW in 4×4 blocks of G, and the columns and rows of G
// left over with gradW2.
func gradW4(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	n4, k4 := n&^3, k&^3
	if m == 0 || n4 == 0 || k4 == 0 {
		gradW2(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
		return
	}
	for j := 0; j < n4; j += 4 {
		for p := 0; p < k4; p += 4 {
			s := colDot4x4(m, r[j:], ldr, x[p:], ldx)
			for c := range s {
				gc := g[(j+c)*ldg+p:][:4]
				for q, v := range s[c] {
					gradOut(&gc[q], alpha, v, beta)
				}
			}
		}
	}
	if k4 < k {
		gradW2(m, n4, k-k4, alpha, r, ldr, x[k4:], ldx, beta, g[k4:], ldg)
	}
	if n4 < n {
		gradW2(m, n-n4, k, alpha, r[n4:], ldr, x, ldx, beta, g[n4*ldg:], ldg)
	}
}

// colDot1x1 returns Σᵢ a[i·lda]·b[i·ldb] over m ≥ 1 rows, in order.
//
//go:noinline
func colDot1x1(m int, a []float32, lda int, b []float32, ldb int) float32 {
	var s float32
	for i := 0; i < m; i++ {
		s += a[i*lda] * b[i*ldb]
	}
	return s
}

// colDot1x2 returns Σᵢ a[i·lda]·b[i·ldb] and Σᵢ a[i·lda]·b[i·ldb+1] over
// m ≥ 1 rows, each in order.
//
//go:noinline
func colDot1x2(m int, a []float32, lda int, b []float32, ldb int) (s0, s1 float32) {
	for i := 0; i < m; i++ {
		u := a[i*lda]
		v := b[i*ldb:][:2]
		s0 += u * v[0]
		s1 += u * v[1]
	}
	return s0, s1
}

// colDot2x2 returns the four sums Σᵢ a[i·lda+c]·b[i·ldb+q] for c, q < 2 over
// m ≥ 1 rows, each in order.
//
//go:noinline
func colDot2x2(m int, a []float32, lda int, b []float32, ldb int) (s00, s01, s10, s11 float32) {
	for i := 0; i < m; i++ {
		u := a[i*lda:][:2]
		v := b[i*ldb:][:2]
		s00 += u[0] * v[0]
		s01 += u[0] * v[1]
		s10 += u[1] * v[0]
		s11 += u[1] * v[1]
	}
	return s00, s01, s10, s11
}

// colDot4x4 returns the sixteen sums Σᵢ a[i·lda+c]·b[i·ldb+q] for c, q < 4
// over m ≥ 1 rows, each in order.
//
//go:noinline
func colDot4x4(m int, a []float32, lda int, b []float32, ldb int) (s [4][4]float32) {
	var s00, s01, s02, s03, s10, s11, s12, s13 float32
	var s20, s21, s22, s23, s30, s31, s32, s33 float32
	for i := 0; i < m; i++ {
		u := a[i*lda:][:4]
		v := b[i*ldb:][:4]
		u0, u1, u2, u3 := u[0], u[1], u[2], u[3]
		v0, v1, v2, v3 := v[0], v[1], v[2], v[3]
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
