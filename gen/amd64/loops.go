package main

import (
	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// loadMask sets mask to select the first n lanes, 1 ≤ n ≤ 8.
func loadMask(n Register, mask VecVirtual) {
	off, tab := GP64(), GP64()
	MOVQ(U32(lanes), off)
	SUBQ(n, off)
	LEAQ(maskTable, tab)
	VMOVDQU(Mem{Base: tab, Index: off, Scale: 4}, mask)
}

// hsum leaves the sum of acc's eight lanes in the low lane of acc.AsX().
func hsum(acc VecVirtual) {
	lo, t := acc.AsX(), XMM()
	VEXTRACTF128(U8(1), acc, t)
	VADDPS(t, lo, lo)
	VMOVHLPS(lo, lo, t)
	VADDPS(t, lo, lo)
	VMOVSHDUP(lo, t)
	VADDSS(t, lo, lo)
}

// sumTree adds accs pairwise into accs[0].
func sumTree(accs []VecVirtual) {
	for len(accs) > 1 {
		h := (len(accs) + 1) / 2
		for i := h; i < len(accs); i++ {
			VADDPS(accs[i], accs[i-h], accs[i-h])
		}
		accs = accs[:h]
	}
}

// addr is the frame address of an argument, to use it as a memory operand.
func addr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

func ymms(n int) []VecVirtual {
	v := make([]VecVirtual, n)
	for i := range v {
		v[i] = YMM()
	}
	return v
}

// storeLanes stores the first r < 8 lanes of v at a, and nothing else.
func storeLanes(v VecVirtual, a Mem, r int) {
	x := v.AsX()
	if r >= 4 {
		VMOVUPS(x, a)
		if r == 4 {
			return
		}
		hi := XMM()
		VEXTRACTF128(U8(1), v, hi)
		x, a, r = hi, a.Offset(16), r-4
	}
	switch r {
	case 1:
		VMOVSS(x, a)
	case 2:
		VMOVLPS(x, a)
	case 3:
		VMOVLPS(x, a)
		VEXTRACTPS(U8(2), x, a.Offset(8))
	}
}

// rowAddr addresses row i < 3 of a block at base with row stride ld (bytes).
func rowAddr(base, ld Register, i int, disp int) Mem {
	switch i {
	case 0:
		return Mem{Base: base, Disp: disp}
	case 1:
		return Mem{Base: base, Index: ld, Scale: 1, Disp: disp}
	default:
		return Mem{Base: base, Index: ld, Scale: 2, Disp: disp}
	}
}

// transpose8 returns the eight columns of the 8×8 matrix whose rows are rows.
func transpose8(rows []VecVirtual) []VecVirtual {
	t := ymms(8)
	for i := 0; i < 8; i += 2 {
		// t[i] = r_i0 r_(i+1)0 r_i1 r_(i+1)1 | same for lanes 4, 5; t[i+1] the odd pairs.
		VUNPCKLPS(rows[i+1], rows[i], t[i])
		VUNPCKHPS(rows[i+1], rows[i], t[i+1])
	}
	q := ymms(8)
	for _, g := range []int{0, 4} {
		// Four rows' elements 0 (and 4), 1 (5), 2 (6), 3 (7).
		VSHUFPS(U8(0x44), t[g+2], t[g], q[g])
		VSHUFPS(U8(0xEE), t[g+2], t[g], q[g+1])
		VSHUFPS(U8(0x44), t[g+3], t[g+1], q[g+2])
		VSHUFPS(U8(0xEE), t[g+3], t[g+1], q[g+3])
	}
	cols := ymms(8)
	for i := 0; i < 4; i++ {
		VPERM2F128(U8(0x20), q[4+i], q[i], cols[i])
		VPERM2F128(U8(0x31), q[4+i], q[i], cols[4+i])
	}
	return cols
}

func log2(n int) int {
	l := 0
	for 1<<l < n {
		l++
	}
	return l
}

// streamLoop emits the usual shape of the one-pass kernels over n elements:
// body(u, nil, true) for u < unroll on full vectors while unroll·lanes
// elements remain, then body(0, nil, false) per vector, then body(0, mask,
// false) once for the last 1…lanes−1.
// body must advance nothing: offsets are u vectors from the pointers, which
// streamLoop advances.
func streamLoop(s isa, name string, n Register, ptrs []Register, unroll int, body func(u int, mask Register, big bool)) {
	streamLoopTail(s, name, n, ptrs, unroll, body, true)
}

// streamLoopTail is streamLoop, leaving the last n < lanes elements to the
// caller when masked is false.
func streamLoopTail(s isa, name string, n Register, ptrs []Register, unroll int, body func(u int, mask Register, big bool), masked bool) {
	Label(name + "_big")
	CMPQ(n, U32(s.lanes*unroll))
	JB(LabelRef(name + "_one"))
	for u := 0; u < unroll; u++ {
		body(u, nil, true)
	}
	for _, p := range ptrs {
		ADDQ(U32(s.bytes()*unroll), p)
	}
	SUBQ(U32(s.lanes*unroll), n)
	JMP(LabelRef(name + "_big"))

	Label(name + "_one")
	CMPQ(n, U8(s.lanes))
	JB(LabelRef(name + "_tail"))
	body(0, nil, false)
	for _, p := range ptrs {
		ADDQ(U8(s.bytes()), p)
	}
	SUBQ(U8(s.lanes), n)
	JMP(LabelRef(name + "_one"))

	Label(name + "_tail")
	if !masked {
		return
	}
	TESTQ(n, n)
	JZ(LabelRef(name + "_end"))
	body(0, s.mask(n), false)
	Label(name + "_end")
}

// scalarTail emits a loop running one(), then advancing ptrs by one element,
// for each of the n < 8 elements left: for kernels that store, where a masked
// VMASKMOVPS store is slow on some CPUs (tens of cycles on AMD's) and stalls
// the next loads of the same bytes, which it cannot forward to.
func scalarTail(name string, n Register, ptrs []Register, one func()) {
	TESTQ(n, n)
	JZ(LabelRef(name + "_tailend"))
	Label(name + "_tail1")
	one()
	for _, p := range ptrs {
		ADDQ(U8(4), p)
	}
	DECQ(n)
	JNZ(LabelRef(name + "_tail1"))
	Label(name + "_tailend")
}
