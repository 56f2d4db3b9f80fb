package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/arm/asm"
)

// GatherRows copies rows of X picked by an index into consecutive rows of Y:
// a shuffled mini-batch, whose rows wait on memory. As on arm64, while it
// copies row i the kernel prefetches (pld) row idx[i+ahead], having first
// prefetched rows idx[0:ahead]; the last ahead rows are copied by a second
// loop without the prefetch, so idx is never read past its end. A row is
// prefetched at byte offsets last and 0, 64, …, 64·(lines−1), all inside the
// row (prefetchPlan in the root package). Cortex-A9's lines are 32 bytes,
// the others' 64: the A9 gets every other line of a row asked for, and its
// hardware prefetcher the rest.
//
// A row is copied in blocks of 16 float32 (two four-register vld1/vst1),
// then of 4, then one at a time through one lane, so every load and store
// lies inside its row, and the bits go through unchanged: no arithmetic
// touches them, so NaN payloads, −0 and subnormals survive even though NEON
// arithmetic would flush the last.
//
// The generator also writes gatherRowsNEONTrace, the same kernel with every
// prefetch replaced by a store of its address to a trace, and every row copy
// announced there by its source address plus one, for the tests.

// How far ahead gatherRowsNEON prefetches: gatherAheadBytes of rows, at
// least gatherMinAhead and at most gatherMaxAhead rows (arm64's values).
const (
	gatherAheadBytes = 4096
	gatherMinAhead   = 2
	gatherMaxAhead   = 32
)

// Local words of gatherRowsNEON's frame.
const (
	gLocalK = iota
	gLocalLdy
	gLocalLines
	gLocalLast
	nGatherLocals
)

// gr holds gatherRows' register assignment.
type gr struct {
	fn                *asm.Func
	idx, pidx, x, ldx asm.Reg // the next index to copy, the next to prefetch
	yrow, src, dst, c asm.Reg
	pf, pc, rows      asm.Reg
	tracing           bool
	trace             asm.Reg
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
	gatherRowsFunc(f.Func("gatherRowsNEONTrace", fmt.Sprintf(gatherSig, ", trace []uintptr"), `
gatherRowsNEONTrace is gatherRowsNEON for the tests, which cannot observe
a prefetch: where gatherRowsNEON prefetches an address, it stores the
address to the next element of trace instead, and before it copies a row,
it stores the row's address plus one. trace must have room for
len(idx)·(lines+2) addresses.`), true)
}

func gatherRowsFunc(fn *asm.Func, tracing bool) {
	fn.Frame(nGatherLocals)
	g := &gr{fn: fn, idx: asm.R0, pidx: asm.R1, x: asm.R2, ldx: asm.R3, yrow: asm.R4, src: asm.R5, dst: asm.R6, c: asm.R7,
		pf: asm.R8, pc: asm.R9, rows: asm.R12, tracing: tracing, trace: asm.R14}
	for _, l := range []struct {
		name  string
		local int
	}{{"k", gLocalK}, {"lines", gLocalLines}, {"last", gLocalLast}, {"ldy", gLocalLdy}} {
		fn.Load(l.name, g.c)
		if l.local == gLocalLdy {
			fn.MOVW(g.c.LSL(2), g.c)
		}
		fn.SetLocal(g.c, l.local)
	}
	fn.Load("idx.base", g.idx)
	fn.MOVW(g.idx, g.pidx)
	fn.Load("x.base", g.x)
	fn.Load("ldx", g.ldx)
	fn.MOVW(g.ldx.LSL(2), g.ldx)
	fn.Load("y.base", g.yrow)
	if tracing {
		fn.Load("trace.base", g.trace)
	}
	fn.Comment("prefetch rows idx[0:ahead]")
	fn.Load("ahead", g.rows)
	countDown(fn, "first", g.rows, g.prefetch)
	fn.Comment("copy rows idx[0:n−ahead], prefetching rows idx[ahead:n]")
	fn.Load("idx.len", g.rows)
	fn.Load("ahead", g.c)
	fn.SUB(g.c, g.rows)
	countDown(fn, "rows", g.rows, func() {
		g.prefetch()
		g.copyRow()
	})
	fn.Comment("copy rows idx[n−ahead:n], prefetched already")
	fn.Load("ahead", g.rows)
	countDown(fn, "last", g.rows, g.copyRow)
	fn.RET()
}

// prefetchAt emits the prefetch of the line holding the byte at p, or, in
// the trace twin, the store of p to the trace.
func (g *gr) prefetchAt(p asm.Reg) {
	if g.tracing {
		g.fn.St(p, g.trace.PostOff(4))
	} else {
		g.fn.PLD(p)
	}
}

// prefetch emits the prefetch of the row named by the index at pidx, and
// advances pidx.
func (g *gr) prefetch() {
	fn := g.fn
	fn.Ld(g.pidx.PostOff(4), g.pf)
	fn.MUL3(g.ldx, g.pf, g.pf)
	fn.ADD(g.x, g.pf)
	fn.Local(gLocalLast, g.pc)
	fn.ADD(g.pf, g.pc)
	g.prefetchAt(g.pc)
	fn.Local(gLocalLines, g.pc)
	countDown(fn, "lines", g.pc, func() {
		g.prefetchAt(g.pf)
		fn.ADD(asm.Imm(64), g.pf)
	})
}

// copyRow emits the copy of the row named by the index at idx to the row of
// Y at yrow, and advances both.
func (g *gr) copyRow() {
	fn := g.fn
	fn.Ld(g.idx.PostOff(4), g.src)
	fn.MUL3(g.ldx, g.src, g.src)
	fn.ADD(g.x, g.src)
	if g.tracing {
		fn.ADD3(asm.Imm(1), g.src, g.pf)
		fn.St(g.pf, g.trace.PostOff(4))
	}
	fn.MOVW(g.yrow, g.dst)
	fn.Local(gLocalLdy, g.c)
	fn.ADD(g.c, g.yrow)
	fn.Local(gLocalK, g.c)
	fn.MOVW(g.c.LSR(4), g.c)
	countDown(fn, "by16", g.c, func() {
		fn.VLD1(asm.QList(asm.Q(0), 2), g.src.Post())
		fn.VLD1(asm.QList(asm.Q(2), 2), g.src.Post())
		fn.VST1(asm.QList(asm.Q(0), 2), g.dst.Post())
		fn.VST1(asm.QList(asm.Q(2), 2), g.dst.Post())
	})
	fn.Local(gLocalK, g.c)
	fn.MOVW(g.c.LSR(2), g.c)
	fn.AND3(asm.Imm(3), g.c, g.c)
	countDown(fn, "by4", g.c, func() {
		fn.VLD1(asm.QList(asm.Q(0), 1), g.src.Post())
		fn.VST1(asm.QList(asm.Q(0), 1), g.dst.Post())
	})
	fn.Local(gLocalK, g.c)
	fn.AND3(asm.Imm(3), g.c, g.c)
	countDown(fn, "by1", g.c, func() {
		fn.VLD1Lane(asm.D(0).L(0), g.src.Post())
		fn.VST1Lane(asm.D(0).L(0), g.dst.Post())
	})
}
