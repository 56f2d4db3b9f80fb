package main

import (
	"math"

	"github.com/edgefit/edgefit/regress"
)

// A file's rows in memory are standardised in place for training, and the
// final metrics measure the model on the raw rows. rawBack keeps what brings
// the raw inputs back exactly, in a quarter of their size: for each value
// the difference, in float32 bits, between the raw value x and the value
// unstandardised from z = (x − mean)/scale, which is a few units; a value
// whose difference does not fit in an int8 is kept whole. Should too many
// need that, nothing is kept and the caller reads the file again.

// rawBack brings a table's standardised inputs back to the raw ones.
type rawBack struct {
	delta []int8 // bits(x) − bits(unstandardised z), or keptWhole
	whole []keptValue
}

type keptValue struct {
	i int
	x float32
}

const keptWhole = math.MinInt8

// rawBackBytes is what rawBack takes per input value at most: its delta and
// its share of the values kept whole (at most one in 64, 16 bytes each).
const rawBackBytes = 1.25

// unstandardize is x from z = (x − mean)/scale, rounded: the same float32
// operations on every call (the conversion rounds the product, so that no
// fused multiply-add changes the result).
func unstandardize(z, mean, scale float32) float32 { return float32(z*scale) + mean }

// standardizeInPlace standardises mem's inputs in place, as std.Apply does,
// and returns what brings them back, or nil if too many values would be
// kept whole.
func standardizeInPlace(mem *table, std *regress.Standardizer) *rawBack {
	k, rows := mem.k, mem.rows()
	const block = 1024
	raw := make([]float32, block*k)
	r := &rawBack{delta: make([]int8, rows*k)}
	for lo := 0; lo < rows; lo += block {
		hi := min(lo+block, rows)
		X := mem.X[lo*k : hi*k]
		copy(raw, X)
		std.Apply(rowsOf(hi-lo, k, X), rowsOf(hi-lo, k, X)) // k columns by construction: no error
		if r == nil {
			continue
		}
		for j, x := range raw[:len(X)] {
			p := j % k
			d := int64(math.Float32bits(x)) - int64(math.Float32bits(unstandardize(X[j], std.Mean[p], std.Scale[p])))
			if d > keptWhole && d <= math.MaxInt8 {
				r.delta[lo*k+j] = int8(d)
				continue
			}
			r.delta[lo*k+j] = keptWhole
			if r.whole = append(r.whole, keptValue{lo*k + j, x}); len(r.whole) > len(r.delta)/64+16 {
				r = nil
				break
			}
		}
	}
	return r
}

// restore brings mem's inputs back to the raw values.
func (r *rawBack) restore(mem *table, std *regress.Standardizer) {
	k := mem.k
	for i, z := range mem.X {
		if d := r.delta[i]; d != keptWhole {
			p := i % k
			mem.X[i] = math.Float32frombits(uint32(int64(math.Float32bits(unstandardize(z, std.Mean[p], std.Scale[p]))) + int64(d)))
		}
	}
	for _, w := range r.whole {
		mem.X[w.i] = w.x
	}
}
