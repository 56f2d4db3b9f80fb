package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The paths of sqErrBody: Σ (p − t)² only, also writing r = p − t, or
// writing r with non-temporal stores.
const (
	sumOnly = iota
	writeR
	writeRStream
)

// sqErr emits sqErrAVX2: r = p − t and Σ r², streaming r past the caches
// when it is long and is neither operand.
func sqErr() { sqErrKernel(avx2) }

// sqErr512 emits sqErrAVX512, sqErr's loop on ZMM registers; its tail is
// one masked vector, the stores too.
func sqErr512() { sqErrKernel(avx512) }

func sqErrKernel(s isa) {
	name := "sqErr" + s.suffix
	TEXT(name, NOSPLIT, "func(r, p, t []float32) float32")
	Pragma("noescape")
	Doc(name+" writes r = p − t and returns Σ r², for len(r) ≥ 1 and p and t at least",
		"as long. From sqErrStreamMin elements, when r is neither p nor t, it writes r with",
		"non-temporal stores, which bypass the caches: there, writing r through",
		"them would evict p and t and read r's old contents from memory first.",
		"When r is p or t its lines are in cache, just read, and ordinary stores",
		"are faster.")
	n := Load(Param("r").Len(), GP64())
	CMPQ(n, U32(sqErrStreamMin))
	JB(LabelRef(name + "_cached"))
	rp := Load(Param("r").Base(), GP64())
	pp := Load(Param("p").Base(), GP64())
	CMPQ(rp, pp)
	JEQ(LabelRef(name + "_cached"))
	tp := Load(Param("t").Base(), GP64())
	CMPQ(rp, tp)
	JEQ(LabelRef(name + "_cached"))
	sqErrBody(s, name+"_nt", writeRStream)
	Label(name + "_cached")
	sqErrBody(s, name, writeR)
}

// sqErrSum emits sqErrSumAVX2: sqErr's loop without the stores.
func sqErrSum() { sqErrSumKernel(avx2) }

// sqErrSum512 emits sqErrSumAVX512, sqErrSum on ZMM registers.
func sqErrSum512() { sqErrSumKernel(avx512) }

func sqErrSumKernel(s isa) {
	name := "sqErrSum" + s.suffix
	TEXT(name, NOSPLIT, "func(p, t []float32) float32")
	Pragma("noescape")
	Doc(name + " returns Σ (p − t)², for len(p) ≥ 1 and t at least as long.")
	sqErrBody(s, name, sumOnly)
}

// sqErrStreamMin is the length from which sqErrAVX2 may stream r: 4 MiB per
// operand, beyond any core's L2.
const sqErrStreamMin = 1 << 20

