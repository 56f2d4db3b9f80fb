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
// scratch for predictions, and never more than limit bytes
// (growing a slice by append would hold up to twice what it counts).
type rowBlocks struct {
	k, n, per int   // inputs, outputs, rows per block
	limit     int64 // bytes
	X, Y      [][]float32
	rows      int
	scratch   []float32 // per×n: predictions
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
			b.scratch = make([]float32, b.per*b.n)
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

// chunks is the validation split as chunks of rows for Fit (a data.Chunks).
func (b *rowBlocks) chunks(yield func(X, Y linalg.Dense) error) error {
	for j := range b.X {
		m, X, Y := b.block(j)
		if err := yield(rowsOf(m, b.k, X), rowsOf(m, b.n, Y)); err != nil {
			return err
		}
	}
	return nil
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
		if err := mf.Predict(P, X); err != nil {
			return nil, err
		}
		if err := met.Add(rowsOf(m, b.n, P), rowsOf(m, b.n, Y)); err != nil {
			return nil, err
		}
	}
	return met, nil
}

// isVal puts row i in the validation split with probability frac: a hash of
// the seed and the row index, so that every pass over a streamed file makes
// the same split without remembering it.
func isVal(i int64, seed uint64, frac float64) bool {
	if frac == 0 {
		return false
	}
	z := seed + uint64(i)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11)/(1<<53) < frac
}

// keepTraining moves the training rows of a chunk of m rows, the first of
// which is row number first in the file, to the front of X and Y (the
// validation rows are dropped) and returns how many there are.
func keepTraining[T float32 | float64](m int, X, Y []T, k, n int, first int64, f *trainFlags) int {
	kept := 0
	for i := 0; i < m; i++ {
		if !isVal(first+int64(i), f.seed, f.val) {
			copy(X[kept*k:(kept+1)*k], X[i*k:(i+1)*k])
			copy(Y[kept*n:(kept+1)*n], Y[i*n:(i+1)*n])
			kept++
		}
	}
	return kept
}
