package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// standardize emits standardizeAVX2: d = (x − mean)/scale row by row, with
// VSUBPS and VDIVPS, each correctly rounded as the scalar operations are, so
// that every element is the Go loop's, bit for bit. The tail of a row is a
// scalar loop of the same operations (VSUBSS, VDIVSS), as in axpyAVX2.
func standardize() { standardizeKernel(avx2) }

// standardize512 emits standardizeAVX512: its tail is one masked vector.
func standardize512() { standardizeKernel(avx512) }

func standardizeKernel(s isa) {
	// Four independent divisions in flight cover VDIVPS's latency.
	const unroll = 4
	name := "standardize" + s.suffix
	vb := s.bytes()
	TEXT(name, NOSPLIT, "func(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int)")
	Pragma("noescape")
	Doc(name+" writes d[i·ldd+p] = (x[i·ldx+p] − mean[p]) / scale[p] for i < m and",
		"p < k, m, k ≥ 1, the slices holding those elements. d may be x itself (the",
		"same stride); otherwise it must not overlap x.")
	m := Load(Param("m"), GP64())
	xrow := Load(Param("x").Base(), GP64())
	drow := Load(Param("d").Base(), GP64())
	ldx := Load(Param("ldx"), GP64())
	SHLQ(U8(2), ldx)
	ldd := Load(Param("ldd"), GP64())
	SHLQ(U8(2), ldd)

	Label(name + "_row")
	xp, dp := GP64(), GP64()
	MOVQ(xrow, xp)
	MOVQ(drow, dp)
	mp := Load(Param("mean").Base(), GP64())
	sp := Load(Param("scale").Base(), GP64())
	n := Load(Param("k"), GP64())
	ptrs := []Register{xp, mp, sp, dp}
	streamLoopTail(s, name, n, ptrs, unroll, func(u int, mask Register, _ bool) {
		v := s.vec()
		if mask == nil {
			VMOVUPS(Mem{Base: xp, Disp: vb * u}, v)
			VSUBPS(Mem{Base: mp, Disp: vb * u}, v, v)
			VDIVPS(Mem{Base: sp, Disp: vb * u}, v, v)
			VMOVUPS(v, Mem{Base: dp, Disp: vb * u})
			return
		}
		mv, sv := s.vec(), s.vec()
		s.load(Mem{Base: xp}, mask, v)
		s.load(Mem{Base: mp}, mask, mv)
		s.load(Mem{Base: sp}, mask, sv)
		VSUBPS(mv, v, v)
		VDIVPS(sv, v, v)
		s.store(v, mask, Mem{Base: dp})
	}, s.wide())
	if !s.wide() {
		scalarTail(name, n, ptrs, func() {
			v := XMM()
			VMOVSS(Mem{Base: xp}, v)
			VSUBSS(Mem{Base: mp}, v, v)
			VDIVSS(Mem{Base: sp}, v, v)
			VMOVSS(v, Mem{Base: dp})
		})
	}
	// The next row, if any: the strides are added only then, so that no
	// address past the last row is formed.
	DECQ(m)
	JZ(LabelRef(name + "_done"))
	ADDQ(ldx, xrow)
	ADDQ(ldd, drow)
	JMP(LabelRef(name + "_row"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