// sqErrBody emits one complete path (ending in RET) of the sqErr kernels.
func sqErrBody(s isa, name string, mode int) {
	vb := s.bytes()
	const unroll = 8
	var rp Register
	ptrs := []Register{}
	if mode != sumOnly {
		rp = Load(Param("r").Base(), GP64())
		ptrs = append(ptrs, rp)
	}
	pp := Load(Param("p").Base(), GP64())
	tp := Load(Param("t").Base(), GP64())
	ptrs = append(ptrs, pp, tp)
	var n Register
	if mode != sumOnly {
		n = Load(Param("r").Len(), GP64())
	} else {
		n = Load(Param("p").Len(), GP64())
	}
	// Fewer than 16 elements (the tutorial's 5×2 residuals): a scalar loop
	// over two accumulators, or with AVX-512 one masked vector, without the
	// vector loop's set-up and reduction, which cost more than the work there.
	if s.wide() {
		CMPQ(n, U8(s.lanes))
		JA(LabelRef(name + "_vector"))
		mask := s.mask(n)
		d, t := s.vec(), s.vec()
		s.load(Mem{Base: pp}, mask, d)
		s.load(Mem{Base: tp}, mask, t)
		VSUBPS(t, d, d)
		if mode != sumOnly {
			s.store(d, mask, Mem{Base: rp})
		}
		VMULPS(d, d, d)
		s.hsum(d)
		VZEROUPPER()
		Store(d.AsX(), ReturnIndex(0))
		RET()
	} else {
		CMPQ(n, U8(16))
		JAE(LabelRef(name + "_vector"))
		a := []VecVirtual{XMM(), XMM()}
		for _, x := range a {
			VXORPS(x, x, x)
		}
		one := func(off int, into VecVirtual) {
			d := XMM()
			VMOVSS(Mem{Base: pp, Disp: off}, d)
			VSUBSS(Mem{Base: tp, Disp: off}, d, d)
			if mode != sumOnly {
				VMOVSS(d, Mem{Base: rp, Disp: off})
			}
			VFMADD231SS(d, d, into)
		}
		Label(name + "_small2")
		CMPQ(n, U8(2))
		JB(LabelRef(name + "_small1"))
		one(0, a[0])
		one(4, a[1])
		for _, p := range ptrs {
			ADDQ(U8(8), p)
		}
		SUBQ(U8(2), n)
		JMP(LabelRef(name + "_small2"))
		Label(name + "_small1")
		TESTQ(n, n)
		JZ(LabelRef(name + "_smalldone"))
		one(0, a[0])
		Label(name + "_smalldone")
		VADDSS(a[1], a[0], a[0])
		VZEROUPPER()
		Store(a[0], ReturnIndex(0))
		RET()
	}
	Label(name + "_vector")
	acc := s.vecs(unroll)
	for _, a := range acc {
		s.zero(a)
	}
	body := func(u int, mask Register, big bool) {
		d, t := s.vec(), s.vec()
		s.load(Mem{Base: pp, Disp: vb * u}, mask, d)
		if mask == nil {
			VSUBPS(Mem{Base: tp, Disp: vb * u}, d, d)
		} else {
			s.load(Mem{Base: tp}, mask, t)
			VSUBPS(t, d, d)
		}
		switch {
		case mode == writeRStream && big:
			VMOVNTPS(d, Mem{Base: rp, Disp: vb * u})
		case mode != sumOnly:
			s.store(d, mask, Mem{Base: rp, Disp: vb * u})
		}
		VFMADD231PS(d, d, acc[u])
	}
	if mode == writeRStream {
		// VMOVNTPS needs r aligned to a vector: first do the h < lanes
		// elements up to the next boundary, masked, when there are more
		// than h.
		h := GP64()
		MOVQ(rp, h)
		NEGQ(h)
		ANDQ(U8(vb-1), h)
		SHRQ(U8(2), h)
		JZ(LabelRef(name + "_aligned"))
		CMPQ(n, h)
		JBE(LabelRef(name + "_aligned"))
		body(0, s.mask(h), false)
		for _, p := range ptrs {
			LEAQ(Mem{Base: p, Index: h, Scale: 4}, p)
		}
		SUBQ(h, n)
		Label(name + "_aligned")
	}
	if mode == sumOnly || s.wide() {
		// AVX-512's masked stores are as fast as plain ones.
		streamLoop(s, name, n, ptrs, unroll, body)
	} else {
		// Separate accumulator: writing an XMM register would clear the
		// upper lanes of acc[0].
		tail := XMM()
		VXORPS(tail, tail, tail)
		streamLoopTail(s, name, n, ptrs, unroll, body, false)
		scalarTail(name, n, ptrs, func() {
			d := XMM()
			VMOVSS(Mem{Base: pp}, d)
			VSUBSS(Mem{Base: tp}, d, d)
			VMOVSS(d, Mem{Base: rp})
			VFMADD231SS(d, d, tail)
		})
		// VEX scalar ops keep tail's lanes 1-7 zero.
		VADDPS(tail.AsY(), acc[1], acc[1])
	}
	if mode == writeRStream {
		// Order the non-temporal stores before whatever the caller does next.
		SFENCE()
	}
	sumTree(acc)
	s.hsum(acc[0])
	// VZEROUPPER keeps the low 128 bits: clear the upper halves before
	// Store's legacy-SSE MOVSS so that it pays no AVX-SSE transition.
	VZEROUPPER()
	Store(acc[0].AsX(), ReturnIndex(0))
	RET()
}

