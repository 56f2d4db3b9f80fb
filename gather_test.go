package edgefit

// The proof of GatherRows, for every implementation: the copy is exact, bit
// for bit (NaN payloads, signalling NaNs, −0, subnormals), for every row
// length 0..70 and some long ones, every batch size 0..40 (on both sides of
// the prefetch distance), repeated indices, the first and the last row in
// every batch, ascending, descending and shuffled orders, padded strides and
// every alignment; nothing but the len(idx)×k elements of Y is written (the
// guards before, after and between Y's rows keep their bits) and X is not
// changed; reads stay inside the rows, with the last row of X, and Y, flush
// against an inaccessible page (guardpage_test.go).

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

type grCase struct {
	k, rows int
	idx     []int
	X       []float32 // compact rows×k
	lx, ly  lay
	result
}

// gatherSpecials are bit patterns a copy through arithmetic or a float
// conversion would change: −0, signalling and quiet NaNs with payloads of
// either sign, the infinities, subnormals, the largest finite value.
var gatherSpecials = []uint32{
	0x8000_0000, 0x7f80_0001, 0xff80_1234, 0x7fc0_0001, 0xffff_ffff, 0x7fbf_ffff,
	0x7f80_0000, 0xff80_0000, 0x0000_0001, 0x807f_ffff, 0x7f7f_ffff, 0,
}

// gatherBits returns n values of arbitrary bits, one in four a special, none
// equal to the suite's guard and stale patterns.
func gatherBits(r *rand.Rand, n int) []float32 {
	a := make([]float32, n)
	for i := range a {
		b := r.Uint32()
		if r.IntN(4) == 0 {
			b = gatherSpecials[r.IntN(len(gatherSpecials))]
		}
		switch b {
		case inGuardBits, outGuardBits, staleBits:
			b = 0x7fc0_0002
		}
		a[i] = math.Float32frombits(b)
	}
	return a
}

// Orders of the indices of a batch.
const (
	orderRandom     = iota // uniform, with repeats
	orderDescending        // rows−1, rows−2, … wrapping around
	orderShuffled          // distinct while the batch is no longer than X
	orderSame              // one row repeated
	numOrders
)

// gatherIndices returns n indices of rows 0..rows−1 in the given order; when
// n ≥ 2 (and rows ≥ 2) the batch holds both the first and the last row.
func gatherIndices(r *rand.Rand, rows, n, order int) []int {
	idx := make([]int, n)
	if n == 0 {
		return idx
	}
	perm := r.Perm(rows)
	for i := range idx {
		switch order {
		case orderRandom:
			idx[i] = r.IntN(rows)
		case orderDescending:
			idx[i] = rows - 1 - i%rows
		case orderShuffled:
			idx[i] = perm[i%rows]
		case orderSame:
			idx[i] = rows - 1
		}
	}
	if order != orderSame {
		a := r.IntN(n)
		idx[a] = rows - 1
		if n >= 2 {
			b := (a + 1 + r.IntN(n-1)) % n
			idx[b] = 0
		}
	}
	return idx
}

// newGR makes a case gathering n rows of k floats from an X of rows rows
// (at least 1 when n > 0).
func newGR(r *rand.Rand, rows, n, k, order int) *grCase {
	if n > 0 {
		rows = max(rows, 1)
	}
	return &grCase{k: k, rows: rows, idx: gatherIndices(r, rows, n, order),
		X: gatherBits(r, rows*k), lx: randLay(r), ly: randLay(r)}
}

func (c *grCase) String() string {
	idx := fmt.Sprint(c.idx)
	if len(c.idx) > 12 {
		idx = fmt.Sprintf("%v… (%d)", c.idx[:12], len(c.idx))
	}
	return fmt.Sprintf("GatherRows k=%d rows=%d idx=%s X:%v Y:%v", c.k, c.rows, idx, c.lx, c.ly)
}

func (c *grCase) inputs() []named { return []named{{"X", c.X}} }

func (c *grCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	X := newOperand("X", p, c.rows, c.k, ld(c.k, c.lx.pad), c.lx, c.X, inGuardBits)
	Y := newOperand("Y", p, len(c.idx), c.k, ld(c.k, c.ly.pad), c.ly, nil, outGuardBits)
	idx := placeIndices(p, c.idx)
	if call(&errs, func() { im.GatherRows(c.k, idx, X.s, X.ld, Y.s, Y.ld) }) {
		ws := make([]want, 0, len(c.idx)*c.k)
		for i, r := range c.idx {
			for j := 0; j < c.k; j++ {
				w, got := c.X[r*c.k+j], Y.at(i, j)
				if math.Float32bits(got) != math.Float32bits(w) {
					errs.add("Y[%d,%d] has bits %#08x, want X[%d,%d]'s %#08x", i, j, math.Float32bits(got), r, j, math.Float32bits(w))
				}
				ws = append(ws, want{v: float64(w), exact: true})
			}
		}
		c.result = result{Y.cells(), ws}
	}
	X.checkUnchanged(&errs)
	Y.checkGuards(&errs)
	return &errs
}

