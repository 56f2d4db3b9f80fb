package edgefit

// How every SIMD implementation calls its assembly: one policy for all
// architectures.
//
// The runtime cannot preempt a goroutine inside assembly, so one long call
// would hold up the garbage collector's stop-the-world phases, and every
// goroutine waiting for that thread, for its whole duration. A splitter cuts
// each kernel call into assembly calls of at most budget units of work, a
// unit being about one multiply-add (the costs below weigh the other kinds
// of work). The matrix kernels split their output on whole tiles, so every
// element is computed exactly as one call would compute it; where only a sum
// can be cut (long vectors, and the rows GradW and ColSums sum over), the
// pieces' results are added, an order the documented error bounds allow.
//
// The wrappers the splitter builds also report the memory each call reads
// and writes to the race detector, which cannot see into assembly.

// callBudget is the work of one assembly call: about a millisecond on the
// slowest core the kernels target, far less on larger ones.
const callBudget = 1 << 20

// The cost of one item of work, in units of one multiply-add.
const (
	// costGatherElem is one element of a row GatherRows copies; a row counts
	// as at least a cache line of elements. The copies wait on memory.
	costGatherElem = 4
	// costPrefetch is one prefetch instruction of PrefetchRows: once the
	// miss queues are full, each waits for a slot.
	costPrefetch = 64
	// costPeakIter is one iteration of PeakFMA, 128 multiply-adds.
	costPeakIter = PeakFMAFlopsPerIter / 2
	// costStdElem is one element of Standardize: a subtraction and a
	// division, whose throughput is several times a multiply-add's.
	costStdElem = 8
)

// splitter cuts kernel calls into assembly calls of at most budget units.
// The package's sets use callBudget; tests build sets with small budgets so
// that the splits happen on small problems.
type splitter struct{ budget int }

// block returns how many of n items to take per call when each costs cost:
// all n if they fit in the budget, otherwise a multiple of unit (at least
// one unit).
func (s splitter) block(n, cost, unit int) int {
	if cost <= 0 || n <= s.budget/cost {
		return n
	}
	return max(unit, s.budget/cost/unit*unit)
}

// sqErr returns the sqErr kernel running asm on pieces of r, p and t,
// adding their sums.
func (s splitter) sqErr(asm func(r, p, t []float32) float32) func(r, p, t []float32) float32 {
	return func(r, p, t []float32) float32 {
		p, t = p[:len(r)], t[:len(r)]
		raceRead(p)
		raceRead(t)
		raceWrite(r)
		if len(r) <= s.budget {
			return asm(r, p, t)
		}
		var sum float32
		for i := 0; i < len(r); i += s.budget {
			e := min(i+s.budget, len(r))
			sum += asm(r[i:e], p[i:e], t[i:e])
		}
		return sum
	}
}

// sum returns a reduction of two vectors (sqErrSum, dot, peakLoad) running
// asm on pieces of x and y, adding their results.
func (s splitter) sum(asm func(x, y []float32) float32) func(x, y []float32) float32 {
	return func(x, y []float32) float32 {
		y = y[:len(x)]
		raceRead(x)
		raceRead(y)
		if len(x) <= s.budget {
			return asm(x, y)
		}
		var sum float32
		for i := 0; i < len(x); i += s.budget {
			e := min(i+s.budget, len(x))
			sum += asm(x[i:e], y[i:e])
		}
		return sum
	}
}

// axpy returns the axpy kernel running asm on pieces of x and y.
func (s splitter) axpy(asm func(alpha float32, x, y []float32)) func(alpha float32, x, y []float32) {
	return func(alpha float32, x, y []float32) {
		x = x[:len(y)]
		raceRead(x)
		raceRead(y)
		raceWrite(y)
		for i := 0; i < len(y); i += s.budget {
			e := min(i+s.budget, len(y))
			asm(alpha, x[i:e], y[i:e])
		}
	}
}

// peakFMA returns the peakFMA loop running asm on pieces of the iterations.
func (s splitter) peakFMA(asm func(iters int)) func(iters int) {
	return func(iters int) {
		per := s.block(iters, costPeakIter, 1)
		for ; iters > 0; iters -= per {
			asm(min(per, iters))
		}
	}
}

// standardizeKernel is the assembly of Standardize.
type standardizeKernel func(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int)