func axpy() { axpyKernel(avx2) }

// axpy512 emits axpyAVX512: its tail is one masked vector, not a scalar loop.
func axpy512() { axpyKernel(avx512) }

func axpyKernel(s isa) {
	const unroll = 8
	name := "axpy" + s.suffix
	vb := s.bytes()
	TEXT(name, NOSPLIT, "func(alpha float32, x, y []float32)")
	Pragma("noescape")
	Doc(name+" computes y += alpha·x with fused multiply-adds, for len(y) ≥ 1 and x at",
		"least as long.")
	a := s.vec()
	VBROADCASTSS(addr(Param("alpha")), a)
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("y").Len(), GP64())
	ptrs := []Register{xp, yp}
	streamLoopTail(s, name, n, ptrs, unroll, func(u int, mask Register, _ bool) {
		yv, xv := s.vec(), s.vec()
		if mask == nil {
			VMOVUPS(Mem{Base: yp, Disp: vb * u}, yv)
			VFMADD231PS(Mem{Base: xp, Disp: vb * u}, a, yv)
			VMOVUPS(yv, Mem{Base: yp, Disp: vb * u})
			return
		}
		s.load(Mem{Base: yp}, mask, yv)
		s.load(Mem{Base: xp}, mask, xv)
		VFMADD231PS(xv, a, yv)
		s.store(yv, mask, Mem{Base: yp})
	}, s.wide())
	if !s.wide() {
		scalarTail(name, n, ptrs, func() {
			yv := XMM()
			VMOVSS(Mem{Base: yp}, yv)
			VFMADD231SS(Mem{Base: xp}, a.AsX(), yv)
			VMOVSS(yv, Mem{Base: yp})
		})
	}
	VZEROUPPER()
	RET()
}

func dot() { dotKernel(avx2) }

// dot512 emits dotAVX512, dot's loop on ZMM registers.
func dot512() { dotKernel(avx512) }

func dotKernel(s isa) {
	const unroll = 8
	name := "dot" + s.suffix
	vb := s.bytes()
	TEXT(name, NOSPLIT, "func(x, y []float32) float32")
	Pragma("noescape")
	Doc(name + " returns Σ x[i]·y[i], for len(x) ≥ 1 and y at least as long.")
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	acc := s.vecs(unroll)
	for _, a := range acc {
		s.zero(a)
	}
	streamLoop(s, name, n, []Register{xp, yp}, unroll, func(u int, mask Register, _ bool) {
		xv, yv := s.vec(), s.vec()
		s.load(Mem{Base: xp, Disp: vb * u}, mask, xv)
		if mask == nil {
			VFMADD231PS(Mem{Base: yp, Disp: vb * u}, xv, acc[u])
		} else {
			s.load(Mem{Base: yp}, mask, yv)
			VFMADD231PS(yv, xv, acc[u])
		}
	})
	sumTree(acc)
	s.hsum(acc[0])
	// VZEROUPPER keeps the low 128 bits: clear the upper halves before
	// Store's legacy-SSE MOVSS so that it pays no AVX-SSE transition.
	VZEROUPPER()
	Store(acc[0].AsX(), ReturnIndex(0))
	RET()
}

// peakFMA emits peakFMAAVX2: 16 VFMADD231PS (256 flops) per iteration,
// acc += c·c with c = 0 so that nothing overflows or goes subnormal. Fifteen
// accumulators (the sixteenth register holds c) take them in turn, and the
// loop runs two iterations per pass, so that no chain has more than three
// dependent FMAs (12 cycles of latency) in a pass that needs 16 cycles for its
// 32 FMAs at two per cycle: the loop is bound by the FMA units' throughput,
// not by any chain's latency.
func peakFMA() { peakFMAKernel(avx2, 15, 2) }

