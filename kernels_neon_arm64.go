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
	gatherRows: gatherRowsNEONChecked,
	prefetch:   prefetchRowsNEONChecked,
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

// GatherRows prefetches the rows it will copy gatherAheadBytes of rows ahead
// of the one it copies, at least gatherMinAhead and at most gatherMaxAhead
// rows, and at most gatherMaxLines lines of each.
//
// The distance has to cover the memory latency: a row prefetched ahead rows
// early has the time of ahead row copies to arrive. 4 KiB of rows is a
// quarter of a microsecond to one and a half of copying at the 3-16 GB/s a
// Cortex-A53 to A76 copies rows in L1 at (llvm-mca's figures for this loop,
// see gen/arm64/gather.go), several times the 100-200 ns of a DRAM access on
// the boards they come in, so a row has arrived when the copy reaches it
// even when the copy runs at full speed. For the trainer's rows of 64
// float32 it is 16 rows, the distance that made the same loop on amd64 twice
// as fast as a copy per row. And 4 KiB is a small part of an L1 data cache
// (32 KiB on the A72, 64 on the A76), so the prefetched lines are not
// evicted before their copy.
//
// Short rows (under 128 bytes) would give more than 32 rows. 32 is enough:
// even the shortest row costs the loop some 14 cycles (llvm-mca, A72 model,
// rows of 8 float32), so 32 rows ahead is about 450 cycles, some 200 ns; a
// longer distance would only put more misses in flight than an L1 can track
// and lengthen the prefetches before the first copy. Long rows (over 2 KiB)
// would give 1; 2 leaves a prefetched row a whole row's copy more to arrive.
// Of rows longer than 456 bytes only the first eight lines are prefetched:
// the hardware's stream prefetcher takes over as the copy walks through the
// rest.
const (
	gatherAheadBytes = 4096
	gatherMinAhead   = 2
	gatherMaxAhead   = 32
	gatherMaxLines   = 8
)

// gatherPrefetch returns the prefetch distance for rows of k ≥ 1 float32, in
// rows, and the byte offsets gatherRowsNEON prefetches in each row: 0, 64, …,
// 64·(lines−1) and last. Those are every 64-byte line of the row, wherever it
// starts (a row of 4k bytes starting o bytes into a line ends in the line
// ⌊(o+4k−4)/64⌋ after it, at most ⌊(60+4k−4)/64⌋ = lines), or the first
// gatherMaxLines of a longer row: none past the row's last element.
func gatherPrefetch(k int) (ahead, lines, last int) {
	b := 4 * k
	ahead = min(max(gatherAheadBytes/b, gatherMinAhead), gatherMaxAhead)
	lines, last = (b+56)/64, b-4
	if lines >= gatherMaxLines {
		lines, last = gatherMaxLines-1, 64*(gatherMaxLines-1)
	}
	return ahead, lines, last
}

// gatherRowsNEONChecked copies neonChunk elements per assembly call at most
// (whole rows, at least one); each call prefetches its own first rows.
func gatherRowsNEONChecked(k int, idx []int, x []float32, ldx int, y []float32, ldy int) {
	n := len(idx)
	if n == 0 || k == 0 {
		return
	}
	if raceEnabled {
		for _, r := range idx {
			raceRead(x[r*ldx : r*ldx+k])
		}
		raceWriteMatrix(y, n, k, ldy)
	}
	ahead, lines, last := gatherPrefetch(k)
	nb := blockOf(n, k, 1)
	for i0 := 0; i0 < n; i0 += nb {
		m := min(nb, n-i0)
		gatherRowsNEON(k, idx[i0:i0+m], x, ldx, y[i0*ldy:], ldy, min(ahead, m), lines, last)
	}
}

// prefetchRowCost is what neonChunk counts for one row of PrefetchRows: a
// dozen instructions and up to eight prefetches.
const prefetchRowCost = 16

// prefetchRowsNEONChecked prefetches neonChunk/prefetchRowCost rows per
// assembly call at most. A prefetch reads nothing the race detector could
// report, and idx, which the assembly does read, Impl.PrefetchRows has just
// read in Go to check it.
func prefetchRowsNEONChecked(k int, idx []int, x []float32, ldx int) {
	n := len(idx)
	if n == 0 || k == 0 {
		return
	}
	nb := blockOf(n, prefetchRowCost, 1)
	for i0 := 0; i0 < n; i0 += nb {
		prefetchRowsNEON(k, idx[i0:min(i0+nb, n)], x, ldx)
	}
}

// peakFMANEONChecked splits the iterations like the other kernels' work: one
// iteration is 128 multiply-adds.
func peakFMANEONChecked(iters int) {
	per := max(1, neonChunk/128)
	for ; iters > 0; iters -= per {
		peakFMANEON(min(per, iters))
	}
}
