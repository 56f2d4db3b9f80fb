//go:build amd64 && gc && !purego

package edgefit

// The AVX2+FMA kernels: Go wrappers that route each call to the generated
// assembly in linalg_amd64.s (see gen/amd64) or, for shapes too small for
// vectors to pay, to the Go versions. The Impl methods have checked every
// length and stride; the assembly trusts them.

var avx2 = &Impl{name: "avx2", k: kernels{
	matMulBias: matMulBiasAVX2,
	sqErr:      ifRace(sqErrAVX2Checked, sqErrAVX2),
	sqErrSum:   ifRace(sqErrSumAVX2Checked, sqErrSumAVX2),
	gradW:      gradWAVX2Checked,
	colSums:    colSumsAVX2Checked,
	axpy:       ifRace(axpyAVX2Checked, axpyAVX2),
	dot:        ifRace(dotAVX2Checked, dotAVX2),
	gatherRows: ifRace(gatherRowsAVX2Checked, gatherRowsAVX2Split),
	prefetch:   prefetchRowsAVX2Split, // no ifRace: see prefetchRowsAVX2Split
	peakFMA:    peakFMAAVX2,
	peakLoad:   ifRace(peakLoadAVX2Checked, peakLoadAVX2),
}}

// ifRace picks the wrapper that reports memory to the race detector in race
// builds and the assembly itself otherwise: the one-pass kernels take no
// routing decision in Go, and on L1-sized operands each extra call level
// costs a few percent.
func ifRace[F any](checked, asm F) F {
	if raceEnabled {
		return checked
	}
	return asm
}

// matMulKC is the largest block of inputs the matMulPanel kernels take: their
// stack frame holds a 16×matMulKC panel of W (16 KiB, half of L1) and the
// panel is reused for every row of X. It must not exceed kcMax in
// gen/amd64/main.go, the size of that frame.
const matMulKC = 256

// tinyMatMul is the size (m·n·k) under which MatMulBias and GradW run Go
// loops: packing a panel of W, or setting up the blocks of G, costs more than
// the whole product there, as for the tutorial's 5×3×2.
const tinyMatMul = 256

// matMulBiasAVX2 runs Y = X·Wᵀ + b as panels of 16 (or, for the last one, at
// most 8) output columns, each over blocks of at most matMulKC inputs; blocks
// after the first accumulate into Y.
func matMulBiasAVX2(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	if k == 0 || m*n*k < tinyMatMul {
		if matMulBiasTiny(m, n, k, x, ldx, w, ldw, b, y, ldy) {
			return
		}
		matMulBiasGeneric(m, n, k, x, ldx, w, ldw, b, y, ldy)
		return
	}
	raceReadMatrix(x, m, k, ldx)
	raceReadMatrix(w, n, k, ldw)
	if b != nil {
		raceRead(b[:n])
	}
	raceWriteMatrix(y, m, n, ldy)
	for j0 := 0; j0 < n; j0 += 16 {
		nc := min(16, n-j0)
		var bj []float32
		if b != nil {
			bj = b[j0:]
		}
		for p0 := 0; p0 < k; p0 += matMulKC {
			kc := min(matMulKC, k-p0)
			if nc > 8 {
				matMulPanel16(m, kc, nc, x[p0:], ldx, w[j0*ldw+p0:], ldw, bj, y[j0:], ldy, p0 > 0)
			} else {
				matMulPanel8(m, kc, nc, x[p0:], ldx, w[j0*ldw+p0:], ldw, bj, y[j0:], ldy, p0 > 0)
			}
		}
	}
}

func sqErrAVX2Checked(r, p, t []float32) float32 {
	raceWrite(r)
	raceRead(p[:len(r)])
	raceRead(t[:len(r)])
	return sqErrAVX2(r, p, t)
}

func sqErrSumAVX2Checked(p, t []float32) float32 {
	raceRead(p)
	raceRead(t[:len(p)])
	return sqErrSumAVX2(p, t)
}

