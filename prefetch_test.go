package edgefit

// The proof of PrefetchRows, for every implementation: it changes no value,
// bit for bit, neither of X (nor of the guards before, after and between its
// rows) nor of idx (nor of the sentinels around it), for every row length
// 0..70 and some long ones, every batch size 0..40 and some long batches,
// padded strides and every alignment; it reads no index outside idx, with
// idx, and X, flush against an inaccessible page (guardpage_test.go). That
// its prefetch addresses stay inside the rows cannot be seen from here
// (prefetches do not fault): TestGatherPrefetchCoversRows checks the lines
// and last that avx2 hands its assembly.

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

type prCase struct {
	k, rows int
	idx     []int
	X       []float32 // compact rows×k
	lx      lay
	result  // always empty: PrefetchRows produces nothing
}

// newPR makes a case prefetching n rows of k floats from an X of rows rows,
// with the indices and data of the GatherRows case newGR would make.
func newPR(r *rand.Rand, rows, n, k, order int) *prCase {
	g := newGR(r, rows, n, k, order)
	return &prCase{k: g.k, rows: g.rows, idx: g.idx, X: g.X, lx: g.lx}
}

func (c *prCase) String() string {
	idx := fmt.Sprint(c.idx)
	if len(c.idx) > 12 {
		idx = fmt.Sprintf("%v… (%d)", c.idx[:12], len(c.idx))
	}
	return fmt.Sprintf("PrefetchRows k=%d rows=%d idx=%s X:%v", c.k, c.rows, idx, c.lx)
}

func (c *prCase) inputs() []named { return []named{{"X", c.X}} }

// idxSentinel fills the memory around the indices: an index with these bits
// is far out of any X's range.
const idxSentinel = 0x5e47_1ee7

func (c *prCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	X := newOperand("X", p, c.rows, c.k, ld(c.k, c.lx.pad), c.lx, c.X, inGuardBits)
	buf, idx := placeIndicesGuarded(p, c.idx)
	before := append([]float32(nil), buf...)
	call(&errs, func() { im.PrefetchRows(c.k, idx, X.s, X.ld) })
	X.checkUnchanged(&errs)
	for i := range buf {
		if math.Float32bits(buf[i]) != math.Float32bits(before[i]) {
			errs.add("idx or the memory around it changed at float32 cell %d of its buffer: bits %#08x, was %#08x",
				i, math.Float32bits(buf[i]), math.Float32bits(before[i]))
		}
	}
	return &errs
}

// placeIndicesGuarded is placeIndices that also fills the rest of the
// buffer the indices are placed in with idxSentinel and returns it all, for
// checking that nothing in or around idx changes.
func placeIndicesGuarded(p placer, idx []int) (buf []float32, placed []int) {
	if len(idx) == 0 {
		return nil, idx
	}
	const per = int(unsafe.Sizeof(int(0)) / 4)
	buf, start := p.place(per*len(idx), lay{})
	for i := range buf {
		buf[i] = math.Float32frombits(idxSentinel)
	}
	ptr := unsafe.Pointer(&buf[start])
	if uintptr(ptr)%unsafe.Alignof(int(0)) != 0 {
		panic("indices misaligned")
	}
	placed = unsafe.Slice((*int)(ptr), len(idx))
	copy(placed, idx)
	return buf, placed
}

// prefetchSweep yields every k 0..maxSweep for batches of 1, 2, 5, 16, 17 and
// 40 rows; every batch size 0..40 for rows of 1, 3, 8, 17 and 64; long rows;
// long batches (past the avx2 wrapper's split into calls); and every
// alignment 0..15 of X for a few k. Orders, the size of X (1..40 rows) and
// the layouts rotate and vary at random.
func prefetchSweep(seed uint64) iter.Seq[kcase] {
	return func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(seed, seed))
		i := 0
		mk := func(rows, n, k int) *prCase {
			i++
			return newPR(r, rows, n, k, i%numOrders)
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
		for _, k := range []int{1, 16, 64, 200} {
			for _, n := range []int{2047, 2048, 2049, 10000} {
				if !yield(mk(1+r.IntN(40), n, k)) {
					return
				}
			}
		}
		for _, k := range []int{1, 3, 7, 8, 9, 15, 16, 33, 64, 71} {
			for off := 0; off < 16; off++ {
				c := mk(9, 19, k)
				c.lx.off = off
				if !yield(c) {
					return
				}
			}
		}
	}
}

