package regress

import "math"

// Every product that is added is converted to float64, which forbids the
// compiler to fuse it into a multiply-add (as it may on arm64): the same rows
// then give the same bits on every architecture, and the error-free
// transformations of the double-double code stay exact.

// qrHouseholder reduces [R; B] to upper triangular form, leaving the new
// triangle in R: R is p×p row-major upper triangular and B has the given rows,
// column-major with leading dimension ld (B is overwritten). Column j's
// reflection, LAPACK's dlarfg, maps (R[j][j], B[:,j]) onto (β, 0…).
func qrHouseholder(r []float64, p int, buf []float64, ld, rows int) {
	for j := 0; j < p; j++ {
		v := buf[j*ld : j*ld+rows]
		alpha := r[j*p+j]
		beta, ok := qrReflectNorm(alpha, v)
		if !ok {
			continue
		}
		beta = -math.Copysign(beta, alpha)
		tau := (beta - alpha) / beta
		if d := alpha - beta; math.Abs(d) > 0x1p-1000 {
			qrScal(1/d, v)
		} else { // the reciprocal would overflow
			for i := range v {
				v[i] /= d
			}
		}
		r[j*p+j] = beta
		rj := r[j*p : j*p+p]
		c := j + 1
		for ; c+4 <= p; c += 4 {
			qrApply4(tau, v, rj[c:c+4], buf[c*ld:c*ld+rows], buf[(c+1)*ld:(c+1)*ld+rows],
				buf[(c+2)*ld:(c+2)*ld+rows], buf[(c+3)*ld:(c+3)*ld+rows])
		}
		if c+2 <= p {
			qrApply2(tau, v, rj[c:c+2], buf[c*ld:c*ld+rows], buf[(c+1)*ld:(c+1)*ld+rows])
			c += 2
		}
		if c < p {
			col := buf[c*ld : c*ld+rows]
			w := float64(tau * (rj[c] + qrDot(v, col)))
			rj[c] -= w
			qrAxpy(-w, v, col)
		}
	}
}

// qrApply2 is qrApply4 for two columns.
func qrApply2(tau float64, v, r, c0, c1 []float64) {
	c0, c1 = c0[:len(v)], c1[:len(v)]
	r = r[:2]
	var d0, d1 float64
	for i, x := range v {
		d0 += float64(x * c0[i])
		d1 += float64(x * c1[i])
	}
	w0, w1 := float64(tau*(r[0]+d0)), float64(tau*(r[1]+d1))
	r[0] -= w0
	r[1] -= w1
	for i, x := range v {
		c0[i] -= float64(w0 * x)
		c1[i] -= float64(w1 * x)
	}
}

// qrApply4 applies the reflection I − τ·(1,v)(1,v)ᵀ to four columns at once,
// each made of its entry in R's row (r) and its block column: one pass over v
// serves four columns.
func qrApply4(tau float64, v, r, c0, c1, c2, c3 []float64) {
	c0, c1, c2, c3 = c0[:len(v)], c1[:len(v)], c2[:len(v)], c3[:len(v)]
	r = r[:4]
	var d0, d1, d2, d3 float64
	for i, x := range v {
		d0 += float64(x * c0[i])
		d1 += float64(x * c1[i])
		d2 += float64(x * c2[i])
		d3 += float64(x * c3[i])
	}
	w0, w1, w2, w3 := float64(tau*(r[0]+d0)), float64(tau*(r[1]+d1)), float64(tau*(r[2]+d2)), float64(tau*(r[3]+d3))
	r[0] -= w0
	r[1] -= w1
	r[2] -= w2
	r[3] -= w3
	for i, x := range v {
		c0[i] -= float64(w0 * x)
		c1[i] -= float64(w1 * x)
		c2[i] -= float64(w2 * x)
		c3[i] -= float64(w3 * x)
	}
}

// qrReflectNorm returns √(alpha² + ‖v‖²) and whether v is non-zero (else the
// reflection is the identity). It rescales when the squares would overflow
// or lose precision to underflow.
func qrReflectNorm(alpha float64, v []float64) (float64, bool) {
	s := qrDot(v, v)
	if s == 0 {
		for _, x := range v {
			if x != 0 {
				return qrScaledNorm(alpha, v), true
			}
		}
		return 0, false
	}
	t := float64(alpha*alpha) + s
	if t > 0x1p-900 && t < 0x1p900 {
		return math.Sqrt(t), true
	}
	return qrScaledNorm(alpha, v), true
}

func qrScaledNorm(alpha float64, v []float64) float64 {
	m := math.Abs(alpha)
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	a := alpha / m
	s := a * a
	for _, x := range v {
		x /= m
		s += float64(x * x)
	}
	return m * math.Sqrt(s)
}

func qrDot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i] * y[i])
		s1 += float64(x[i+1] * y[i+1])
		s2 += float64(x[i+2] * y[i+2])
		s3 += float64(x[i+3] * y[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i] * y[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// qrAxpy computes y += a·x.
func qrAxpy(a float64, x, y []float64) {
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		y[i] += float64(a * x[i])
		y[i+1] += float64(a * x[i+1])
		y[i+2] += float64(a * x[i+2])
		y[i+3] += float64(a * x[i+3])
	}
	for ; i < len(x); i++ {
		y[i] += float64(a * x[i])
	}
}

func qrScal(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}
