package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/arm64/asm"
)

// GatherRows copies rows of X picked by an index into consecutive rows of Y:
// a shuffled mini-batch. The rows are scattered over a dataset far larger
// than the caches, so the copy waits on memory, one row's cache misses at a
// time if nothing is done about it. So while it copies row i, the kernel
// prefetches (PRFM PLDL1KEEP) row idx[i+ahead], and before the first copy it
// prefetches rows idx[0:ahead], which no iteration does: about ahead rows'
// misses are in flight at any time. The Go wrapper chooses ahead from the
// constants below; the last ahead rows are copied
// by a second loop without the prefetch, so idx is never read past its end.
//
// A row is prefetched at byte offsets last and 0, 64, …, 64·(lines−1), all
// inside the row, as the plan shared with amd64 (prefetchPlan in the root
// package) sets them: every 64-byte line the row touches, whatever its
// alignment, or the first prefetchMaxLines of a longer row, whose rest the
// hardware's stream prefetcher follows. The last line goes first, by a
// register offset, before the loop moves the pointer.
//
// A row is copied in blocks of 16 float32 (four Q registers, LD1/ST1
// post-incremented: one 64-byte line's worth), then of 4, then one at a time
// through an S register, so every load and store lies inside its row
// whatever the alignment, and the bits go through unchanged (no
// floating-point operation touches them, so NaN payloads and −0 survive).
//
// The copy is bound by the store pipe; the prefetch loop costs a little
// when the rows are in L1 already and hides behind the misses when they come
// from DRAM. LD1/ST1 of four registers beat LDP/STP pairs by decoding to
// fewer micro-ops (llvm-mca figures in bench/results/NOTES.md).
//
// A prefetch cannot be observed, least of all under an emulator, so the
// generator also writes gatherRowsNEONTrace, the same kernel with every
// prefetch replaced by a store of its address to a trace, and every row copy
// announced there by its source address plus one: the tests check the trace
// against the schedule described here.

// How far ahead gatherRowsNEON should prefetch: gatherAheadBytes of rows, at
// least gatherMinAhead and at most gatherMaxAhead rows. The distance must
// cover a DRAM access at the speed the loop copies rows from L1, and stay a
// small part of an L1 data cache, which PLDL1KEEP fills: more rows in flight
// than L1 can track would only lengthen the prologue. Two rows leave a long
// row a whole row's copy more to arrive. The figures behind the values are in
// bench/results/NOTES.md.
const (
	gatherAheadBytes = 4096
	gatherMinAhead   = 2
	gatherMaxAhead   = 32
)

// gr holds gatherRows' register assignment.
type gr struct {
	fn                *asm.Func
	x, ldx, yrow, ldy asm.Reg // X; strides in bytes; the next row of Y
	idx, pidx         asm.Reg // the next index to copy, the next to prefetch
	lines, last       asm.Reg
	c16, c4, c1       asm.Reg // blocks of 16, 4 and 1 in a row
	src, dst, cnt     asm.Reg
	pf, pcnt          asm.Reg
	rows              asm.Reg
	block             []asm.VReg
	tracing           bool
	trace, tmp        asm.Reg // gatherRowsNEONTrace's next trace entry
}

const gatherSig = "func(k int, idx []int, x []float32, ldx int, y []float32, ldy int, ahead, lines, last int%s)"

const gatherDoc = `
%s copies row idx[i] of x, the k elements from x[idx[i]·ldx],
to y[i·ldy : i·ldy+k] for i < len(idx), bit for bit. k and len(idx) must
be at least 1, every row must lie inside x and every row of y inside y;
nothing else is read or written. While it copies row i it prefetches
row idx[i+ahead] (when i+ahead < len(idx)), having first prefetched rows
idx[0:ahead]: 1 ≤ ahead ≤ len(idx). A row is prefetched at byte offsets
last and 0, 64, …, 64·(lines−1) (lines ≥ 0, 0 ≤ last < 4k).`

func gatherRows(f *asm.File) {
	gatherRowsFunc(f.Func("gatherRowsNEON", fmt.Sprintf(gatherSig, ""),
		fmt.Sprintf(gatherDoc, "gatherRowsNEON")), false)
	gatherRowsFunc(f.Func("gatherRowsNEONTrace", fmt.Sprintf(gatherSig, ", trace []uintptr"),
		`
gatherRowsNEONTrace is gatherRowsNEON for the tests, which cannot observe
a prefetch: where gatherRowsNEON prefetches an address, it stores the
address to the next element of trace instead, and before it copies a row,
it stores the row's address plus one. trace must have room for
len(idx)·(lines+2) addresses.`), true)
}