// peakFMA512 emits peakFMAAVX512: 8 VFMADD231PS on ZMM registers (256 flops)
// per iteration, four iterations per pass over 31 accumulators: 32 FMAs, no
// chain with more than two in a pass.
func peakFMA512() { peakFMAKernel(avx512, 31, 4) }

// peakFMAKernel emits peakFMA<suffix>: per iterations per pass over chains
// accumulators, then the rest one at a time.
func peakFMAKernel(s isa, chains, per int) {
	fmas := PeakFMAFlops / (2 * s.lanes)
	name := "peakFMA" + s.suffix
	reg := "YMM"
	if s.wide() {
		reg = "ZMM"
	}
	TEXT(name, NOSPLIT, "func(iters int)")
	Doc(fmt.Sprintf("%s runs iters ≥ 1 iterations of %d VFMADD231PS on %s registers (%d", name, fmas, reg, PeakFMAFlops),
		"flops each) and nothing else.")
	n := Load(Param("iters"), GP64())
	c := s.vec()
	acc := s.vecs(chains)
	s.zero(c)
	for _, a := range acc {
		s.zero(a)
	}
	Label(name + "_two")
	CMPQ(n, U8(per))
	JB(LabelRef(name + "_one"))
	for i := 0; i < per*fmas; i++ {
		VFMADD231PS(c, c, acc[i%chains])
	}
	SUBQ(U8(per), n)
	JMP(LabelRef(name + "_two"))
	Label(name + "_one")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	for i := 0; i < fmas; i++ {
		VFMADD231PS(c, c, acc[i%chains])
	}
	if per > 2 {
		DECQ(n)
		JMP(LabelRef(name + "_one"))
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// PeakFMAFlops is the flops of one iteration of every peakFMA loop (the
// root package's PeakFMAFlopsPerIter).
const PeakFMAFlops = 256

// peakLoad emits peakLoadAVX2: Σ x·y as dotAVX2 computes it, one load and
// one FMA with a memory operand per pair of vectors, the least arithmetic
// that consumes two operands (SqErrSum and Dot do no less), so that it reads
// at least as fast as any streaming kernel. Twelve accumulators over sixteen
// pairs a pass: no chain has more than two dependent FMAs (8–10 cycles) in a
// pass of 32 loads (11–16 cycles at two or three loads per cycle), and the
// twelve and the loaded vectors fit the sixteen registers.
func peakLoad() { peakLoadKernel(avx2) }

// peakLoad512 emits peakLoadAVX512, peakLoad's loop on ZMM registers.
func peakLoad512() { peakLoadKernel(avx512) }

func peakLoadKernel(s isa) {
	const unroll, chains = 16, 12
	name := "peakLoad" + s.suffix
	vb := s.bytes()
	TEXT(name, NOSPLIT, "func(x, y []float32) float32")
	Pragma("noescape")
	Doc(name+" returns Σ x[i]·y[i] doing one load and one multiply-add per pair of",
		"vectors, for len(x) ≥ 1 and y at least as long.")
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	acc := s.vecs(chains)
	for _, a := range acc {
		s.zero(a)
	}
	streamLoop(s, name, n, []Register{xp, yp}, unroll, func(u int, mask Register, _ bool) {
		xv := s.vec()
		s.load(Mem{Base: xp, Disp: vb * u}, mask, xv)
		if mask == nil {
			VFMADD231PS(Mem{Base: yp, Disp: vb * u}, xv, acc[u%chains])
			return
		}
		yv := s.vec()
		s.load(Mem{Base: yp}, mask, yv)
		VFMADD231PS(yv, xv, acc[0])
	})
	sumTree(acc)
	s.hsum(acc[0])
	VZEROUPPER()
	Store(acc[0].AsX(), ReturnIndex(0))
	RET()
}
