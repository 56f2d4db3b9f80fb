package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/arm64/asm"
)

// PrefetchRows asks for rows of X picked by an index to be brought into the
// caches, ahead of a GatherRows of them, and returns without waiting: one
// PRFM PLDL2KEEP per 64-byte line of each row, in the order of idx, and in
// a row from its first line to its last (its first prefetchMaxLines lines
// when it has more: the hardware's stream prefetcher follows a copy through
// the rest).
//
// A row of 4k bytes at address a touches the lines a>>6 to (a+4k−1)>>6,
// which depends on where the row starts in its line, so the count is worked
// out for each row: the first prefetch is at a itself (inside the row, in
// its first line), the others at the starts of the following lines, all
// before a+4k. Nothing but idx is read, and each of its elements once, in
// order; a PRFM never faults, and every address prefetched lies inside its
// row anyway.
//
// Why the second-level cache (PLDL2KEEP, not PLDL1KEEP as gatherRowsNEON
// uses while it copies): this kernel issues a whole batch of prefetches at
// once, and a core tracks only a few outstanding L1 misses (on amd64,
// prefetches into L1 beyond those are dropped, while prefetches into L2
// queue: bench/results/NOTES.md). ARM cores' L1 data caches also have few
// miss slots (and their L2s more), so the same reasoning applies.
//
// A prefetch cannot be observed, least of all under an emulator, so the
// generator also writes prefetchRowsNEONTrace, the same kernel with every
// PRFM replaced by a store of its address to a trace, which the tests check.

// prefetchMaxLines is the most lines prefetched of one row.
const prefetchMaxLines = 8

const prefetchSig = "func(k int, idx []int, x []float32, ldx int%s)"

const prefetchDoc = `
%s prefetches (PRFM PLDL2KEEP) rows idx[0], idx[1], … of x,
the k elements from x[idx[i]·ldx] each: for each row in turn, its address a
and then, in order, the start of each further 64-byte line the row touches:
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
	fn.LSL3(2, ldx, ldx)
	if tracing {
		fn.Load("trace.base", trace)
	}
	fn.Comment("a row's last byte is 4k−1 bytes after its first")
	fn.LSL3(2, span, span)
	fn.SUB(asm.Imm(1), span)
	prefetch := func(p asm.Reg) {
		if tracing {
			fn.MOVDStore(p, trace.Post(8))
		} else {
			fn.PRFM(p.Mem(), asm.PLDL2KEEP)
		}
	}
	countDown(fn, "rows", n, func() {
		fn.MOVDLoad(idx.Post(8), a)
		fn.MUL3(ldx, a, a)
		fn.ADD(x, a)
		prefetch(a)
		fn.Comment("the row's further lines: (a+4k−1)>>6 − a>>6, at most %d", prefetchMaxLines-1)
		fn.ADD3(span, a, more)
		fn.LSR3(6, more, more)
		fn.LSR3(6, a, line)
		fn.SUB(line, more)
		atMost(fn, "cap", more, prefetchMaxLines-1)
		fn.LSL3(6, line, line)
		countDown(fn, "lines", more, func() {
			fn.ADD(asm.Imm(64), line)
			prefetch(line)
		})
	})
	fn.RET()
}
