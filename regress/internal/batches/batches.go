// Package batches is what packages regress and data share about a batch: the
// ungathered batch data.Loader.NextBatch returns, so that Trainer.Epoch's
// workers gather each their share, and the gathering itself.
package batches

import (
	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/linalg"
)

// Batch is one step's rows: X and Y themselves, or, when Idx is set, rows Idx
// of X and Y to gather into BX and BY (a shuffled loader's batch), with Next
// the following batch's rows, to prefetch.
type Batch struct {
	X, Y      linalg.Dense
	Idx, Next []int
	BX, BY    linalg.Dense
}

// Gather copies rows idx of the inputs X and targets Y into consecutive rows
// of bx and by.
func Gather(bx, X, by, Y linalg.Dense, idx []int) {
	edgefit.GatherRows(X.Cols, idx, X.Data, X.Stride, bx.Data, bx.Stride)
	edgefit.GatherRows(Y.Cols, idx, Y.Data, Y.Stride, by.Data, by.Stride)
}

// Prefetch asks for rows idx of the inputs X and targets Y to be brought into
// cache, without waiting: a batch gathered a step later then finds its rows
// there instead of waiting for each in turn (edgefit.PrefetchRows).
func Prefetch(X, Y linalg.Dense, idx []int) {
	edgefit.PrefetchRows(X.Cols, idx, X.Data, X.Stride)
	edgefit.PrefetchRows(Y.Cols, idx, Y.Data, Y.Stride)
}