func TestPrefetchRows(t *testing.T) {
	testCases(t, heapPlacer{}, prefetchSweep(63))
}

// TestGuardPagePrefetchRows: X's last row (which every batch names) ends
// exactly at an inaccessible page, or X starts right after one, and idx
// likewise, for every k 0..70, long rows and long batches. A kernel that
// reads idx[len(idx)] (or idx[−1]) to prefetch one row too many faults.
func TestGuardPagePrefetchRows(t *testing.T) {
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
					c := newPR(r, 1+r.IntN(12), n, k, i%numOrders)
					c.lx.extra = 0
					if !yield(c) {
						return
					}
				}
			}
			for _, n := range []int{2047, 2048, 2049, 10000} {
				c := newPR(r, 1+r.IntN(12), n, 1+r.IntN(300), n%numOrders)
				c.lx.extra = 0
				if !yield(c) {
					return
				}
			}
		}
	}
	const floats = 40 * (4097 + 9)
	for _, atEnd := range []bool{true, false} {
		where := map[bool]string{true: "at_end", false: "at_start"}[atEnd]
		t.Run(where, func(t *testing.T) { testCases(t, newFencePlacer(t, atEnd, floats), gen(64)) })
	}
}

// prefetchRowsPanic is the message PrefetchRows documents (through checkRows,
// the same as GatherRows's) for a call with these arguments, "" if the call
// is valid. Written out here, apart from checkRows, so that the two agree.
func prefetchRowsPanic(k int, idx []int, lenX, ldx int) string {
	const p = "edgefit: PrefetchRows: "
	switch {
	case k < 0:
		return p + fmt.Sprintf("k = %d, want at least 0", k)
	case ldx < 1 || ldx < k:
		return p + fmt.Sprintf("X has row stride %d, want at least its %d columns (and at least 1)", ldx, k)
	case k == 0:
		return ""
	}
	last := -1
	if lenX >= k {
		last = (lenX - k) / ldx
	}
	for i, r := range idx {
		if r < 0 || r > last {
			return p + fmt.Sprintf("idx[%d] = %d, but X (len %d, %d columns, row stride %d) holds rows 0…%d", i, r, lenX, k, ldx, last)
		}
	}
	return ""
}

