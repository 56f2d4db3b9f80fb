// Package batches is what packages regress and data share about a batch: the
// ungathered batch data.Loader.NextBatch returns, so that Trainer.Epoch's
// workers gather each their share, and the gathering itself.
package batches

import (
	"runtime"
	"sync/atomic"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/linalg"
)

// Batch is one step's rows: X and Y themselves, or, when Idx is set, rows Idx
// of X and Y to gather into BX and BY (a shuffled loader's batch). Next is
// rows of NX and NY to prefetch while the step trains: the next batch's rows
// of the dataset when shuffled, else the first rows of the next batch itself.
type Batch struct {
	X, Y      linalg.Dense
	Idx, Next []int
	NX, NY    linalg.Dense // the rows Next names
	BX, BY    linalg.Dense
	Ahead     *Ahead // work the loader can have done ahead, or nil
}

// Gather copies rows idx of the inputs X and targets Y into consecutive rows
// of bx and by.
func Gather(bx, X, by, Y linalg.Dense, idx []int) {
	edgefit.GatherRows(X.Cols, idx, X.Data, X.Stride, bx.Data, bx.Stride)
	edgefit.GatherRows(Y.Cols, idx, Y.Data, Y.Stride, by.Data, by.Stride)
}

// MaxPrefetchRows is the most consecutive rows (of an unshuffled next batch,
// or of Evaluate's next block) prefetched ahead of their step: the rows of
// a larger batch would not stay in cache until then.
const MaxPrefetchRows = 1024

// PrefetchMinBytes is the least size of a dataset, inputs and targets, whose
// rows are prefetched ahead of their step: a smaller one stays in the
// caches after its first epoch, where prefetching its rows only costs time.
const PrefetchMinBytes = 256 << 10

// Worth reports whether rows of X and Y are worth prefetching
// (PrefetchMinBytes).
func Worth(X, Y linalg.Dense) bool {
	return len(X.Data) >= PrefetchMinBytes/4-len(Y.Data)
}

// Ident returns 0, 1, …, n−1: the indices of n consecutive rows, for Prefetch.
func Ident(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// Prefetch asks for rows idx of the inputs X and targets Y to be brought into
// cache, without waiting: a batch gathered a step later then finds its rows
// there instead of waiting for each in turn (edgefit.PrefetchRows).
func Prefetch(X, Y linalg.Dense, idx []int) {
	edgefit.PrefetchRows(X.Cols, idx, X.Data, X.Stride)
	edgefit.PrefetchRows(Y.Cols, idx, Y.Data, Y.Stride)
}

// Ahead is work a loader can have done before it needs it, in pieces, by a
// goroutine that would otherwise wait: a shuffling data.Loader's next
// epoch's order, which one of regress.Trainer's workers draws (in one piece)
// while the others and the caller go on with the steps.
// One goroutine at a time runs a piece; the owner holds the work (Hold)
// while it finishes it itself or starts it over, and pieces wait for it.
type Ahead struct {
	busy  atomic.Bool
	done  atomic.Bool
	held  atomic.Bool // the owner wants the work or has it
	piece func() bool // runs one piece and reports whether work is left
}

// NewAhead returns work done by piece, which runs one short piece of it and
// reports whether work is left; there is work at first.
func NewAhead(piece func() bool) *Ahead {
	return &Ahead{piece: piece}
}

// Piece runs one piece of the work unless it is done or held by another
// goroutine, and reports whether it ran one and work is left.
func (a *Ahead) Piece() bool {
	if a.done.Load() || a.held.Load() || !a.busy.CompareAndSwap(false, true) {
		return false
	}
	more := a.piece()
	if !more {
		a.done.Store(true)
	}
	a.busy.Store(false)
	return more
}

// Pending reports whether there is work and its owner is not holding it.
func (a *Ahead) Pending() bool { return !a.done.Load() && !a.held.Load() }

// Hold waits for a piece another goroutine may be running, then keeps the
// work for the caller until Release: the owner then reads and changes what
// the pieces write.
func (a *Ahead) Hold() {
	a.held.Store(true)
	for i := 1; !a.busy.CompareAndSwap(false, true); i++ {
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
}

// Release ends a Hold; more tells whether work is left for pieces.
func (a *Ahead) Release(more bool) {
	a.done.Store(!more)
	a.held.Store(false)
	a.busy.Store(false)
}
