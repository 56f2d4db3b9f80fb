package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/riscv64/asm"
)

// PrefetchRows asks for rows of X picked by an index to be brought into the
// caches ahead of a GatherRows of them, and returns without waiting: Zicbop's
// prefetch.r (see asm.PrefetchR) at the offsets of each row the splitter's
// prefetchPlan gives, row after row in the order of idx. prefetch.r names no
// cache level; a core without Zicbop runs it as an ORI to X0, a no-op. A
// prefetch cannot be observed, least of all under an emulator, so the
// generator also writes prefetchRowsRVVTrace, the same code storing each
// address to a trace, which the tests check.

// prefetchMaxLines is the most 64-byte lines prefetched of one row.
const prefetchMaxLines = 8

// prefetchRow emits the prefetches of the row at gaRow: offsets 0, 64, …,
// 64·(lines−1), then last. With trace, each address is stored to the next
// element of the trace instead. gaRow is consumed.
func prefetchRow(fn *asm.Func, trace bool) {
	pf := func() {
		if trace {
			fn.Store64(gaRow, gaTrace.Mem())
			fn.ADD(asm.Imm(8), gaTrace, gaTrace)
		} else {
			fn.PrefetchR(gaRow)
		}
	}
	loop, done := fn.NewLabel("line"), fn.NewLabel("line_end")
	fn.ADD(gaLast, gaRow, gaSrc)
	fn.MOV(gaLines, gaL)
	fn.BEQZ(gaL, done)
	fn.Bind(loop)
	pf()
	fn.ADD(asm.Imm(64), gaRow, gaRow)
	fn.ADD(asm.Imm(-1), gaL, gaL)
	fn.BNEZ(gaL, loop)
	fn.Bind(done)
	fn.MOV(gaSrc, gaRow)
	pf()
}

const prefetchDoc = `
%s prefetches (prefetch.r) rows idx[0], idx[1], … of x, the k
elements from x[idx[i]·ldx] each, at byte offsets 0, 64, …, 64·(lines−1)
and last of each row, in that order (lines ≥ 0, 0 ≤ last < 4k). len(idx)
must be at least 1 and every row must lie inside x. It reads idx and
nothing else, and writes nothing.`

func prefetchRows(f *asm.File) {
	prefetchRowsFunc(f.Func("prefetchRowsRVV", "func(k int, idx []int, x []float32, ldx, lines, last int)",
		fmt.Sprintf(prefetchDoc, "prefetchRowsRVV")), false)
	prefetchRowsFunc(f.Func("prefetchRowsRVVTrace", "func(k int, idx []int, x []float32, ldx, lines, last int, trace []uintptr)", `
prefetchRowsRVVTrace is prefetchRowsRVV for the tests, which cannot
observe a prefetch: where prefetchRowsRVV prefetches an address, it stores
the address to the next element of trace instead. trace must have room for
len(idx)·(lines+1) addresses.`), true)
}

func prefetchRowsFunc(fn *asm.Func, trace bool) {
	fn.Load("idx.base", gaIdx)
	fn.Load("idx.len", gaN)
	fn.Load("x.base", gaX)
	fn.Load("ldx", gaLdx)
	fn.SLLI(2, gaLdx, gaLdx)
	fn.Load("lines", gaLines)
	fn.Load("last", gaLast)
	if trace {
		fn.Load("trace.base", gaTrace)
	}
	loop := fn.NewLabel("row")
	fn.Bind(loop)
	rowAddress(fn, gaIdx)
	prefetchRow(fn, trace)
	fn.ADD(asm.Imm(-1), gaN, gaN)
	fn.BNEZ(gaN, loop)
	fn.RET()
}
