package edgefit

// The Go versions of every kernel: the fallback wherever no assembly runs and
// the reference the assembly is tested against. Each is the loop documented on
// the corresponding Impl method, written so it is plainly that loop.

var generic = &Impl{name: "generic", k: kernels{
	matMulBias:   matMulBiasGeneric,
	sqErr:        sqErrGeneric,
	sqErrSum:     sqErrSumGeneric,
	gradW:        gradWGeneric,
	colSums:      colSumsGeneric,
	axpy:         axpyGeneric,
	dot:          dotGeneric,
	gatherRows:   gatherRowsGeneric,
	prefetchRows: prefetchRowsGeneric,
	peakFMA:      peakFMAGeneric,
	peakLoad:     peakLoadGeneric,
}}

func matMulBiasGeneric(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	for i := 0; i < m; i++ {
		// With k = 0, X and W may be empty slices: the min keeps the
		// (empty) row slices in range.
		xi := x[min(i*ldx, len(x)):][:k]
		yi := y[i*ldy : i*ldy+n]
		for j := range yi {
			wj := w[min(j*ldw, len(w)):][:k]
			var s float32
			for p, xv := range xi {
				s += xv * wj[p]
			}
			if b != nil {
				s += b[j]
			}
			yi[j] = s
		}
	}
}

func sqErrGeneric(r, p, t []float32) float32 {
	p = p[:len(r)]
	t = t[:len(r)]
	var s float32
	for i := range r {
		d := p[i] - t[i]
		r[i] = d
		s += d * d
	}
	return s
}

func sqErrSumGeneric(p, t []float32) float32 {
	t = t[:len(p)]
	var s float32
	for i := range p {
		d := p[i] - t[i]
		s += d * d
	}
	return s
}

func gradWGeneric(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	for j := 0; j < n; j++ {
		gj := g[j*ldg : j*ldg+k]
		for p := range gj {
			var s float32
			for i := 0; i < m; i++ {
				s += r[i*ldr+j] * x[i*ldx+p]
			}
			if beta == 0 {
				gj[p] = alpha * s
			} else {
				gj[p] = alpha*s + beta*gj[p]
			}
		}
	}
}

func colSumsGeneric(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	for j := 0; j < n; j++ {
		var s float32
		for i := 0; i < m; i++ {
			s += r[i*ldr+j]
		}
		if beta == 0 {
			g[j] = alpha * s
		} else {
			g[j] = alpha*s + beta*g[j]
		}
	}
}

func axpyGeneric(alpha float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

func dotGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

func gatherRowsGeneric(k int, idx []int, x []float32, ldx int, y []float32, ldy int) {
	for i, r := range idx {
		copy(y[i*ldy:i*ldy+k], x[r*ldx:r*ldx+k])
	}
}

// prefetchRowsGeneric does nothing: Go has no prefetch instruction, and
// loading the rows instead would wait for them.
func prefetchRowsGeneric(k int, idx []int, x []float32, ldx int) {}

// peakFMAGeneric does PeakFMAFlopsPerIter operations per iteration as 128
// multiply-adds spread over 16 independent chains, so that the loop is bound
// by the multiply-add throughput rather than by one chain's latency.
func peakFMAGeneric(iters int) {
	var a [16]float32
	for i := range a {
		a[i] = float32(i)
	}
	const mul, add = 0.999999, 1e-7
	for ; iters > 0; iters-- {
		for r := 0; r < 8; r++ {
			for i := range a {
				a[i] = a[i]*mul + add
			}
		}
	}
	peakSink = a[0] + a[15]
}

// peakSink keeps the compiler from discarding peakFMAGeneric's work.
//
//lint:ignore U1000 written only, on purpose
var peakSink float32

func peakLoadGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] + y[i]
		s1 += x[i+1] + y[i+1]
		s2 += x[i+2] + y[i+2]
		s3 += x[i+3] + y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] + y[i]
	}
	return s0 + s1 + s2 + s3
}
