//go:build arm64 && gc && !purego

package edgefit

// The NEON kernels: Go wrappers around the generated assembly in
// linalg_arm64.s (see gen/arm64). The Impl methods have checked every length
// and stride; the wrappers cut the slices to what the assembly reads, report
// that memory to the race detector (which cannot see into assembly), split
// long calls, and call it.
//
// Every shape goes to the assembly, tiny ones included. The NEON kernels do
// not pack their operands, so there is no set-up to amortise: a 5×3×2
// MatMulBias is two tiles of multiply-adds and a handful of stores, no more
// work than the Go loop, and every size the tests sweep runs the assembly
// path a caller would get.
//
// Long calls are split because the runtime cannot preempt a goroutine inside
// assembly: one call over a large problem would hold up the garbage
// collector's stop-the-world phases, and every other goroutine waiting for
// that thread, for its whole duration. The splits fall on whole tiles (rows
// of 6 and columns of 4 for MatMulBias, columns of 16 and rows of 4 for
// GradW), so the matrix kernels compute every element exactly as one call
// would; the reductions of SqErr, SqErrSum, Dot and PeakLoad add the partial
// sums of the pieces, an order the documented tolerances allow.

// neonChunk bounds the work of one assembly call, in multiply-adds (or
// elements for the streaming kernels): about a millisecond on a Cortex-A53.
// A variable so that tests can make the splits happen on small problems.
var neonChunk = 1 << 20

var neon = &Impl{name: "neon", k: kernels{
	matMulBias: matMulBiasNEONChecked,
	sqErr:      sqErrNEONChecked,
	sqErrSum:   sqErrSumNEONChecked,
	gradW:      gradWNEONChecked,
	colSums:    colSumsNEONChecked,
	axpy:       axpyNEONChecked,
	dot:        dotNEONChecked,
	gatherRows: gatherRowsGeneric, // until the assembly exists
	peakFMA:    peakFMANEONChecked,
	peakLoad:   peakLoadNEONChecked,
}}

// blockOf returns how many of the n items to take per call when each costs
// cost, so that a call stays within neonChunk: all n if they fit, otherwise a
// multiple of unit (at least one unit).
func blockOf(n, cost, unit int) int {
	if cost == 0 || n*cost <= neonChunk {
		return n
	}
	return max(unit, neonChunk/cost/unit*unit)
}

// matMulBiasNEONChecked passes a nil b through: its length, 0, is how the
// assembly knows there is no bias.
func matMulBiasNEONChecked(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	raceReadMatrix(x, m, k, ldx)
	raceReadMatrix(w, n, k, ldw)
	if b != nil {
		raceRead(b[:n])
	}
	raceWriteMatrix(y, m, n, ldy)
	nb := blockOf(n, 6*k, 4)
	mb := blockOf(m, nb*k, 6)
	for j0 := 0; j0 < n; j0 += nb {
		nc := min(nb, n-j0)
		var bj []float32
		if b != nil {
			bj = b[j0 : j0+nc]
		}
		for i0 := 0; i0 < m; i0 += mb {
			matMulBiasNEON(min(mb, m-i0), nc, k, x[i0*ldx:], ldx, w[j0*ldw:], ldw, bj, y[i0*ldy+j0:], ldy)
		}
	}
}

func gradWNEONChecked(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	raceReadMatrix(r, m, n, ldr)
	raceReadMatrix(x, m, k, ldx)
	if beta != 0 {
		raceReadMatrix(g, n, k, ldg)
	}
	raceWriteMatrix(g, n, k, ldg)
	kb := blockOf(k, 4*m, 16)
	nb := blockOf(n, kb*m, 4)
	for p0 := 0; p0 < k; p0 += kb {
		for j0 := 0; j0 < n; j0 += nb {
			gradWNEON(m, min(nb, n-j0), min(kb, k-p0), alpha, r[j0:], ldr, x[p0:], ldx, beta, g[j0*ldg+p0:], ldg)
		}
	}
}

func colSumsNEONChecked(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	g = g[:n]
	raceReadMatrix(r, m, n, ldr)
	if beta != 0 {
		raceRead(g)
	}
	raceWrite(g)
	nb := blockOf(n, m, 16)
	for j0 := 0; j0 < n; j0 += nb {
		colSumsNEON(m, min(nb, n-j0), alpha, r[j0:], ldr, beta, g[j0:])
	}
}

func sqErrNEONChecked(r, p, t []float32) float32 {
	p, t = p[:len(r)], t[:len(r)]
	raceRead(p)
	raceRead(t)
	raceWrite(r)
	var s float32
	for i := 0; i < len(r); i += neonChunk {
		e := min(i+neonChunk, len(r))
		s += sqErrNEON(r[i:e], p[i:e], t[i:e])
	}
	return s
}

func sqErrSumNEONChecked(p, t []float32) float32 { return sumChunks(p, t, sqErrSumNEON) }

func axpyNEONChecked(alpha float32, x, y []float32) {
	x = x[:len(y)]
	raceRead(x)
	raceRead(y)
	raceWrite(y)
	for i := 0; i < len(y); i += neonChunk {
		e := min(i+neonChunk, len(y))
		axpyNEON(alpha, x[i:e], y[i:e])
	}
}

func dotNEONChecked(x, y []float32) float32 { return sumChunks(x, y, dotNEON) }

func peakLoadNEONChecked(x, y []float32) float32 { return sumChunks(x, y, peakLoadNEON) }

// sumChunks runs a reduction over two vectors in pieces of at most neonChunk
// elements, like the other kernels, and adds up the pieces' results.
func sumChunks(x, y []float32, reduce func(x, y []float32) float32) float32 {
	y = y[:len(x)]
	raceRead(x)
	raceRead(y)
	var s float32
	for i := 0; i < len(x); i += neonChunk {
		e := min(i+neonChunk, len(x))
		s += reduce(x[i:e], y[i:e])
	}
	return s
}

// peakFMANEONChecked splits the iterations like the other kernels' work: one
// iteration is 128 multiply-adds.
func peakFMANEONChecked(iters int) {
	per := max(1, neonChunk/128)
	for ; iters > 0; iters -= per {
		peakFMANEON(min(per, iters))
	}
}
