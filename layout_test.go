package edgefit

// Guarded placement of kernel operands, in the style of gonum's
// internal/asm/f32 tests: every matrix or vector handed to a kernel lives in a
// larger buffer whose other cells (before it, after it, and in the gaps
// between its rows when the stride exceeds the row) hold guard NaNs with a
// payload no arithmetic produces. After each call every guard must still hold
// its exact bits, inputs must be unchanged, and outputs must match the
// float64 reference. A kernel that reads a guard of an input turns an output
// into NaN, so stray reads within the buffer are caught as well as stray
// writes; reads past the end of mapped memory are caught by the guard-page
// tests.

import (
	"fmt"
	"math"
	"strings"
	"unsafe"
)

const (
	inGuardBits  = 0x7fc0_1ee7 // guards around inputs: reading one makes a NaN result
	outGuardBits = 0x7fc0_0bad // guards around outputs: must never be written
	staleBits    = 0x7fc0_57a1 // output cells before the call, where the kernel must not read them
)

var (
	inGuard  = math.Float32frombits(inGuardBits)
	outGuard = math.Float32frombits(outGuardBits)
	stale    = math.Float32frombits(staleBits)
)

// lay is where an operand sits in its buffer.
type lay struct {
	off   int // first element's offset in floats past a 64-byte boundary, 0..15
	pad   int // row stride minus row length
	extra int // elements of the slice past the last one the kernel may touch (guards)
}

func (l lay) String() string { return fmt.Sprintf("off%d/pad%d/ext%d", l.off, l.pad, l.extra) }

// placer provides the memory an operand of need elements (plus l.extra) is
// placed in: buf, every cell of which is checked, and the index of the
// operand's first element in buf.
type placer interface {
	place(need int, l lay) (buf []float32, start int)
}

// heapPlacer places operands in fresh heap buffers at the requested
// alignment, with 16 or more guards on each side.
type heapPlacer struct{}

func (heapPlacer) place(need int, l lay) ([]float32, int) {
	const guards = 16
	buf := make([]float32, 16+guards+l.off+need+l.extra+guards)
	a := 0
	for uintptr(unsafe.Pointer(&buf[a]))%64 != 0 {
		a++
	}
	start := guards + l.off
	return buf[a : a+start+need+l.extra+guards], start
}

// operand is one guarded matrix (a vector is one row).
type operand struct {
	name                  string
	buf                   []float32
	start, rows, cols, ld int
	s                     []float32 // the slice the kernel gets
	guard                 uint32
	orig                  []float32 // a copy of buf before the call
}

func matLen(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// newOperand places the compact rows×cols matrix data (nil: every cell
// stale) with row stride ld.
func newOperand(name string, p placer, rows, cols, ld int, l lay, data []float32, guard uint32) *operand {
	need := matLen(rows, cols, ld)
	buf, start := p.place(need, l)
	g := math.Float32frombits(guard)
	for i := range buf {
		buf[i] = g
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			v := stale
			if data != nil {
				v = data[i*cols+j]
			}
			buf[start+i*ld+j] = v
		}
	}
	n := need + l.extra
	o := &operand{name: name, buf: buf, start: start, rows: rows, cols: cols, ld: ld,
		s: buf[start : start+n : start+n], guard: guard}
	if guard == inGuardBits { // an input (or an aliased output, then unused)
		o.orig = append([]float32(nil), buf...)
	}
	return o
}

func newVector(name string, p placer, l lay, data []float32, guard uint32) *operand {
	return newOperand(name, p, 1, len(data), max(len(data), 1), l, data, guard)
}

func (o *operand) at(i, j int) float32 { return o.buf[o.start+i*o.ld+j] }

// cells returns a compact copy of the matrix.
func (o *operand) cells() []float32 {
	c := make([]float32, 0, o.rows*o.cols+1) // +1: room for a scalar result
	for i := 0; i < o.rows; i++ {
		for j := 0; j < o.cols; j++ {
			c = append(c, o.at(i, j))
		}
	}
	return c
}

// checkGuards reports every guard cell whose bits changed: those before the
// first element, in the gaps between rows, and after the last element.
func (o *operand) checkGuards(errs *errList) {
	check := func(from, to int) {
		for idx := from; idx < to; idx++ {
			if b := math.Float32bits(o.buf[idx]); b != o.guard {
				errs.add("%s: guard at index %d (relative %d) changed to %v (bits %#x)", o.name, idx, idx-o.start, o.buf[idx], b)
			}
		}
	}
	check(0, o.start)
	for i := 0; i+1 < o.rows && o.cols > 0; i++ {
		check(o.start+i*o.ld+o.cols, o.start+(i+1)*o.ld)
	}
	check(o.start+matLen(o.rows, o.cols, o.ld), len(o.buf))
}

// checkUnchanged reports every cell of an input that changed.
func (o *operand) checkUnchanged(errs *errList) {
	for idx, v := range o.buf {
		if math.Float32bits(v) != math.Float32bits(o.orig[idx]) {
			errs.add("%s: input changed at index %d (relative %d): %v, was %v", o.name, idx, idx-o.start, v, o.orig[idx])
		}
	}
}

// checkCells compares the rows×cols output cells with the wants (compact,
// row-major) within tol, and makes sure none still holds the stale value.
func (o *operand) checkCells(errs *errList, ws []want, tol func(want) float64) {
	for i := 0; i < o.rows; i++ {
		for j := 0; j < o.cols; j++ {
			got := o.at(i, j)
			w := ws[i*o.cols+j]
			if math.Float32bits(got) == staleBits {
				errs.add("%s[%d,%d] holds the stale NaN it had before the call: not written, or computed from itself", o.name, i, j)
			} else if !w.check(got, tol(w)) {
				errs.add("%s[%d,%d] = %v, want %v ± %.3g (S = %.4g, n = %d, exact %v)", o.name, i, j, got, w.v, tol(w), w.s, w.n, w.exact)
			}
		}
	}
}

func tolExact(w want) float64 { return w.tolExact() }

// errList collects the problems of one case, keeping the first few.
type errList struct {
	n    int
	msgs []string
}

func (e *errList) add(format string, args ...any) {
	e.n++
	if len(e.msgs) < 6 {
		e.msgs = append(e.msgs, fmt.Sprintf(format, args...))
	}
}

func (e *errList) String() string {
	s := strings.Join(e.msgs, "\n\t")
	if e.n > len(e.msgs) {
		s += fmt.Sprintf("\n\t... %d problems in all", e.n)
	}
	return s
}

// call runs f, turning a panic (including a memory fault, with
// debug.SetPanicOnFault) into an error.
func call(errs *errList, f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if f, isFault := r.(interface{ Addr() uintptr }); isFault {
				errs.add("memory fault at %#x: an access outside the operands (%v)", f.Addr(), r)
			} else {
				errs.add("panic: %v", r)
			}
			ok = false
		}
	}()
	f()
	return true
}