// standardize runs asm on blocks of rows and, for rows too long for one
// call, on blocks of whole vectors of columns, reporting X, mean, scale and
// D to the race detector. Each element is computed alone, so the cuts
// change no bit.
func (s splitter) standardize(asm standardizeKernel, m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
	raceReadMatrix(x, m, k, ldx)
	raceRead(mean[:k])
	raceRead(scale[:k])
	raceWriteMatrix(d, m, k, ldd)
	kb := s.block(k, costStdElem, 64)
	for p0 := 0; p0 < k; p0 += kb {
		kc := min(kb, k-p0)
		mb := s.block(m, costStdElem*kc, 1)
		for i0 := 0; i0 < m; i0 += mb {
			asm(min(mb, m-i0), kc, x[i0*ldx+p0:], ldx, mean[p0:], scale[p0:], d[i0*ldd+p0:], ldd)
		}
	}
}

// stdPattern is mean and scale repeated over a run of Standardize's short
// rows laid end to end (see runs). It lives on the caller's stack: the
// caller passes it straight to its assembly, so that it does not escape.
type stdPattern struct{ mean, scale [stdPatternMax]float32 }

// stdPatternMax is the longest run, in elements.
const stdPatternMax = 256

// runs prepares a Standardize of m rows of k elements that X and D hold end
// to end (ldx = ldd = k), for a kernel of vectors of lanes elements (a power
// of two), to run as q rows of n = g·k elements, g = lanes/gcd(k, lanes)
// rows each: n is a whole number of vectors, so each run takes full vectors
// where each short row would end in a scalar or masked tail. It fills p
// with mean and scale repeated g times and returns q, n and the most of
// those rows one call may take (within the budget). The m − q·g rows left
// are the caller's to run as they are. q is 0, and p untouched, where that
// gains nothing: k a multiple of lanes, strides, n past stdPatternMax, or
// fewer than 2·g rows. Each element still gets its own column's mean and
// scale, so the result is the same, bit for bit.
func (s splitter) runs(p *stdPattern, m, k, ldx, ldd, lanes int, x, mean, scale, d []float32) (q, n, mb int) {
	if k%lanes == 0 || ldx != k || ldd != k {
		return 0, 0, 0
	}
	g := lanes / min(k&-k, lanes)
	if n = g * k; n > stdPatternMax || m < 2*g {
		return 0, 0, 0
	}
	q = m / g
	mean, scale = mean[:k], scale[:k]
	for r := 0; r < g; r++ {
		copy(p.mean[r*k:r*k+k], mean)
		copy(p.scale[r*k:r*k+k], scale)
	}
	raceRead(x[:q*n])
	raceWrite(d[:q*n])
	return q, n, s.block(q, costStdElem*n, 1)
}

// gradWKernel is the assembly of GradW, colSumsKernel that of ColSums.
type (
	gradWKernel   func(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int)
	colSumsKernel func(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32)
)

// raceMatMulBias reports what MatMulBias's assembly reads (X, W and b, when
// not nil) and writes (Y) to the race detector.
func raceMatMulBias(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	raceReadMatrix(x, m, k, ldx)
	raceReadMatrix(w, n, k, ldw)
	if b != nil {
		raceRead(b[:n])
	}
	raceWriteMatrix(y, m, n, ldy)
}

// gradW runs asm on blocks of G made of whole tiles of tileN rows by tileK
// columns, so that each element is summed as in one call, and, when one
// tile's sum over the m rows is over the budget, on blocks of those rows,
// each after the first adding to G (β = 1): α·(s₁+s₂) + β·G, within the
// documented bound. It reports R, X and G to the race detector.
func (s splitter) gradW(asm gradWKernel, tileN, tileK, m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	raceReadMatrix(r, m, n, ldr)
	raceReadMatrix(x, m, k, ldx)
	if beta != 0 {
		raceReadMatrix(g, n, k, ldg)
	}
	raceWriteMatrix(g, n, k, ldg)
	kb := s.block(k, tileN*m, tileK)
	nb := s.block(n, kb*m, tileN)
	mb := s.block(m, nb*kb, 1)
	for p0 := 0; p0 < k; p0 += kb {
		for j0 := 0; j0 < n; j0 += nb {
			nc, kc := min(nb, n-j0), min(kb, k-p0)
			bt := beta
			for i0 := 0; ; bt = 1 {
				mc := min(mb, m-i0)
				asm(mc, nc, kc, alpha, r[i0*ldr+j0:], ldr, x[i0*ldx+p0:], ldx, bt, g[j0*ldg+p0:], ldg)
				if i0 += mc; i0 >= m {
					break
				}
			}
		}
	}
}

