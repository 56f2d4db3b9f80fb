package edgefit

// Reads (and writes) past either end of an operand. Guard NaNs catch only
// accesses that land inside the buffer around an operand; a SIMD loop that
// loads a full vector for a tail of 1..7 elements reads beyond the slice into
// whatever memory follows, invisibly, until the day that memory is unmapped.
// Here every operand of a call is placed flush against an inaccessible page,
// once ending exactly at the page boundary and once starting exactly after
// one, for every tail length 0..70 of every dimension, so such an access
// faults inside the test (reported as a panic with debug.SetPanicOnFault).

import (
	"iter"
	"math/rand/v2"
	"os"
	"testing"
)

// fencePlacer places the operands of one call each in its own fence, flush
// against the inaccessible page after it (atEnd) or before it. Only
// fenceWindow elements beside the operand are guarded and checked.
type fencePlacer struct {
	fences [][]float32
	next   int
	atEnd  bool
}

const fenceWindow = 64

// newFencePlacer maps the fences for operands of up to floats elements
// (plus the guarded window).
func newFencePlacer(t testing.TB, atEnd bool, floats int) *fencePlacer {
	p := &fencePlacer{atEnd: atEnd}
	ps := os.Getpagesize()
	pages := ((floats+fenceWindow)*4 + ps - 1) / ps
	for range 4 { // the most operands of any kernel: MatMulBias's X, W, b, Y
		p.fences = append(p.fences, newFence(t, pages))
	}
	return p
}

// smallFence has room for the largest operand of tailCases, Standardize's
// contiguous 33×70 (and 70×26, GatherRows's Y, 20 rows of at most 79).
const smallFence = 2560

func (p *fencePlacer) place(need int, l lay) ([]float32, int) {
	f := p.fences[p.next%len(p.fences)]
	p.next++
	n := need + l.extra
	if n+fenceWindow > len(f) {
		panic("fence too small")
	}
	if p.atEnd {
		return f[len(f)-n-fenceWindow:], fenceWindow
	}
	return f[:n+fenceWindow], 0
}

// reset makes the next case start with the first fence.
type resetter interface{ reset() }

func (p *fencePlacer) reset() { p.next = 0 }

// tailCases yields, for every tail 0..70 in every dimension of every kernel,
// a case (alternating real and integer data, with random strides).
func tailCases(seed uint64) iter.Seq[kcase] {
	return func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(seed, seed))
		for t := 0; t <= maxSweep; t++ {
			mode := modeOf(t)
			cases := []kcase{
				newMM(r, 2, 3, t, mode), newMM(r, 3, t, 5, mode), newMM(r, t, 2, 3, mode),
				newGW(r, t, 2, 3, mode), newGW(r, 3, t, 5, mode), newGW(r, 2, 3, t, mode),
				// Shapes big enough (m·n·k ≥ 256 from t = 2, m·n ≥ 64 from
				// t = 8) that no SIMD set hands them to its Go loop for being
				// tiny.
				newMM(r, 17, 8, t, mode), newMM(r, 8, t, 17, mode), newMM(r, t, 8, 17, mode),
				newGW(r, t, 8, 17, mode), newGW(r, 8, t, 17, mode), newGW(r, 17, 8, t, mode),
				newCS(r, t, 3, mode), newCS(r, 3, t, mode), newCS(r, t, 8, mode), newCS(r, 8, t, mode),
				newSE(r, t, false, mode), newSE(r, t, true, mode),
				newVec(r, "Dot", t, mode), newVec(r, "Axpy", t, mode), newPL(r, t),
				// Rows of t floats, the last row of X among them (and
				// every row of Y, and idx) flush against the page.
				newGR(r, 1+r.IntN(8), 3, t, orderRandom), newGR(r, 8, 20, t, orderShuffled),
				newPR(r, 1+r.IntN(8), 3, t, orderRandom), newPR(r, 8, 20, t, orderShuffled),
				// Rows of t, and t rows, of Standardize: the last row of X
				// and of D flush against the page in the first, as mean
				// and scale always are.
				newStd(r, 3, t, mode), newStd(r, t, 5, mode),
				// Rows of t laid end to end, run as whole vectors (the
				// SIMD sets' runs of short rows), flush too.
				newStdContiguous(r, 33, t, mode, t%2 == 0),
			}
			flush := cases[len(cases)-3].(*stdCase)
			flush.lx.extra, flush.ld.extra = 0, 0
			for _, c := range cases[len(cases)-7 : len(cases)-3] {
				switch c := c.(type) {
				case *grCase:
					c.lx.extra, c.ly.extra = 0, 0
				case *prCase:
					c.lx.extra = 0
				}
			}
			if c := cases[0].(*mmCase); c.b == nil {
				c.b = mode.fill(r, c.n) // the bias too must be fenced
			}
			for _, c := range cases {
				if !yield(c) {
					return
				}
			}
		}
	}
}

func TestGuardPageAtEnd(t *testing.T) {
	if !fencesFault {
		t.Log("no guard pages on this system: checking writes within the window only")
	}
	testCases(t, newFencePlacer(t, true, smallFence), tailCases(30))
}

func TestGuardPageAtStart(t *testing.T) {
	if !fencesFault {
		t.Log("no guard pages on this system: checking writes within the window only")
	}
	testCases(t, newFencePlacer(t, false, smallFence), tailCases(31))
}

// TestGuardPageLarge: long vectors flush against the guard pages, for the
// paths only long vectors take (SqErr's streaming stores past 2²⁰ elements,
// unrolled main loops handing over to tails).
func TestGuardPageLarge(t *testing.T) {
	for _, atEnd := range []bool{true, false} {
		where := map[bool]string{true: "at_end", false: "at_start"}[atEnd]
		t.Run(where, func(t *testing.T) { testCases(t, newFencePlacer(t, atEnd, streamingLen+8), largeFenced(atEnd)) })
	}
}

func largeFenced(atEnd bool) iter.Seq[kcase] {
	const big = streamingLen
	return func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(32, 32))
		P, T := realData.fill(r, big+7), realData.fill(r, big+7)
		for i, tail := range []int{0, 1, 5, 7} {
			if !atEnd && i > 1 {
				break
			}
			c := newSE(r, 0, false, realData)
			c.P, c.T, c.alias = P[:big+tail], T[:big+tail], []int{noAlias, aliasRP, noAlias, aliasRT}[i]
			n := 65536 + tail
			if !yield(c) || !yield(newSE(r, n, true, modeOf(i))) || !yield(newVec(r, "Dot", n, modeOf(i))) ||
				!yield(newVec(r, "Axpy", n, modeOf(i))) || !yield(newPL(r, n)) {
				return
			}
		}
	}
}
