package main

import (
	"errors"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// rowBlocks holds rows (the validation split) in blocks of a fixed number
// of rows, allocated as rows arrive. Growing never copies, so the memory
// held is what the rows take rounded up to one block, plus one block of
// scratch for the standardised inputs, and never more than limit bytes
// (growing a slice by append would hold up to twice what it counts).
type rowBlocks struct {
	k, n, per int   // inputs, outputs, rows per block
	limit     int64 // bytes
	X, Y      [][]float32
	rows      int
	scratch   []float32 // per×max(k, n): standardised inputs, or predictions
}

// errValFull is returned by add when one more block would pass the limit.
var errValFull = errors.New("validation split over its memory limit")

func newRowBlocks(k, n int, limit int64) *rowBlocks {
	rowBytes := int64(4 * (k + n))
	per := int64(4096)
	// At least four blocks fit (the scratch block among them) when the
	// limit allows, so that rounding up to a block wastes little.
	if m := limit / rowBytes / 4; m < per {
		per = max(m, 1)
	}
	return &rowBlocks{k: k, n: n, per: int(per), limit: limit}
}

// held is the memory the blocks and the scratch block take, in bytes.
func (b *rowBlocks) held() int64 {
	return int64(len(b.X)+1) * int64(b.per) * int64(4*(b.k+b.n))
}

// add appends the row x, y (copied).
func (b *rowBlocks) add(x, y []float32) error {
	i := b.rows % b.per
	if i == 0 {
		if b.held()+int64(b.per)*int64(4*(b.k+b.n)) > b.limit {
			return errValFull
		}
		if b.scratch == nil {
			b.scratch = make([]float32, b.per*max(b.k, b.n))
		}
		b.X = append(b.X, make([]float32, b.per*b.k))
		b.Y = append(b.Y, make([]float32, b.per*b.n))
	}
	blk := len(b.X) - 1
	copy(b.X[blk][i*b.k:(i+1)*b.k], x)
	copy(b.Y[blk][i*b.n:(i+1)*b.n], y)
	b.rows++
	return nil
}

// block returns block j's rows: its row count, inputs and targets.
func (b *rowBlocks) block(j int) (int, []float32, []float32) {
	m := min(b.per, b.rows-j*b.per)
	return m, b.X[j][:m*b.k], b.Y[j][:m*b.n]
}

// loss is the trainer's loss over every row, the inputs standardised by std
// block by block into the scratch block.
func (b *rowBlocks) loss(tr *regress.Trainer, std *regress.Standardizer) (float32, error) {
	var sum float64
	for j := range b.X {
		m, X, Y := b.block(j)
		S := b.scratch[:m*b.k]
		std.Apply(m, X, b.k, S, b.k)
		Xd, _ := linalg.FromSlice(m, b.k, S)
		Yd, _ := linalg.FromSlice(m, b.n, Y)
		l, err := tr.Evaluate(Xd, Yd)
		if err != nil {
			return 0, err
		}
		sum += float64(l) * float64(m)
	}
	return float32(sum / float64(b.rows)), nil
}

// metrics measures mf over every row, as given (raw inputs).
func (b *rowBlocks) metrics(mf *modelfile.File) (*regress.Metrics, error) {
	met, err := regress.NewMetrics(b.n)
	if err != nil {
		return nil, err
	}
	for j := range b.X {
		m, X, Y := b.block(j)
		P := b.scratch[:m*b.n]
		if err := mf.Predict(m, X, P); err != nil {
			return nil, err
		}
		if err := met.Add(m, P, Y); err != nil {
			return nil, err
		}
	}
	return met, nil
}
