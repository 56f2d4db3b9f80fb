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

func newFencePlacer(t testing.TB, atEnd bool) *fencePlacer {
	p := &fencePlacer{atEnd: atEnd}
	for range 4 { // the most operands of any kernel: MatMulBias's X, W, b, Y
		// 8 KiB or more: room for the largest operand of these tests, 70×26.
		p.fences = append(p.fences, newFence(t, max(2, 8192/os.Getpagesize())))
	}
	return p
}

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
				newCS(r, t, 3, mode), newCS(r, 3, t, mode),
				newSE(r, t, false, mode), newSE(r, t, true, mode),
				newVec(r, "Dot", t, mode), newVec(r, "Axpy", t, mode), newPL(r, t),
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
	testCases(t, newFencePlacer(t, true), tailCases(30))
}

func TestGuardPageAtStart(t *testing.T) {
	if !fencesFault {
		t.Log("no guard pages on this system: checking writes within the window only")
	}
	testCases(t, newFencePlacer(t, false), tailCases(31))
}