// FuzzPrefetchRows: arbitrary k (negative too), strides (too small too),
// lengths of X (cut short too) and indices (out of range too). A valid call
// must not panic, an invalid one must panic with the documented message;
// either way X, its guards and idx keep their bits.
func FuzzPrefetchRows(f *testing.F) {
	for _, s := range [][4]int16{{0, 1, 1, 0}, {1, 1, 1, 0}, {3, 5, 15, 2}, {8, 40, 256, 0}, {64, 17, 100, 9}, {15, 63, 2, 1},
		{1000, 3, 4, 0}, {5, 0, 0, 0}, {-1, 1, 1, 0}, {5, 1, 3, -1}, {0, 2, 0, -1}, {17, 4, 3, -100}} {
		f.Add(s[0], uint8(s[1]), uint8(s[2]), int8(s[3]), uint64(s[0]), []byte{byte(s[1]), 0x40, 0, 1, 0x12, 0xF8, 5})
	}
	f.Fuzz(func(t *testing.T, k16 int16, n8, rows8 uint8, pad int8, seed uint64, data []byte) {
		d := newDecoder(seed, data)
		k, n, rows := int(k16)%1100, int(n8)%65, int(rows8)%41
		ldx := k + int(pad)%12 // below k, or below 1, for some pads
		l := d.lay(false)
		l.pad = 0
		// X holds rows rows at stride ldx (when that is a valid stride),
		// then cut short by up to 3 elements one time in four.
		lenX := rows * max(k, 0)
		if ldx >= 1 && k >= 0 {
			lenX = matLen(rows, k, ldx)
		}
		if b := d.byte(); b%4 == 0 {
			lenX = max(lenX-int(b/4%4), 0)
		}
		idx := make([]int, n)
		for i := range idx {
			switch b := d.byte(); {
			case b < 8:
				idx[i] = int(b) - 4 + rows // around the end
			case b < 12:
				idx[i] = -int(b - 7) // negative
			case b == 12:
				idx[i] = math.MaxInt
			default:
				idx[i] = int(b) % max(rows, 1)
			}
		}
		want := prefetchRowsPanic(k, idx, lenX, ldx)
		for _, im := range Implementations() {
			p := heapPlacer{}
			buf, start := p.place(lenX, l)
			for i := range buf {
				buf[i] = inGuard
			}
			for i := 0; i < lenX; i++ {
				buf[start+i] = math.Float32frombits(uint32(d.byte())<<24 | uint32(i))
			}
			X := buf[start : start+lenX+l.extra]
			ibuf, pidx := placeIndicesGuarded(p, idx)
			xb, ib := append([]float32(nil), buf...), append([]float32(nil), ibuf...)
			msg, panicked := panicMessage(func() { im.PrefetchRows(k, pidx, X[:lenX], ldx) })
			switch {
			case want == "" && panicked:
				t.Fatalf("%s: PrefetchRows(k=%d, idx=%v, len(X)=%d, ldx=%d) panicked: %s", im, k, idx, lenX, ldx, msg)
			case want != "" && !panicked:
				t.Fatalf("%s: PrefetchRows(k=%d, idx=%v, len(X)=%d, ldx=%d) did not panic, want %q", im, k, idx, lenX, ldx, want)
			case want != "" && msg != want:
				t.Fatalf("%s: PrefetchRows(k=%d, idx=%v, len(X)=%d, ldx=%d) panicked with %q, want %q", im, k, idx, lenX, ldx, msg, want)
			}
			for i := range buf {
				if math.Float32bits(buf[i]) != math.Float32bits(xb[i]) {
					t.Fatalf("%s: X's buffer changed at %d (relative %d)", im, i, i-start)
				}
			}
			for i := range ibuf {
				if math.Float32bits(ibuf[i]) != math.Float32bits(ib[i]) {
					t.Fatalf("%s: idx's buffer changed at float32 cell %d", im, i)
				}
			}
		}
	})
}

// TestPrefetchRowsPanicMessages: the fuzz target's expectations agree with
// GatherRows's messages (the kernels share checkRows), so the fuzzer checks
// the documented messages, not a copy of whatever checkRows says.
func TestPrefetchRowsPanicMessages(t *testing.T) {
	X := make([]float32, 15)
	for _, tc := range []struct {
		k    int
		idx  []int
		lenX int
		ldx  int
	}{{5, []int{0, -1}, 15, 5}, {5, []int{3}, 15, 5}, {5, []int{2}, 14, 5}, {5, []int{1, 2}, 15, 6}, {-1, nil, 15, 5}, {5, nil, 15, 4}, {0, nil, 15, 0}} {
		want := prefetchRowsPanic(tc.k, tc.idx, tc.lenX, tc.ldx)
		msg, _ := panicMessage(func() {
			generic.GatherRows(tc.k, tc.idx, X[:tc.lenX], tc.ldx, make([]float32, 64), max(tc.k, 1))
		})
		if g := strings.Replace(msg, "GatherRows", "PrefetchRows", 1); want == "" || g != want {
			t.Errorf("k=%d idx=%v len(X)=%d ldx=%d: GatherRows panics with %q, prefetchRowsPanic wants %q", tc.k, tc.idx, tc.lenX, tc.ldx, msg, want)
		}
	}
}