// colSums runs asm like gradW: on blocks of whole tiles of tileN columns,
// and on blocks of rows when a tile's column is over the budget. It reports
// R and g to the race detector.
func (s splitter) colSums(asm colSumsKernel, tileN, m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	g = g[:n]
	raceReadMatrix(r, m, n, ldr)
	if beta != 0 {
		raceRead(g)
	}
	raceWrite(g)
	nb := s.block(n, m, tileN)
	mb := s.block(m, nb, 1)
	for j0 := 0; j0 < n; j0 += nb {
		nc := min(nb, n-j0)
		bt := beta
		for i0 := 0; ; bt = 1 {
			mc := min(mb, m-i0)
			asm(mc, nc, alpha, r[i0*ldr+j0:], ldr, bt, g[j0:j0+nc])
			if i0 += mc; i0 >= m {
				break
			}
		}
	}
}

// gatherKernel is the assembly of GatherRows: it copies rows idx of x into
// y, prefetching the row ahead positions on at the byte offsets 0, 64, …,
// 64·(lines−1) and last of it (see prefetchPlan).
type gatherKernel func(k int, idx []int, x []float32, ldx int, y []float32, ldy int, ahead, lines, last int)

// gatherRows returns the gatherRows kernel running asm on pieces of idx,
// each prefetching its own first rows, and on blocks of columns of rows too
// long for one call. The copy is exact however it is cut.
func (s splitter) gatherRows(asm gatherKernel, plan prefetchPlan) func(k int, idx []int, x []float32, ldx int, y []float32, ldy int) {
	return func(k int, idx []int, x []float32, ldx int, y []float32, ldy int) {
		if raceEnabled {
			for _, r := range idx {
				raceRead(x[r*ldx : r*ldx+k])
			}
			raceWriteMatrix(y, len(idx), k, ldy)
		}
		// Rows too long for one call are copied in blocks of columns.
		kb := s.block(k, costGatherElem, 16)
		for p0 := 0; p0 < k; p0 += kb {
			kc := min(kb, k-p0)
			ahead, lines, last := plan.rows(kc)
			nb := s.block(len(idx), costGatherElem*max(kc, 16), 1)
			for i0 := 0; i0 < len(idx); i0 += nb {
				n := min(nb, len(idx)-i0)
				asm(kc, idx[i0:i0+n], x[p0:], ldx, y[i0*ldy+p0:], ldy, min(ahead, n), lines, last)
			}
		}
	}
}

// prefetchKernel is the assembly of PrefetchRows: it prefetches rows idx of
// x at the byte offsets prefetchPlan gives for rows of k elements.
type prefetchKernel func(k int, idx []int, x []float32, ldx, lines, last int)

// prefetchRows returns the prefetch kernel running asm on pieces of idx. A
// prefetch reads nothing the race detector could report, and idx, which the
// assembly does read, Impl.PrefetchRows has just read in Go to check it.
func (s splitter) prefetchRows(asm prefetchKernel, plan prefetchPlan) func(k int, idx []int, x []float32, ldx int) {
	return func(k int, idx []int, x []float32, ldx int) {
		_, lines, last := plan.rows(k)
		nb := s.block(len(idx), costPrefetch*(lines+1), 1)
		for i0 := 0; i0 < len(idx); i0 += nb {
			asm(k, idx[i0:min(i0+nb, len(idx))], x, ldx, lines, last)
		}
	}
}

// prefetchPlan is how a SIMD GatherRows prefetches: aheadBytes of rows ahead
// of the one it copies, at least minAhead and at most maxAhead rows, and at
// most maxLines 64-byte lines of a row. Each architecture's generator sets
// the values for its kernels' prefetch instruction (linalg_consts_*.go).
type prefetchPlan struct{ aheadBytes, minAhead, maxAhead, maxLines int }

// rows returns, for rows of k ≥ 1 float32, the distance in rows and the
// byte offsets to prefetch in each row: 0, 64, …, 64·(lines−1) and last.
// Those are every line of a row of fewer than maxLines lines' worth of bytes,
// wherever it starts (the offsets from its start and its last element, for
// the line an unaligned row spills into), or the first maxLines lines of a
// longer row; none past its last element, and lines ≥ 1.
func (p prefetchPlan) rows(k int) (ahead, lines, last int) {
	bytes := 4 * k
	ahead = min(max(p.aheadBytes/bytes, p.minAhead), p.maxAhead)
	if lines = (bytes + 63) / 64; lines < p.maxLines {
		return ahead, lines, bytes - 4
	}
	return ahead, p.maxLines - 1, 64 * (p.maxLines - 1)
}
