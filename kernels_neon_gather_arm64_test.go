//go:build arm64 && gc && !purego

package edgefit

// The NEON GatherRows against the Go version, bit for bit, with its operands
// flush against inaccessible pages: X's first row right after one and its
// last row right before one, Y likewise, and idx ending right before one, so
// that a load or store past a row, a store past Y or a read of idx past its
// end (the prefetch looks ahead in idx) faults inside the test.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"testing"
	"unsafe"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// gatherSentinel fills Y's gaps and the memory around it; no float32
// operation produces this NaN.
const gatherSentinel = 0x7fa5a5a5

// neonGatherSpecials are bit patterns a copy through floating-point arithmetic
// would change: −0, NaNs with payloads (quiet, signalling, negative), the
// infinities and a subnormal.
var neonGatherSpecials = []uint32{0x80000000, 0x7fc0dead, 0x7f800001, 0xffbfffff, 0xffc00000, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff}

// gatherFences holds the fenced buffers of one test: X, Y and idx each in
// their own mapping with inaccessible pages on both sides.
type gatherFences struct {
	x, y []float32
	idx  []int
}

func newGatherFences(t *testing.T, xFloats, yFloats, idxLen int) *gatherFences {
	ps := os.Getpagesize()
	pages := func(bytes int) int { return (bytes + ps - 1) / ps }
	ix := newFence(t, pages(8*idxLen))
	return &gatherFences{
		x:   newFence(t, pages(4*xFloats)),
		y:   newFence(t, pages(4*(yFloats+fenceWindow))),
		idx: unsafe.Slice((*int)(unsafe.Pointer(&ix[0])), len(ix)/2),
	}
}

// gatherCase is one call: rowsX rows of X, len(idx) rows gathered.
type gatherCase struct {
	k, ldx, ldy, rowsX int
	idx                []int
	atEnd              bool  // operands end at a guard page, rather than start after one
	im                 *Impl // the set to run, neon when nil
}

func (c gatherCase) String() string {
	where := "after guard pages"
	if c.atEnd {
		where = "before guard pages"
	}
	return fmt.Sprintf("k=%d ldx=%d ldy=%d rows of X=%d n=%d (%s) idx=%v", c.k, c.ldx, c.ldy, c.rowsX, len(c.idx), where, c.idx)
}

// neonGatherIndices returns n indices into rows rows, of the kind pattern names:
// random with repeats, a shuffled permutation, one row repeated, every
// second row descending; all but the last include the first and last rows.
func neonGatherIndices(r *rand.Rand, n, rows, pattern int) []int {
	idx := make([]int, n)
	switch pattern % 4 {
	case 0:
		for i := range idx {
			idx[i] = r.IntN(rows)
			if i > 0 && r.IntN(4) == 0 {
				idx[i] = idx[i-1]
			}
		}
	case 1:
		p := r.Perm(rows)
		for i := range idx {
			idx[i] = p[i%rows]
		}
	case 2:
		for i := range idx {
			idx[i] = rows - 1
		}
	case 3:
		for i := range idx {
			idx[i] = (rows - 1 - 2*i%rows + rows) % rows
		}
		return idx
	}
	if n >= 2 {
		idx[r.IntN(n)], idx[r.IntN(n)] = 0, rows-1
	}
	return idx
}

