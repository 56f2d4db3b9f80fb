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
	standardize:  standardizeGeneric,
	peakFMA:      peakFMAGeneric,
	peakLoad:     peakLoadGeneric,
}}

// matMulBiasGeneric runs the blocked loops of kernels_block.go: the same
// results, bit for bit, as the plain loop documented on Impl.MatMulBias.
func matMulBiasGeneric(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	switch {
	case k == 0:
		matMulBiasK0(m, n, b, y, ldy)
	case genericBlock == 4:
		matMulBias4(m, n, k, x, ldx, w, ldw, b, y, ldy)
	default:
		matMulBias2(m, n, k, x, ldx, w, ldw, b, y, ldy)
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

// gradWGeneric runs the blocked loops of kernels_block_gradw.go: the same
// results, bit for bit, as the plain loop documented on Impl.GradW.
func gradWGeneric(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	if genericBlock == 4 {
		gradW4(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
	} else {
		gradW2(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
	}
}

// colSumsGeneric sums four columns at a time, in as many accumulators, each
// over the rows in order: the plain loop's results, bit for bit.
func colSumsGeneric(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	g = g[:n]
	j := 0
	if m > 0 {
		for ; j+4 <= n; j += 4 {
			var s0, s1, s2, s3 float32
			for i := 0; i < m; i++ {
				ri := r[i*ldr+j:][:4]
				s0 += ri[0]
				s1 += ri[1]
				s2 += ri[2]
				s3 += ri[3]
			}
			gradOut(&g[j], alpha, s0, beta)
			gradOut(&g[j+1], alpha, s1, beta)
			gradOut(&g[j+2], alpha, s2, beta)
			gradOut(&g[j+3], alpha, s3, beta)
		}
	}
	for ; j < n; j++ {
		var s float32
		for i := 0; i < m; i++ {
			s += r[i*ldr+j]
		}
		gradOut(&g[j], alpha, s, beta)
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
// multiply-adds a = a·mul + add spread over independent chains held in
// locals (registers: an array would put every step through memory), as many
// as the architecture's floating-point registers hold (peakChains), so that
// the loop is bound by the multiply and add throughput, as the blocked kernels
// are, rather than by any chain's latency.
func peakFMAGeneric(iters int) {
	if peakChains == 6 {
		peakFMA6(iters)
	} else {
		peakFMA12(iters)
	}
}

const peakMul, peakAdd = 0.999999, 1e-7

// peakFMA12 runs 10 rounds of twelve chains, then eight: 128 multiply-adds
// an iteration, enough chains for a multiply's and an add's latency one
// after the other at two of each per cycle.
func peakFMA12(iters int) {
	const mul, add = peakMul, peakAdd
	a0, a1, a2, a3, a4, a5 := float32(0), float32(1), float32(2), float32(3), float32(4), float32(5)
	a6, a7, a8, a9, a10, a11 := float32(6), float32(7), float32(8), float32(9), float32(10), float32(11)
	for ; iters > 0; iters-- {
		for r := 0; r < 10; r++ {
			a0, a1, a2, a3 = a0*mul+add, a1*mul+add, a2*mul+add, a3*mul+add
			a4, a5, a6, a7 = a4*mul+add, a5*mul+add, a6*mul+add, a7*mul+add
			a8, a9, a10, a11 = a8*mul+add, a9*mul+add, a10*mul+add, a11*mul+add
		}
		a0, a1, a2, a3 = a0*mul+add, a1*mul+add, a2*mul+add, a3*mul+add
		a4, a5, a6, a7 = a4*mul+add, a5*mul+add, a6*mul+add, a7*mul+add
	}
	peakSink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11
}

// peakFMA6 runs 21 rounds of six chains, then two: 128 multiply-adds an
// iteration in the eight registers of 386.
func peakFMA6(iters int) {
	const mul, add = peakMul, peakAdd
	a0, a1, a2, a3, a4, a5 := float32(0), float32(1), float32(2), float32(3), float32(4), float32(5)
	for ; iters > 0; iters-- {
		for r := 0; r < 21; r++ {
			a0, a1, a2 = a0*mul+add, a1*mul+add, a2*mul+add
			a3, a4, a5 = a3*mul+add, a4*mul+add, a5*mul+add
		}
		a0, a1 = a0*mul+add, a1*mul+add
	}
	peakSink = a0 + a1 + a2 + a3 + a4 + a5
}

// peakSink keeps the compiler from discarding peakFMAGeneric's work.
//
//lint:ignore U1000 written only, on purpose
var peakSink float32

// peakLoadGeneric returns Σ x[i]·y[i] in four independent chains: one
// multiply and one add per pair of loads, which run on different units
// (fused into one multiply-add on some), as little as any kernel of two
// operands does, and chains enough to keep up with the loads without holding
// more values than 8 registers. No streaming Go kernel reads faster.
func peakLoadGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		x4, y4 := x[i:i+4], y[i:i+4]
		s0 += x4[0] * y4[0]
		s1 += x4[1] * y4[1]
		s2 += x4[2] * y4[2]
		s3 += x4[3] * y4[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return s0 + s1 + s2 + s3
}
