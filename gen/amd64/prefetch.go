package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
)

// prefetchMaxLines is the most 64-byte lines prefetched of one row: the
// hardware prefetcher streams the rest of a long row once its first lines
// miss.
const prefetchMaxLines = 8

// prefetchRows emits prefetchRowsAVX2, which asks for rows idx of X
// towards the second-level cache (PREFETCHT1) and returns without waiting
// for them: the lines of a row as gatherRowsAVX2's prologue asks for them
// (lines lines from the row's start, then the byte at last), every row in
// the order of idx. It reads idx and nothing else: prefetches neither fault
// nor change memory.
func prefetchRows() {
	const name = "prefetchRowsAVX2"
	TEXT(name, NOSPLIT, "func(idx []int, x []float32, ldx, lines, last int)")
	Pragma("noescape")
	Doc(name+" runs PREFETCHT1 on the bytes at offsets 0, 64, …, 64·(lines−1)",
		"and last of each row idx[i] of X (row stride ldx floats), for",
		"len(idx) ≥ 1 valid indices, lines ≥ 1 and 0 ≤ last < 4k (k the row",
		"length). Prefetches do not fault and change nothing; no index outside",
		"idx is read.")
	ip := Load(Param("idx").Base(), GP64())
	n := Load(Param("idx").Len(), GP64())
	end := GP64()
	LEAQ(Mem{Base: ip, Index: n, Scale: 8}, end)
	x := Load(Param("x").Base(), GP64())
	ldx := Load(Param("ldx"), GP64())
	SHLQ(U8(2), ldx)
	lines := Load(Param("lines"), GP64())
	last := Load(Param("last"), GP64())

	Label(name + "_row")
	p, q, cnt := GP64(), GP64(), GP64()
	MOVQ(Mem{Base: ip}, p)
	IMULQ(ldx, p)
	ADDQ(x, p)
	MOVQ(p, q)
	MOVQ(lines, cnt)
	Label(name + "_lines")
	PREFETCHT1(Mem{Base: q})
	ADDQ(U8(64), q)
	DECQ(cnt)
	JNZ(LabelRef(name + "_lines"))
	PREFETCHT1(Mem{Base: p, Index: last, Scale: 1})
	ADDQ(U8(8), ip)
	CMPQ(ip, end)
	JB(LabelRef(name + "_row"))
	RET()
}