// run gathers with neon and with gatherRowsGeneric and compares, bit for
// bit, Y with the memory around it, X and idx, returning a description of the
// first difference.
func (c gatherCase) run(r *rand.Rand, f *gatherFences) (err string) {
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Sprintf("panic: %v", e)
		}
	}()
	n := len(c.idx)
	xLen := (c.rowsX-1)*c.ldx + c.k
	yLen := 0
	if n > 0 {
		yLen = (n-1)*c.ldy + c.k
	}
	// X: random bits, a fifth of them special; the gaps between rows hold
	// the sentinel, which must not reach Y.
	var X, Yw []float32
	var idx []int
	yOff := 0 // Y within the checked window Yw
	if c.atEnd {
		X = f.x[len(f.x)-xLen:]
		Yw = f.y[len(f.y)-yLen-fenceWindow:]
		yOff = fenceWindow
		idx = f.idx[len(f.idx)-n:]
	} else {
		X = f.x[:xLen]
		Yw = f.y[:yLen+fenceWindow]
		idx = f.idx[:n]
	}
	for i := range X {
		switch {
		case c.k < c.ldx && i%c.ldx >= c.k:
			X[i] = math.Float32frombits(gatherSentinel)
		case r.IntN(5) == 0:
			X[i] = math.Float32frombits(neonGatherSpecials[r.IntN(len(neonGatherSpecials))])
		default:
			X[i] = math.Float32frombits(r.Uint32())
		}
	}
	copy(idx, c.idx)
	for i := range Yw {
		Yw[i] = math.Float32frombits(gatherSentinel)
	}
	xWant := append([]float32(nil), X...)
	want := append([]float32(nil), Yw...)
	gatherRowsGeneric(c.k, c.idx, xWant, c.ldx, want[yOff:yOff+yLen], c.ldy)

	im := c.im
	if im == nil {
		im = neon
	}
	im.GatherRows(c.k, idx, X, c.ldx, Yw[yOff:yOff+yLen], c.ldy)

	for i := range want {
		if g, w := math.Float32bits(Yw[i]), math.Float32bits(want[i]); g != w {
			j := i - yOff
			where := "before Y"
			switch {
			case j >= yLen:
				where = "after Y"
			case j >= 0 && j%c.ldy < c.k:
				where = fmt.Sprintf("Y[%d][%d]", j/c.ldy, j%c.ldy)
			case j >= 0:
				where = fmt.Sprintf("gap after Y row %d", j/c.ldy)
			}
			return fmt.Sprintf("%s (element %d of the window) = %#08x, want %#08x", where, j, g, w)
		}
	}
	for i := range X {
		if math.Float32bits(X[i]) != math.Float32bits(xWant[i]) {
			return fmt.Sprintf("X[%d] changed", i)
		}
	}
	for i := range idx {
		if idx[i] != c.idx[i] {
			return fmt.Sprintf("idx[%d] changed", i)
		}
	}
	return ""
}