// placeIndices copies idx into memory from p, so that with guard pages the
// indices end at an inaccessible page (or start after one): a kernel that
// reads idx[len(idx)], to prefetch one row too many, faults.
func placeIndices(p placer, idx []int) []int {
	if len(idx) == 0 {
		return idx
	}
	const per = int(unsafe.Sizeof(int(0)) / 4) // float32 cells per int
	buf, start := p.place(per*len(idx), lay{})
	ptr := unsafe.Pointer(&buf[start])
	if uintptr(ptr)%unsafe.Alignof(int(0)) != 0 {
		panic("indices misaligned")
	}
	placed := unsafe.Slice((*int)(ptr), len(idx))
	copy(placed, idx)
	return placed
}

// gatherSweep yields every k 0..maxSweep for batches of 1, 2, 5, 16, 17 and
// 40 rows; every batch size 0..40 for rows of 1, 3, 8, 17 and 64; long rows;
// and every alignment 0..15 of X and of Y for a few k. The orders, the size of
// X (1..40 rows) and the layouts rotate and vary at random.
func gatherSweep(seed uint64) iter.Seq[kcase] {
	return func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(seed, seed))
		i := 0
		mk := func(rows, n, k int) *grCase {
			i++
			return newGR(r, rows, n, k, i%numOrders)
		}
		for k := 0; k <= maxSweep; k++ {
			for _, n := range []int{1, 2, 5, 16, 17, 40} {
				if !yield(mk(1+r.IntN(40), n, k)) {
					return
				}
			}
		}
		for n := 0; n <= 40; n++ {
			for _, k := range []int{1, 3, 8, 17, 64} {
				if !yield(mk(r.IntN(41), n, k)) {
					return
				}
			}
		}
		for _, k := range []int{127, 128, 129, 255, 256, 257, 1000, 1024, 4097} {
			for _, n := range []int{1, 3, 20} {
				if !yield(mk(1+r.IntN(5), n, k)) {
					return
				}
			}
		}
		for _, k := range []int{1, 3, 7, 8, 9, 15, 16, 33, 64, 71} {
			for off := 0; off < 16; off++ {
				c, d := mk(9, 19, k), mk(9, 19, k)
				c.lx.off, d.ly.off = off, off
				if !yield(c) || !yield(d) {
					return
				}
			}
		}
	}
}

func TestGatherRows(t *testing.T) {
	testCases(t, heapPlacer{}, gatherSweep(60))
}

// TestGuardPageGatherRows: X's last row (which every batch gathers) ends
// exactly at an inaccessible page, or X starts right after one, and Y
// likewise, for every k 0..70 and long rows, with batches on both sides of
// the prefetch distance. The last row of X and Y is not padded to a full
// stride (the slices end with it), so a read or write past the row faults.
func TestGuardPageGatherRows(t *testing.T) {
	if !fencesFault {
		t.Log("no guard pages on this system: checking writes within the window only")
	}
	gen := func(seed uint64) iter.Seq[kcase] {
		return func(yield func(kcase) bool) {
			r := rand.New(rand.NewPCG(seed, seed))
			ks := []int{1000, 4097}
			for k := 0; k <= maxSweep; k++ {
				ks = append(ks, k)
			}
			for _, k := range ks {
				for i, n := range []int{1, 3, 17, 40} {
					c := newGR(r, 1+r.IntN(12), n, k, i%numOrders)
					c.lx.extra, c.ly.extra = 0, 0
					if !yield(c) {
						return
					}
				}
			}
		}
	}
	const floats = 40 * (4097 + 9)
	for _, atEnd := range []bool{true, false} {
		where := map[bool]string{true: "at_end", false: "at_start"}[atEnd]
		t.Run(where, func(t *testing.T) { testCases(t, newFencePlacer(t, atEnd, floats), gen(61)) })
	}
}

func FuzzGatherRows(f *testing.F) {
	for _, s := range [][3]uint16{{0, 1, 1}, {1, 1, 1}, {3, 5, 15}, {8, 40, 256}, {64, 17, 100}, {15, 63, 2}, {33, 16, 7}, {1000, 3, 4}, {5, 0, 0}} {
		f.Add(s[0], uint8(s[1]), uint8(s[2]), uint64(s[0]), []byte{byte(s[1]), 0x40, 0, 1, 0x12, 0xF8, 5})
	}
	f.Fuzz(func(t *testing.T, k16 uint16, n8, rows8 uint8, seed uint64, data []byte) {
		d := newDecoder(seed, data)
		k, n, rows := int(k16)%1100, int(n8)%65, int(rows8)%41
		if n > 0 {
			rows = max(rows, 1)
		}
		c := &grCase{k: k, rows: rows, lx: d.lay(false), ly: d.lay(false), idx: make([]int, n), X: make([]float32, rows*k)}
		for i := range c.idx {
			c.idx[i] = int(d.byte()) % rows
		}
		for i := range c.X {
			b := uint32(d.byte())<<24 | uint32(d.byte())<<16 | uint32(d.byte())<<8 | uint32(d.byte())
			if b == inGuardBits || b == outGuardBits || b == staleBits {
				b = 0x7fc0_0002
			}
			c.X[i] = math.Float32frombits(b)
		}
		fuzzAll(t, c)
	})
}