func gatherRowsFunc(fn *asm.Func, tracing bool) {
	k, n, ahead := asm.R0, asm.R2, asm.R7
	g := &gr{fn: fn,
		idx: asm.R1, x: asm.R3, ldx: asm.R4, yrow: asm.R5, ldy: asm.R6, lines: asm.R8, last: asm.R9, pidx: asm.R10,
		c16: asm.R11, c4: asm.R12, c1: asm.R13, src: asm.R14, dst: asm.R15, cnt: asm.R16, pf: asm.R17, pcnt: asm.R19, rows: asm.R20,
		block:   regs(0, 4),
		tracing: tracing, trace: asm.R21, tmp: asm.R22,
	}
	fn.Load("k", k)
	fn.Load("idx.base", g.idx)
	fn.Load("idx.len", n)
	fn.Load("x.base", g.x)
	fn.Load("ldx", g.ldx)
	fn.LSL3(2, g.ldx, g.ldx)
	fn.Load("y.base", g.yrow)
	fn.Load("ldy", g.ldy)
	fn.LSL3(2, g.ldy, g.ldy)
	fn.Load("ahead", ahead)
	fn.Load("lines", g.lines)
	fn.Load("last", g.last)
	if tracing {
		fn.Load("trace.base", g.trace)
	}
	fn.LSR3(4, k, g.c16)
	fn.LSR3(2, k, g.c4)
	fn.AND3(asm.Imm(3), g.c4, g.c4)
	fn.AND3(asm.Imm(3), k, g.c1)

	fn.Comment("prefetch rows idx[0:ahead]")
	fn.MOVD(g.idx, g.pidx)
	fn.MOVD(ahead, g.rows)
	countDown(fn, "first", g.rows, g.prefetch)
	fn.Comment("copy rows idx[0:n−ahead], prefetching rows idx[ahead:n]")
	fn.MOVD(n, g.rows)
	fn.SUB(ahead, g.rows)
	countDown(fn, "rows", g.rows, func() {
		g.prefetch()
		g.copyRow()
	})
	fn.Comment("copy rows idx[n−ahead:n], prefetched already")
	fn.MOVD(ahead, g.rows)
	countDown(fn, "last", g.rows, g.copyRow)
	fn.RET()
}

// prefetch emits the prefetch of the row named by the index at pidx, and
// advances pidx.
func (g *gr) prefetch() {
	fn := g.fn
	fn.MOVDLoad(g.pidx.Post(8), g.pf)
	fn.MUL3(g.ldx, g.pf, g.pf)
	fn.ADD(g.x, g.pf)
	if g.tracing {
		fn.ADD3(g.last, g.pf, g.tmp)
		fn.MOVDStore(g.tmp, g.trace.Post(8))
	} else {
		fn.PRFM(g.pf.Index(g.last), asm.PLDL1KEEP)
	}
	fn.MOVD(g.lines, g.pcnt)
	countDown(fn, "lines", g.pcnt, func() {
		if g.tracing {
			fn.MOVDStore(g.pf, g.trace.Post(8))
		} else {
			fn.PRFM(g.pf.Mem(), asm.PLDL1KEEP)
		}
		fn.ADD(asm.Imm(64), g.pf)
	})
}

// copyRow emits the copy of the row named by the index at idx to the row of
// Y at yrow, and advances both.
func (g *gr) copyRow() {
	fn, b := g.fn, g.block
	fn.MOVDLoad(g.idx.Post(8), g.src)
	fn.MUL3(g.ldx, g.src, g.src)
	fn.ADD(g.x, g.src)
	if g.tracing {
		fn.ADD3(asm.Imm(1), g.src, g.tmp)
		fn.MOVDStore(g.tmp, g.trace.Post(8))
	}
	fn.MOVD(g.yrow, g.dst)
	fn.ADD(g.ldy, g.yrow)
	fn.MOVD(g.c16, g.cnt)
	countDown(fn, "by16", g.cnt, func() {
		fn.VLD1(g.src.Post(64), s4(b))
		fn.VST1(s4(b), g.dst.Post(64))
	})
	fn.MOVD(g.c4, g.cnt)
	countDown(fn, "by4", g.cnt, func() {
		fn.VLD1(g.src.Post(16), s4(b[:1]))
		fn.VST1(s4(b[:1]), g.dst.Post(16))
	})
	fn.MOVD(g.c1, g.cnt)
	countDown(fn, "by1", g.cnt, func() {
		fn.FMOVS(g.src.Post(4), b[0].F())
		fn.FMOVS(b[0].F(), g.dst.Post(4))
	})
}