// TestGatherRowsNEON: every k 0..70, 1000 and 4097; rows 0..40 gathered
// (past the prefetch distance of every k, so both loops and the prologue
// run, and below it); strides equal to k and larger; the four index
// patterns; operands after and before guard pages.
func TestGatherRowsNEON(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	if !fencesFault {
		t.Log("no guard pages on this system: checking the windows around Y only")
	}
	r := rand.New(rand.NewPCG(44, 44))
	const maxN, maxK, maxPad = 40, 4097, 13
	f := newGatherFences(t, (maxN+2)*(maxK+maxPad), maxN*(maxK+maxPad), maxN)
	var ks []int
	for k := 0; k <= 70; k++ {
		ks = append(ks, k)
	}
	ks = append(ks, 1000, 4097)
	cases, failed := 0, 0
	for _, k := range ks {
		for p, pad := range [][2]int{{0, 0}, {1, 3}, {maxPad, 1}, {5, 0}} {
			for n := 0; n <= maxN; n++ {
				c := gatherCase{k: k, ldx: max(k+pad[0], 1), ldy: max(k+pad[1], 1), atEnd: (n+p)%2 == 0}
				c.rowsX = 1 + r.IntN(n+2)
				c.idx = neonGatherIndices(r, n, c.rowsX, n+p+k)
				cases++
				if err := c.run(r, f); err != "" {
					t.Errorf("%s: %s", c, err)
					if failed++; failed == 10 {
						t.Fatal("too many failures")
					}
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestGatherRowsNEONBatch: the trainer's shape, 256 rows of 64 float32 and
// of 8 (the targets) out of a larger dataset, and a long batch of single
// floats (prefetch distance 32, one line a row).
func TestGatherRowsNEONBatch(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	r := rand.New(rand.NewPCG(45, 45))
	f := newGatherFences(t, 4096*67, 1000*67, 1000)
	for i, s := range []struct{ k, ldx, ldy, rowsX, n int }{
		{64, 64, 64, 4096, 256}, {64, 67, 64, 4000, 256}, {8, 8, 8, 4096, 256}, {8, 9, 11, 4096, 255},
		{1, 1, 1, 4096, 1000}, {3, 5, 7, 4096, 333}, {17, 17, 17, 2048, 1000},
	} {
		c := gatherCase{k: s.k, ldx: s.ldx, ldy: s.ldy, rowsX: s.rowsX, atEnd: i%2 == 0}
		c.idx = neonGatherIndices(r, s.n, s.rowsX, i)
		if err := c.run(r, f); err != "" {
			t.Errorf("%s: %s", c, err)
		}
	}
}

// TestGatherRowsNEONSplitCalls makes the wrapper split the rows over several
// assembly calls, each with its own prologue and a distance cut to its rows.
func TestGatherRowsNEONSplitCalls(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	r := rand.New(rand.NewPCG(46, 46))
	f := newGatherFences(t, 300*40, 300*40, 300)
	for _, budget := range []int{1, 300, 1000, 5000, 20000} {
		im := newNEON(splitter{budget})
		for i, s := range [][3]int{{1, 1, 300}, {5, 7, 100}, {16, 16, 77}, {33, 40, 40}, {64, 64, 50}} {
			c := gatherCase{k: s[0], ldx: s[1], ldy: s[1] + i%2, rowsX: 150, atEnd: i%2 == 1, im: im}
			c.idx = neonGatherIndices(r, s[2], c.rowsX, i)
			if err := c.run(r, f); err != "" {
				t.Errorf("budget %d: %s: %s", budget, c, err)
			}
		}
	}
}

// TestGatherRowsNEONSchedule runs the kernel's traced twin, which records
// each prefetch's address and each row copy, and checks the schedule: rows
// idx[0:ahead] prefetched first, then row idx[i+ahead] before the copy of
// row i while there is one, every row prefetched once at the offsets
// neonPlan gives, the rows copied in order, nothing recorded past the
// schedule, and Y as the Go version leaves it.
func TestGatherRowsNEONSchedule(t *testing.T) {
	r := rand.New(rand.NewPCG(48, 48))
	for _, k := range []int{1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65, 100, 97, 98, 113, 114, 128, 1000} {
		for _, n := range []int{1, 2, 3, 15, 16, 17, 31, 32, 33, 40, 256} {
			ldx, ldy, rows := k+r.IntN(3), k+r.IntN(2), 300
			X, Y := randF32(r, (rows-1)*ldx+k), make([]float32, (n-1)*ldy+k)
			want := append([]float32(nil), Y...)
			idx := neonGatherIndices(r, n, rows, n+k)
			ahead, lines, last := neonPlan.rows(k)
			ahead = min(ahead, n)
			trace := make([]uintptr, n*(lines+2)+1) // one to spare, to stay 0
			gatherRowsNEONTrace(k, idx, X, ldx, Y, ldy, ahead, lines, last, trace)

			row := func(i int) uintptr { return uintptr(unsafe.Pointer(&X[idx[i]*ldx])) }
			var sched []uintptr
			prefetch := func(i int) {
				sched = append(sched, row(i)+uintptr(last))
				for j := 0; j < lines; j++ {
					sched = append(sched, row(i)+uintptr(64*j))
				}
			}
			for i := 0; i < ahead; i++ {
				prefetch(i)
			}
			for i := 0; i < n; i++ {
				if i+ahead < n {
					prefetch(i + ahead)
				}
				sched = append(sched, row(i)+1)
			}
			sched = append(sched, 0)
			for i := range sched {
				if trace[i] != sched[i] {
					t.Fatalf("k=%d n=%d ahead=%d lines=%d last=%d: trace[%d] = %#x, want %#x", k, n, ahead, lines, last, i, trace[i], sched[i])
				}
			}
			gatherRowsGeneric(k, idx, X, ldx, want, ldy)
			for i := range want {
				if math.Float32bits(Y[i]) != math.Float32bits(want[i]) {
					t.Fatalf("k=%d n=%d: Y[%d] = %v, want %v", k, n, i, Y[i], want[i])
				}
			}
		}
	}
}

// TestGatherPrefetch checks the prefetch plan of every row length up to 5000
// elements: a distance of 2 to 32 rows (16 for rows of 64 float32), every
// offset inside the row, and, at each of the 16 alignments a row of float32
// can have in a 64-byte line, every line of the row prefetched, or its first
// prefetchMaxLines when it has more.
func TestGatherPrefetch(t *testing.T) {
	if a, _, _ := neonPlan.rows(64); a != 16 {
		t.Errorf("rows of 64 float32: prefetched %d rows ahead, want 16", a)
	}
	for k := 1; k <= 5000; k++ {
		ahead, lines, last := neonPlan.rows(k)
		if ahead < gatherMinAhead || ahead > gatherMaxAhead {
			t.Fatalf("k=%d: ahead %d", k, ahead)
		}
		offs := []int{last}
		for j := 0; j < lines; j++ {
			offs = append(offs, 64*j)
		}
		if len(offs) > prefetchMaxLines {
			t.Fatalf("k=%d: %d prefetches a row", k, len(offs))
		}
		for _, o := range offs {
			if o < 0 || o > 4*k-4 || o%4 != 0 {
				t.Fatalf("k=%d: prefetch at offset %d, outside the row", k, o)
			}
		}
		for align := 0; align < 64; align += 4 {
			covered := map[int]bool{}
			for _, o := range offs {
				covered[(align+o)/64] = true
			}
			spans := (align+4*k-4)/64 + 1
			for l := 0; l < min(spans, prefetchMaxLines); l++ {
				if !covered[l] {
					t.Fatalf("k=%d starting %d bytes into a line: line %d of %d not prefetched (offsets %v)", k, align, l, spans, offs)
				}
			}
		}
	}
}

// TestGatherRowsNEONAllocs: no allocation per call.
func TestGatherRowsNEONAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(47, 47))
	X, Y := randF32(r, 1000*64), make([]float32, 256*64)
	idx := neonGatherIndices(r, 256, 1000, 0)
	if a := zeroalloc.AllocsPerRun(20, func() { neon.GatherRows(64, idx, X, 64, Y, 64) }); a != 0 {
		t.Errorf("GatherRows: %v allocations per call, want 0", a)
	}
}

// prefetchSchedule returns the addresses PrefetchRows must prefetch for rows
// idx of X, worked out element by element rather than as the kernel does:
// for each row in turn, its first element's address, then the start of
// every further 64-byte line one of its elements lies in, in order, up to 8
// lines a row.
func prefetchSchedule(k int, idx []int, X []float32, ldx int) []uintptr {
	var s []uintptr
	for _, r := range idx {
		row := X[r*ldx : r*ldx+k]
		a := uintptr(unsafe.Pointer(&row[0]))
		s = append(s, a)
		lines := 1
		for j := range row {
			e := uintptr(unsafe.Pointer(&row[j])) &^ 63
			if e > s[len(s)-1] && lines < 8 {
				s = append(s, e)
				lines++
			}
		}
	}
	return s
}

// TestPrefetchRowsNEONSchedule runs the kernel's traced twin, which records
// each prefetch's address, and checks the record is exactly the schedule of
// prefetchSchedule, and nothing past it: every k 1..130 and 1000, X starting
// at each of the 16 float32 positions in a 64-byte line, row strides equal to
// k and larger (so that rows start at varying positions in their lines too),
// 1..40 rows of the four index patterns. Every address recorded is also
// checked to lie inside its row.
func TestPrefetchRowsNEONSchedule(t *testing.T) {
	r := rand.New(rand.NewPCG(49, 49))
	const rows, maxPad = 50, 17
	f := newGatherFences(t, rows*(1000+maxPad)+16, 1, 1)
	ks := []int{1000}
	for k := 1; k <= 130; k++ { // rows of 1 to 9 lines: 8 from k = 113 at the worst alignment, 9 at k = 114
		ks = append(ks, k)
	}
	const none = ^uintptr(0)
	trace := make([]uintptr, 8*40+1)
	cases := 0
	for _, k := range ks {
		for p, pad := range []int{0, 1, 3, 16, maxPad} {
			for align := 0; align < 16; align++ {
				ldx := k + pad
				X := f.x[align : align+(rows-1)*ldx+k]
				if uintptr(unsafe.Pointer(&X[0]))%64 != uintptr(4*align) {
					t.Fatal("fence not 64-byte aligned")
				}
				n := 1 + (k+p+align)%40
				if align == 15 {
					n = 40
				}
				idx := neonGatherIndices(r, n, rows, k+p+align)
				want := prefetchSchedule(k, idx, X, ldx)
				for i := range trace {
					trace[i] = none
				}
				prefetchRowsNEONTrace(k, idx, X, ldx, trace)
				cases++
				got := trace[:len(want)]
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("k=%d ldx=%d align=%d idx=%v: trace[%d] = %#x, want %#x\ngot  %#x\nwant %#x", k, ldx, align, idx, i, got[i], want[i], trace, want)
					}
				}
				for i := len(want); i < len(trace); i++ {
					if trace[i] != none {
						t.Fatalf("k=%d ldx=%d align=%d idx=%v: %d prefetches recorded, want %d", k, ldx, align, idx, i+1, len(want))
					}
				}
				// Within its row, and the lines of a row counted.
				i := 0
				for _, row := range idx {
					lo := uintptr(unsafe.Pointer(&X[row*ldx]))
					hi := lo + uintptr(4*k)
					spans := int((hi-1)/64 - lo/64 + 1)
					for j := 0; j < min(spans, 8); j, i = j+1, i+1 {
						if got[i] < lo || got[i] >= hi {
							t.Fatalf("k=%d ldx=%d align=%d: prefetch %d at %#x, outside its row [%#x, %#x)", k, ldx, align, i, got[i], lo, hi)
						}
					}
				}
				if i != len(want) {
					t.Fatalf("k=%d ldx=%d align=%d: %d prefetches, want %d", k, ldx, align, len(want), i)
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestPrefetchRowsNEON calls the real kernel (through neon.PrefetchRows,
// its checks and its wrapper) with X and idx flush against inaccessible
// pages, after one and before one, and checks that it changes nothing: X, the
// memory around it (a sentinel) and idx. Long idx, with the wrapper made to
// split it over several calls, too.
func TestPrefetchRowsNEON(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	if !fencesFault {
		t.Log("no guard pages on this system: checking the memory around X only")
	}
	r := rand.New(rand.NewPCG(50, 50))
	const maxN, maxK, maxPad = 300, 1000, 5
	f := newGatherFences(t, 40*(maxK+maxPad)+fenceWindow, 1, maxN)
	ks := []int{1000, 4097 / 8}
	for k := 0; k <= 70; k++ {
		ks = append(ks, k)
	}
	cases := 0
	for _, k := range ks {
		for p, pad := range []int{0, 1, maxPad} {
			for _, chunk := range []int{callBudget, 1, 300} {
				ldx := max(k+pad, 1)
				rowsX := 1 + r.IntN(40)
				n := r.IntN(41)
				if chunk != callBudget {
					n = maxN
				}
				atEnd := (k+p+n)%2 == 0
				xLen := (rowsX-1)*ldx + k
				var Xw, X []float32 // X within its checked window Xw
				var idx []int
				if atEnd {
					Xw = f.x[len(f.x)-xLen-fenceWindow:]
					X = Xw[fenceWindow:]
					idx = f.idx[len(f.idx)-n:]
				} else {
					Xw = f.x[:xLen+fenceWindow]
					X = Xw[:xLen]
					idx = f.idx[:n]
				}
				for i := range Xw {
					Xw[i] = math.Float32frombits(gatherSentinel)
				}
				for i := range X {
					if i%ldx < k {
						X[i] = math.Float32frombits(r.Uint32())
					}
				}
				want := append([]float32(nil), Xw...)
				wantIdx := neonGatherIndices(r, n, rowsX, k+p)
				copy(idx, wantIdx)
				c := fmt.Sprintf("k=%d ldx=%d rows of X=%d n=%d budget %d atEnd=%v", k, ldx, rowsX, n, chunk, atEnd)
				func() {
					defer func() {
						if e := recover(); e != nil {
							t.Fatalf("%s: panic: %v", c, e)
						}
					}()
					newNEON(splitter{chunk}).PrefetchRows(k, idx, X, ldx)
				}()
				cases++
				for i := range want {
					if math.Float32bits(Xw[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: element %d of the window around X changed", c, i)
					}
				}
				for i := range idx {
					if idx[i] != wantIdx[i] {
						t.Fatalf("%s: idx[%d] changed", c, i)
					}
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestPrefetchRowsNEONAllocs: no allocation per call.
func TestPrefetchRowsNEONAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 51))
	X := randF32(r, 1000*64)
	idx := neonGatherIndices(r, 256, 1000, 0)
	if a := zeroalloc.AllocsPerRun(20, func() { neon.PrefetchRows(64, idx, X, 64) }); a != 0 {
		t.Errorf("PrefetchRows: %v allocations per call, want 0", a)
	}
	if a := zeroalloc.AllocsPerRun(20, func() { PrefetchRows(64, idx, X, 64) }); a != 0 {
		t.Errorf("the package's PrefetchRows: %v allocations per call, want 0", a)
	}
}
