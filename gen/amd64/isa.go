package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa is the vector extension a kernel is emitted for: avx2 (YMM registers,
// masks in vectors for VMASKMOVPS) or avx512 (ZMM registers, 32 of them, and
// opmask registers, with which a partial vector is read or written in one
// instruction that neither reads nor faults on the masked-off lanes).
type isa struct {
	suffix string // the kernels' name suffix
	lanes  int    // float32 per vector
}

var (
	avx2   = isa{"AVX2", 8}
	avx512 = isa{"AVX512", 16}
)

// wide reports whether s has opmask registers (AVX-512).
func (s isa) wide() bool { return s.lanes == 16 }

// bytes is the size of one vector.
func (s isa) bytes() int { return 4 * s.lanes }

func (s isa) vec() VecVirtual {
	if s.wide() {
		return ZMM()
	}
	return YMM()
}

func (s isa) vecs(n int) []VecVirtual {
	v := make([]VecVirtual, n)
	for i := range v {
		v[i] = s.vec()
	}
	return v
}

// zero clears v. On ZMM, VXORPS would need AVX512DQ; of the AVX512F zero
// idioms, avo knows that VPSUBD v, v, v reads nothing (it would keep v live
// from the function's entry after VPXORD).
func (s isa) zero(v VecVirtual) {
	if s.wide() {
		VPSUBD(v, v, v)
	} else {
		VXORPS(v, v, v)
	}
}

// mask returns a mask selecting the first n lanes, 1 ≤ n ≤ s.lanes: a vector
// for VMASKMOVPS, or an opmask register.
func (s isa) mask(n Register) Register {
	if !s.wide() {
		m := YMM()
		loadMask(n, m)
		return m
	}
	k, tab := K(), GP64()
	LEAQ(kmaskTable, tab)
	KMOVW(Mem{Base: tab, Index: n, Scale: 2}, k)
	return k
}

// load reads the vector at a, or its masked lanes (the others read as 0
// and do not fault) when mask is not nil.
func (s isa) load(a Mem, mask Register, dst VecVirtual) {
	switch {
	case mask == nil:
		VMOVUPS(a, dst)
	case s.wide():
		VMOVUPS_Z(a, mask, dst)
	default:
		VMASKMOVPS(a, mask, dst)
	}
}

// store writes src at a, or only its masked lanes when mask is not nil.
func (s isa) store(src VecVirtual, mask Register, a Mem) {
	switch {
	case mask == nil:
		VMOVUPS(src, a)
	case s.wide():
		VMOVUPS(src, mask, a)
	default:
		VMASKMOVPS(src, mask, a)
	}
}

// hsum leaves the sum of acc's lanes in the low lane of acc.AsX(), with
// instructions that have EVEX forms for AVX-512's registers 16 to 31.
func (s isa) hsum(acc VecVirtual) {
	if !s.wide() {
		hsum(acc)
		return
	}
	y, t := acc.AsY(), YMM()
	VEXTRACTF64X4(U8(1), acc, t)
	VADDPS(t, y, y)
	lo, tx := acc.AsX(), XMM()
	VEXTRACTF32X4(U8(1), y, tx)
	VADDPS(tx, lo, lo)
	VMOVHLPS(lo, lo, tx)
	VADDPS(tx, lo, lo)
	VMOVSHDUP(lo, tx)
	VADDSS(tx, lo, lo)
}

// kmaskTable holds the 17 16-bit opmasks selecting the first 0…16 lanes.
var kmaskTable Mem

func kmaskData() {
	kmaskTable = GLOBL("kmask16", RODATA|NOPTR)
	for i := 0; i <= 16; i++ {
		DATA(2*i, U16(uint16(1)<<i-1))
	}
}
