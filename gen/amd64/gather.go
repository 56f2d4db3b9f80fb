package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gatherClass is one way of copying a row of k floats: for k < 16 one fixed
// sequence of moves, for the rest a loop over blocks.
type gatherClass struct {
	name     string
	lo, hi   int // the k it handles: lo ≤ k ≤ hi (hi 0: no upper bound)
	width    int // bytes per move for k < 16
	overlaps bool
}

// gatherClasses cover every k ≥ 1. Where the row is not a whole number of
// moves, the second move ends at the row's end and overlaps the first: it
// writes the same values again, within the row, so nothing outside the row is
// read or written and no masked (slow on AMD) or one-element moves are needed.
var gatherClasses = []gatherClass{
	{name: "k1", lo: 1, hi: 1, width: 4},
	{name: "k2", lo: 2, hi: 2, width: 8},
	{name: "k3", lo: 3, hi: 3, width: 8, overlaps: true},
	{name: "k4", lo: 4, hi: 4, width: 16},
	{name: "k5to7", lo: 5, hi: 7, width: 16, overlaps: true},
	{name: "k8", lo: 8, hi: 8, width: 32},
	{name: "k9to15", lo: 9, hi: 15, width: 32, overlaps: true},
	{name: "k16up", lo: 16},
}

// How far ahead gatherRowsAVX2 should prefetch, which the Go wrapper works
// out for each row length: gatherAheadBytes of rows, at least gatherMinAhead
// and at most gatherMaxAhead rows. Rows from memory need many misses in
// flight (long distances); long rows are bound by bandwidth and need only a
// few rows ahead. PREFETCHT1 queues in L2's larger miss buffers, so long
// distances do not flood L1. The measurements behind the values are in
// bench/results/NOTES.md.
const (
	gatherAheadBytes = 8192
	gatherMinAhead   = 2
	gatherMaxAhead   = 64
)

// gatherPrefetch is the prefetch instruction gatherRowsAVX2 asks for rows
// ahead with, gatherPrefetchName its name for the doc comment.
var (
	gatherPrefetch     = PREFETCHT1
	gatherPrefetchName = "PREFETCHT1"
)