func gradWAVX2Checked(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	if m*n*k < tinyMatMul {
		gradWGeneric(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
		return
	}
	raceReadMatrix(r, m, n, ldr)
	raceReadMatrix(x, m, k, ldx)
	if beta != 0 {
		raceReadMatrix(g, n, k, ldg)
	}
	raceWriteMatrix(g, n, k, ldg)
	gradWAVX2(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// tinyColSums is the size (m·n) under which ColSums runs the Go loop: for
// the tutorial's 5×2 residuals the masks and the final reduction of the
// vector code cost more than the ten adds.
const tinyColSums = 64

func colSumsAVX2Checked(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	if m*n < tinyColSums {
		colSumsGeneric(m, n, alpha, r, ldr, beta, g)
		return
	}
	raceReadMatrix(r, m, n, ldr)
	if beta != 0 {
		raceRead(g[:n])
	}
	raceWrite(g[:n])
	colSumsAVX2(m, n, alpha, r, ldr, beta, g)
}

func axpyAVX2Checked(alpha float32, x, y []float32) {
	raceRead(x[:len(y)])
	raceRead(y)
	raceWrite(y)
	axpyAVX2(alpha, x, y)
}

func dotAVX2Checked(x, y []float32) float32 {
	raceRead(x)
	raceRead(y[:len(x)])
	return dotAVX2(x, y)
}

func peakLoadAVX2Checked(x, y []float32) float32 {
	raceRead(x)
	raceRead(y[:len(x)])
	return peakLoadAVX2(x, y)
}

// Prefetching for GatherRows. Before copying row i, gatherRowsAVX2 asks for
// row idx[i+dist] (PREFETCHT1 on its first lines 64-byte lines and on the
// byte at last), and for rows idx[0:dist] before the loop, so that the
// cache misses of many rows are in flight at once instead of those of the
// few rows the out-of-order window reaches: on a dataset larger than the
// caches the copies wait for memory, and keeping many misses outstanding
// (memory-level parallelism) is the whole gain.
//
// PREFETCHT1 (towards L2), not PREFETCHT0 (towards L1): on this AMD EPYC a
// prefetch into L1 is dropped when the core's few L1 miss buffers are full,
// and the copies' own loads fill them, while prefetches into L2 queue in its
// larger set. Measured side by side (a test binary built with each, go test
// -c, run in turn 3 times with -test.bench 'GatherRows$/impl=avx2'
// -test.benchtime 0.3s -test.count 1; ns per row, medians):
//
//	                                 T0, 4096 B 2…16   T1, 4096 B 2…16   T1, 8192 B 2…64
//	GatherRows inputs-100000x64             37.3              23.4              20.8
//	GatherRows targets-100000x8             2.08              2.77              2.30
//	GatherRows in-cache-1024x64             6.18              6.65              6.73
//	GatherRows crops-15x3                   6.50              6.89              7.08
//
// and at fixed distances in rows with BenchmarkGatherRowsDistance, T0 then
// T1, 100,000×64: 36.6 / 25.1 at 16 rows, 43.8 / 26.2 at 32, 49.7 / 23.3 at
// 64; 400,000×64: 40.4 / 24.3, 39.1 / 20.9, 49.4 / 25.5; 4,000,000×8: 11.7 /
// 11.0, 12.9 / 8.87, 14.8 / 9.47; 100,000×8 (3.2 MB, which L3 holds): 1.39 /
// 1.74, 1.25 / 1.26, 1.42 / 1.36. Rows from memory gain a third or more;
// short rows from L3 lose a little at short distances (they then take an L2
// to L1 trip the T0 prefetch had saved), which the longer distances below
// make up for.
//
// The distance is gatherAheadBytes of rows ahead, clamped to
// gatherMinDist…gatherMaxDist rows: 64 rows for rows of up to 128 bytes
// (the 8 targets of BenchmarkEpoch/medium), 32 for its 64 inputs, fewer for
// longer rows, 2 from 4 KiB. With PREFETCHT1, by BenchmarkGatherRowsDistance
// (batches of 256 rows of a random permutation; ns per row, medians of 3
// runs of 0.3 s, on a 2-core AMD EPYC (Zen 4) VM shared with other
// benchmarks: ±20 % and more):
//
//	go test -run '^$' -bench GatherRowsDistance -benchtime 0.3s -count 3 .
//
//	dataset (floats)          Go loop  dist 1     2     4     8    16    32    64   128   256
//	100,000×64 (25.6 MB, L3)      115    44.1  39.2  31.9  27.1  25.1  26.2  23.3  21.6  16.4
//	400,000×64 (102 MB)           116    49.8    45  37.7  31.2  24.3  20.9  25.5  24.8  19.4
//	100,000×8  (3.2 MB)          6.25    1.55  1.51  1.68  2.14  1.74  1.26  1.36  1.35  1.52
//	4,000,000×8 (128 MB)         68.3    13.6  11.2  12.6  13.2    11  8.87  9.47  8.55  9.88
//	100,000×3  (1.2 MB)          4.36       –  1.63  1.55  1.56   1.6  1.47  1.65  1.66  1.75
//	4,000,000×3 (48 MB)            45       –  13.5  12.7  9.52  7.88  6.55  6.28  5.99  6.33
//	10,000×1000 (40 MB)           510       –   389   407   500   522   560   536   503   364
//
// (100,000×64, 400,000×64, 4,000,000×8 and dist 1 of 100,000×8
// from side-by-side runs as above, of the same benchmark; the Go loop is the
// same code in every build and shows how loaded the machine was). Short rows from memory want 32 rows ahead or more, rows of
// 64 floats are within the noise of their best from 16 to 128 (256, the
// whole batch before the first copy, is PrefetchRows's case); rows of 1000
// floats are bound by bandwidth more than latency and do best 2–4 rows
// ahead. 8 KiB ahead, at most 64 rows, is near the best everywhere.
const (
	gatherAheadBytes = 8192
	gatherMinDist    = 2
	gatherMaxDist    = 64
)

// gatherMaxLines is the most lines prefetched per row: the hardware
// prefetcher streams the rest of a long row once its first lines miss.
const gatherMaxLines = 8

// gatherPrefetch returns gatherRowsAVX2's dist, lines and last for rows of k
// floats: every line of a row of at most gatherMaxLines−1 lines' worth of
// bytes (lines from its start, whatever its alignment, and its last byte
// for the line an unaligned row spills into), or its first gatherMaxLines.
func gatherPrefetch(k int) (dist, lines, last int) {
	bytes := 4 * k
	dist = min(max(gatherAheadBytes/bytes, gatherMinDist), gatherMaxDist)
	if lines = (bytes + 63) / 64; lines < gatherMaxLines {
		return dist, lines, bytes - 4
	}
	return dist, gatherMaxLines - 1, 64 * (gatherMaxLines - 1)
}

// gatherChunk bounds the work of one call of gatherRowsAVX2, in elements,
// counting every row as at least a cache line's 16: the runtime cannot
// preempt a goroutine inside assembly, so a call gathering a whole large
// dataset would hold up the garbage collector's stop-the-world phases for
// its duration. 2¹⁸ elements take well under a millisecond (0.2 ms for 16,384 rows of 8
// floats from a dataset in DRAM). A
// variable so that tests can make the splits happen on small problems.
var gatherChunk = 1 << 18

// gatherRowsAVX2Split runs gatherRowsAVX2 on pieces of idx of at most
// gatherChunk elements.
//
// Every shape goes to the assembly, tiny ones included: for the tutorial's
// batches of 5 rows of 3 floats it takes 27–33 ns a batch against 31–32 ns
// for the Go version (BenchmarkGatherRows/impl=*/data=crops-15x3, 3 runs),
// as the per-row copy calls of the Go loop cost about what the assembly's
// set-up and useless prefetches of rows already in L1 do.
func gatherRowsAVX2Split(k int, idx []int, x []float32, ldx int, y []float32, ldy int) {
	dist, lines, last := gatherPrefetch(k)
	rows := max(gatherChunk/max(k, 16), 1)
	for len(idx) > rows {
		gatherRowsAVX2(k, idx[:rows], x, ldx, y, ldy, dist, lines, last)
		idx, y = idx[rows:], y[rows*ldy:]
	}
	gatherRowsAVX2(k, idx, x, ldx, y, ldy, dist, lines, last)
}

func gatherRowsAVX2Checked(k int, idx []int, x []float32, ldx int, y []float32, ldy int) {
	for _, r := range idx {
		raceRead(x[r*ldx : r*ldx+k])
	}
	raceWriteMatrix(y, len(idx), k, ldy)
	gatherRowsAVX2Split(k, idx, x, ldx, y, ldy)
}

// prefetchChunk bounds the work of one call of prefetchRowsAVX2, in
// prefetch instructions, for the same reason as gatherChunk: the runtime
// cannot preempt assembly. Prefetches do not wait for their lines, but once
// the core's miss queues are full each one waits for a slot: 2¹⁴ of them
// took 14–16 µs for 2,048 random rows of 256 floats of a 100 MB dataset and
// 54–61 µs for 8,192 rows of 8 floats of a 128 MB one (3 runs each). A
// variable so that tests can make the splits happen on small problems.
var prefetchChunk = 1 << 14

// prefetchRowsAVX2Split runs prefetchRowsAVX2 on pieces of idx of at most
// prefetchChunk prefetches, with the lines and last of gatherPrefetch (every
// line of a row, or its first gatherMaxLines: the lines GatherRows would
// ask for ahead of its copies).
//
// It has no race-detector wrapper (ifRace), unlike the other kernels: a
// prefetch neither reads a value into the program nor writes one, so there
// is no access of X to report, and the indices the assembly reads were all
// read in Go by checkRows just before, where the race detector saw them.
func prefetchRowsAVX2Split(k int, idx []int, x []float32, ldx int) {
	_, lines, last := gatherPrefetch(k)
	rows := max(prefetchChunk/(lines+1), 1)
	for len(idx) > rows {
		prefetchRowsAVX2(idx[:rows], x, ldx, lines, last)
		idx = idx[rows:]
	}
	prefetchRowsAVX2(idx, x, ldx, lines, last)
}
