package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/arm/asm"
)

// PrefetchRows asks for rows of X picked by an index to be brought into the
// caches ahead of a GatherRows of them, and returns without waiting: one pld
// per 64-byte line of each row, in the order of idx, and in a row from its
// first line to its last (its first prefetchMaxLines lines when it has
// more), as on arm64. ARMv7's pld names no cache level (arm64's PLDL2KEEP
// does): where the line goes is the core's choice. The count of lines is
// worked out for each row from its address; nothing but idx is read, and a
// pld never faults. The generator also writes prefetchRowsNEONTrace, which
// stores each address to a trace instead, for the tests.

// prefetchMaxLines is the most lines prefetched of one row.
const prefetchMaxLines = 8

const prefetchSig = "func(k int, idx []int, x []float32, ldx int%s)"

const prefetchDoc = `
%s prefetches (pld) rows idx[0], idx[1], … of x, the k
elements from x[idx[i]·ldx] each: for each row in turn, its address a and
then, in order, the start of each further 64-byte line the row touches:
every line of the row, or its first %d when it touches more.
k and len(idx) must be at least 1 and every row must lie inside x. It reads
idx and nothing else, and writes nothing.`

func prefetchRows(f *asm.File) {
	prefetchRowsFunc(f.Func("prefetchRowsNEON", fmt.Sprintf(prefetchSig, ""),
		fmt.Sprintf(prefetchDoc, "prefetchRowsNEON", prefetchMaxLines)), false)
	prefetchRowsFunc(f.Func("prefetchRowsNEONTrace", fmt.Sprintf(prefetchSig, ", trace []uintptr"),
		fmt.Sprintf(`
prefetchRowsNEONTrace is prefetchRowsNEON for the tests, which cannot
observe a prefetch: where prefetchRowsNEON prefetches an address, it stores
the address to the next element of trace instead. trace must have room for
len(idx)·%d addresses.`, prefetchMaxLines)), true)
}

func prefetchRowsFunc(fn *asm.Func, tracing bool) {
	span, idx, n, x, ldx := asm.R0, asm.R1, asm.R2, asm.R3, asm.R4
	a, more, line, trace := asm.R5, asm.R6, asm.R7, asm.R8
	fn.Load("k", span)
	fn.Load("idx.base", idx)
	fn.Load("idx.len", n)
	fn.Load("x.base", x)
	fn.Load("ldx", ldx)
	fn.MOVW(ldx.LSL(2), ldx)
	if tracing {
		fn.Load("trace.base", trace)
	}
	fn.Comment("a row's last byte is 4k−1 bytes after its first")
	fn.MOVW(span.LSL(2), span)
	fn.SUB(asm.Imm(1), span)
	prefetch := func(p asm.Reg) {
		if tracing {
			fn.St(p, trace.PostOff(4))
		} else {
			fn.PLD(p)
		}
	}
	countDown(fn, "rows", n, func() {
		fn.Ld(idx.PostOff(4), a)
		fn.MUL3(ldx, a, a)
		fn.ADD(x, a)
		prefetch(a)
		fn.Comment("the row's further lines: (a+4k−1)>>6 − a>>6, at most %d", prefetchMaxLines-1)
		fn.ADD3(span, a, more)
		fn.MOVW(more.LSR(6), more)
		fn.MOVW(a.LSR(6), line)
		fn.SUB(line, more)
		ok := fn.NewLabel("cap_ok")
		fn.CMP(asm.Imm(prefetchMaxLines-1), more)
		fn.BLE(ok)
		fn.MOVW(asm.Imm(prefetchMaxLines-1), more)
		fn.Bind(ok)
		fn.MOVW(line.LSL(6), line)
		countDown(fn, "lines", more, func() {
			fn.ADD(asm.Imm(64), line)
			prefetch(line)
		})
	})
	fn.RET()
}