// gatherRows emits gatherRowsAVX2, which copies rows idx of X into Y and
// asks for the row dist positions ahead (software prefetch) before copying
// each one: on a dataset far larger than the caches the copies are bound by
// the latency of the rows' cache misses, and issuing the misses of many rows
// at once is the whole gain. One loop per class of row length, so that no
// branch in a loop depends on anything but its own trip count.
func gatherRows() {
	const name = "gatherRowsAVX2"
	TEXT(name, NOSPLIT, "func(k int, idx []int, x []float32, ldx int, y []float32, ldy int, dist, lines, last int)")
	Pragma("noescape")
	Doc(name+" copies rows idx of X into consecutive rows of Y, k ≥ 1 floats each,",
		"X and Y row-major with row strides ldx and ldy, for len(idx) ≥ 1 valid",
		"indices and Y not overlapping X:",
		"",
		"\tfor i, r := range idx {",
		"\t\tif i+dist < len(idx) {",
		"\t\t\tprefetch(idx[i+dist]) // issued before row i is copied",
		"\t\t}",
		"\t\tcopy(Y[i*ldy:i*ldy+k], X[r*ldx:r*ldx+k])",
		"\t}",
		"",
		"where prefetch(r), also issued for rows idx[0:min(dist, len(idx))]",
		"before the loop, runs "+gatherPrefetchName+" on the bytes at offsets 0, 64, …,",
		"64·(lines−1) and last of row r of X (dist, lines ≥ 1; 0 ≤ last < 4k;",
		"in the loop, for k < 16, only on the bytes at 0 and last).",
		"Prefetches do not fault; no index outside idx is read. The copy is",
		"exact, bit for bit, and writes nothing but the len(idx)×k elements of Y.")

	n := Load(Param("idx").Len(), GP64())
	ip := Load(Param("idx").Base(), GP64())
	x := Load(Param("x").Base(), GP64())
	ldx := Load(Param("ldx"), GP64())
	SHLQ(U8(2), ldx)
	dist := Load(Param("dist"), GP64())

	// prefetchRow prefetches the row whose index is at a: gatherPrefetch on
	// lines lines of 64 bytes from its start, then on byte last. A short
	// row (k < 16, 60 bytes at most) spans at most two lines, its first
	// byte's and its last's: two prefetches, without the loop.
	prefetchRow := func(l string, a Mem, short bool) {
		p := GP64()
		MOVQ(a, p)
		IMULQ(ldx, p)
		ADDQ(x, p)
		if short {
			gatherPrefetch(Mem{Base: p})
			ADDQ(addr(Param("last")), p)
			gatherPrefetch(Mem{Base: p})
			return
		}
		q, cnt := GP64(), GP64()
		MOVQ(p, q)
		Load(Param("lines"), cnt)
		Label(l)
		gatherPrefetch(Mem{Base: q})
		ADDQ(U8(64), q)
		DECQ(cnt)
		JNZ(LabelRef(l))
		ADDQ(addr(Param("last")), p)
		gatherPrefetch(Mem{Base: p})
	}

	// Prologue: prefetch the first min(dist, n) rows, which no earlier row
	// of the loop asks for.
	{
		j, m := GP64(), GP64()
		MOVQ(dist, m)
		CMPQ(m, n)
		CMOVQGT(n, m)
		XORQ(j, j)
		Label(name + "_pro")
		prefetchRow(name+"_prolines", Mem{Base: ip, Index: j, Scale: 8}, false)
		INCQ(j)
		CMPQ(j, m)
		JB(LabelRef(name + "_pro"))
	}

	// The loops: rows [0, n−dist) prefetch row i+dist, rows [max(n−dist,
	// 0), n) do not. pfEnd and end point past the last index of each part;
	// dist becomes the byte offset of idx[i+dist] from idx[i].
	pfEnd, end := GP64(), GP64()
	LEAQ(Mem{Base: ip, Index: n, Scale: 8}, end)
	MOVQ(n, pfEnd)
	SUBQ(dist, pfEnd)
	z := GP64()
	XORQ(z, z)
	CMPQ(pfEnd, z)
	CMOVQLT(z, pfEnd)
	LEAQ(Mem{Base: ip, Index: pfEnd, Scale: 8}, pfEnd)
	SHLQ(U8(3), dist)
	y := Load(Param("y").Base(), GP64())
	ldy := Load(Param("ldy"), GP64())
	SHLQ(U8(2), ldy)
	k := Load(Param("k"), GP64())

	// Dispatch on k, once.
	for _, c := range gatherClasses[:len(gatherClasses)-1] {
		CMPQ(k, U8(c.hi))
		JBE(LabelRef(name + "_" + c.name))
	}
	JMP(LabelRef(name + "_" + gatherClasses[len(gatherClasses)-1].name))

	for _, c := range gatherClasses {
		l := name + "_" + c.name
		Label(l)
		switch {
		case c.hi == 0:
			Commentf("k ≥ %d", c.lo)
		case c.lo == c.hi:
			Commentf("k = %d", c.lo)
		default:
			Commentf("k = %d…%d", c.lo, c.hi)
		}
		// tail is the offset of an overlapping last move, 4k − width.
		var tail Register
		if c.overlaps {
			tail = GP64()
			MOVQ(k, tail)
			SHLQ(U8(2), tail)
			SUBQ(U8(c.width), tail)
		}
		for _, pf := range []bool{true, false} {
			// Skip a part when it is empty: its loop runs the body first.
			stop, ll, skip := end, l+"_copy", name+"_done"
			if pf {
				stop, ll, skip = pfEnd, l+"_pf", l+"_copy"
			}
			CMPQ(ip, stop)
			JAE(LabelRef(skip))
			Label(ll)
			if pf {
				prefetchRow(ll+"lines", Mem{Base: ip, Index: dist, Scale: 1}, c.width != 0)
			}
			src := GP64()
			MOVQ(Mem{Base: ip}, src)
			IMULQ(ldx, src)
			ADDQ(x, src)
			gatherCopy(ll, c, src, y, k, tail)
			ADDQ(ldy, y)
			ADDQ(U8(8), ip)
			CMPQ(ip, stop)
			JB(LabelRef(ll))
		}
		JMP(LabelRef(name + "_done"))
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// gatherCopy emits the copy of one row of k floats from src to dst in the
// way of class c. For k ≥ 16: blocks of 32 floats (four loads, then four
// stores), then of 8, then one vector ending at the row's end, overlapping
// the previous one, for the last 1…7.
func gatherCopy(l string, c gatherClass, src, dst, k, tail Register) {
	move := func(off Op) {
		ma, mb := Mem{Base: src}, Mem{Base: dst}
		switch o := off.(type) {
		case Register:
			ma.Index, ma.Scale, mb.Index, mb.Scale = o, 1, o, 1
		}
		switch c.width {
		case 4:
			t := GP32()
			MOVL(ma, t)
			MOVL(t, mb)
		case 8:
			t := GP64()
			MOVQ(ma, t)
			MOVQ(t, mb)
		case 16:
			t := XMM()
			VMOVUPS(ma, t)
			VMOVUPS(t, mb)
		case 32:
			t := YMM()
			VMOVUPS(ma, t)
			VMOVUPS(t, mb)
		}
	}
	if c.width != 0 {
		move(nil)
		if c.overlaps {
			move(tail)
		}
		return
	}
	off, rem := GP64(), GP64()
	XORQ(off, off)
	MOVQ(k, rem)
	Label(l + "_b32")
	CMPQ(rem, U8(32))
	JB(LabelRef(l + "_b8"))
	v := ymms(4)
	for u := range v {
		VMOVUPS(Mem{Base: src, Index: off, Scale: 1, Disp: 32 * u}, v[u])
	}
	for u := range v {
		VMOVUPS(v[u], Mem{Base: dst, Index: off, Scale: 1, Disp: 32 * u})
	}
	SUBQ(U8(32), rem)
	JZ(LabelRef(l + "_end"))
	ADDQ(U32(128), off)
	JMP(LabelRef(l + "_b32"))
	Label(l + "_b8")
	CMPQ(rem, U8(8))
	JB(LabelRef(l + "_b1"))
	t := YMM()
	VMOVUPS(Mem{Base: src, Index: off, Scale: 1}, t)
	VMOVUPS(t, Mem{Base: dst, Index: off, Scale: 1})
	ADDQ(U8(32), off)
	SUBQ(U8(8), rem)
	JMP(LabelRef(l + "_b8"))
	Label(l + "_b1")
	TESTQ(rem, rem)
	JZ(LabelRef(l + "_end"))
	// The last vector ends at the row's end: offset off + 4·rem − 32 ≥ 0,
	// as k ≥ 16 and so at least 8 floats were copied before.
	LEAQ(Mem{Base: off, Index: rem, Scale: 4, Disp: -32}, off)
	t = YMM()
	VMOVUPS(Mem{Base: src, Index: off, Scale: 1}, t)
	VMOVUPS(t, Mem{Base: dst, Index: off, Scale: 1})
	Label(l + "_end")
}
