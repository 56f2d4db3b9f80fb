package main

import (
	"math"
	"os"
	"runtime"

	"github.com/edgefit/edgefit/linalg"
)

// table is training rows held in memory within a budget of bytes that
// counts all they take: the storage's capacity, the copy made while it
// grows (old and new storage are both live then), and extra bytes a row
// needs after reading (the loader's index of it).
type table struct {
	k, n   int
	X, Y   []float32
	budget int64
	extra  int64
}

func (t *table) rows() int { return len(t.Y) / t.n }

func (t *table) dense() (X, Y linalg.Dense) {
	X, _ = linalg.FromSlice(t.rows(), t.k, t.X)
	Y, _ = linalg.FromSlice(t.rows(), t.n, t.Y)
	return X, Y
}

// add appends a row, growing the storage within the budget; false if the
// row does not fit.
func (t *table) add(x, y []float32) bool {
	if len(t.Y)+t.n > cap(t.Y) && !t.reserve(min(2*int64(t.rows())+1024, t.limit())) {
		return false
	}
	t.X, t.Y = append(t.X, x...), append(t.Y, y...)
	return true
}

// limit is the most rows the storage may grow to from its present size.
func (t *table) limit() int64 {
	s := int64(4 * (t.k + t.n))
	held := int64(cap(t.Y) / t.n)
	return min((t.budget-held*s)/s, t.budget/(s+t.extra), math.MaxInt/s)
}

// spare is what the budget has left with the rows held and their extra bytes.
func (t *table) spare() int64 {
	return t.budget - int64(cap(t.Y)/t.n)*int64(4*(t.k+t.n)) - int64(t.rows())*t.extra
}

// reserve makes room for rows rows, if they fit in the budget (the storage
// is never more than that); false, and nothing allocated, if they do not.
func (t *table) reserve(rows int64) bool {
	held := int64(cap(t.Y) / t.n)
	if rows <= held {
		return rows > int64(t.rows())
	}
	if rows > t.limit() {
		return false
	}
	X, Y := make([]float32, len(t.X), rows*int64(t.k)), make([]float32, len(t.Y), rows*int64(t.n))
	copy(X, t.X)
	copy(Y, t.Y)
	t.X, t.Y = X, Y
	if held*int64(4*(t.k+t.n)) >= 1<<20 {
		// The outgrown storage is garbage: collected now (it holds no
		// pointers, so this is quick), its memory takes what comes next
		// instead of new memory.
		runtime.GC()
	}
	return true
}

// mostRows bounds the rows a CSV file of cols columns, used of them, can
// hold: a row takes a separator or line end per column and at least one
// byte per used value (blank and comment lines hold no row).
func mostRows(path string, cols, used int) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size()/int64(cols+used) + 1, nil
}
