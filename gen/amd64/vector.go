package main

import (
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
func sqErr() {
	const name = "sqErrAVX2"
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
	sqErrBody(name+"_nt", writeRStream)
	Label(name + "_cached")
	sqErrBody(name, writeR)
}

// sqErrSum emits sqErrSumAVX2: sqErr's loop without the stores.
func sqErrSum() {
	const name = "sqErrSumAVX2"
	TEXT(name, NOSPLIT, "func(p, t []float32) float32")
	Pragma("noescape")
	Doc(name + " returns Σ (p − t)², for len(p) ≥ 1 and t at least as long.")
	sqErrBody(name, sumOnly)
}

// sqErrStreamMin is the length from which sqErrAVX2 may stream r: 4 MiB per
// operand, beyond any core's L2.
const sqErrStreamMin = 1 << 20

// sqErrBody emits one complete path (ending in RET) of the sqErr kernels.
func sqErrBody(name string, mode int) {
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
	// over two accumulators, without the vector set-up and reduction, which
	// cost more than the work there.
	CMPQ(n, U8(16))
	JAE(LabelRef(name + "_vector"))
	{
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
	acc := ymms(unroll)
	for _, a := range acc {
		VXORPS(a, a, a)
	}
	body := func(u int, mask VecVirtual, big bool) {
		d, t := YMM(), YMM()
		load(Mem{Base: pp, Disp: 32 * u}, mask, d)
		if mask == nil {
			VSUBPS(Mem{Base: tp, Disp: 32 * u}, d, d)
		} else {
			load(Mem{Base: tp}, mask, t)
			VSUBPS(t, d, d)
		}
		switch {
		case mode == writeRStream && big:
			VMOVNTPS(d, Mem{Base: rp, Disp: 32 * u})
		case mode != sumOnly:
			store(d, mask, Mem{Base: rp, Disp: 32 * u})
		}
		VFMADD231PS(d, d, acc[u])
	}
	if mode == writeRStream {
		// VMOVNTPS needs r 32-byte aligned: first do the h < 8 elements
		// up to the next boundary, masked, when there are more than h.
		h := GP64()
		MOVQ(rp, h)
		NEGQ(h)
		ANDQ(U8(31), h)
		SHRQ(U8(2), h)
		JZ(LabelRef(name + "_aligned"))
		CMPQ(n, h)
		JBE(LabelRef(name + "_aligned"))
		mask := YMM()
		loadMask(h, mask)
		body(0, mask, false)
		for _, p := range ptrs {
			LEAQ(Mem{Base: p, Index: h, Scale: 4}, p)
		}
		SUBQ(h, n)
		Label(name + "_aligned")
	}
	if mode == sumOnly {
		streamLoop(name, n, ptrs, unroll, body)
	} else {
		// Separate accumulator: writing an XMM register would clear the
		// upper lanes of acc[0].
		tail := XMM()
		VXORPS(tail, tail, tail)
		streamLoopTail(name, n, ptrs, unroll, body, false)
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
	hsum(acc[0])
	// VZEROUPPER keeps the low 128 bits: clear the upper halves before
	// Store's legacy-SSE MOVSS so that it pays no AVX-SSE transition.
	VZEROUPPER()
	Store(acc[0].AsX(), ReturnIndex(0))
	RET()
}

func axpy() {
	const unroll = 8
	TEXT("axpyAVX2", NOSPLIT, "func(alpha float32, x, y []float32)")
	Pragma("noescape")
	Doc("axpyAVX2 computes y += alpha·x with fused multiply-adds, for len(y) ≥ 1 and x at",
		"least as long.")
	a := YMM()
	VBROADCASTSS(addr(Param("alpha")), a)
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("y").Len(), GP64())
	ptrs := []Register{xp, yp}
	streamLoopTail("axpyAVX2", n, ptrs, unroll, func(u int, _ VecVirtual, _ bool) {
		yv := YMM()
		VMOVUPS(Mem{Base: yp, Disp: 32 * u}, yv)
		VFMADD231PS(Mem{Base: xp, Disp: 32 * u}, a, yv)
		VMOVUPS(yv, Mem{Base: yp, Disp: 32 * u})
	}, false)
	scalarTail("axpyAVX2", n, ptrs, func() {
		yv := XMM()
		VMOVSS(Mem{Base: yp}, yv)
		VFMADD231SS(Mem{Base: xp}, a.AsX(), yv)
		VMOVSS(yv, Mem{Base: yp})
	})
	VZEROUPPER()
	RET()
}

func dot() {
	const unroll = 8
	TEXT("dotAVX2", NOSPLIT, "func(x, y []float32) float32")
	Pragma("noescape")
	Doc("dotAVX2 returns Σ x[i]·y[i], for len(x) ≥ 1 and y at least as long.")
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	acc := ymms(unroll)
	for _, a := range acc {
		VXORPS(a, a, a)
	}
	streamLoop("dotAVX2", n, []Register{xp, yp}, unroll, func(u int, mask VecVirtual, _ bool) {
		xv, yv := YMM(), YMM()
		load(Mem{Base: xp, Disp: 32 * u}, mask, xv)
		if mask == nil {
			VFMADD231PS(Mem{Base: yp, Disp: 32 * u}, xv, acc[u])
		} else {
			load(Mem{Base: yp}, mask, yv)
			VFMADD231PS(yv, xv, acc[u])
		}
	})
	sumTree(acc)
	hsum(acc[0])
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
func peakFMA() {
	const chains, fmas = 15, 16
	const name = "peakFMAAVX2"
	TEXT(name, NOSPLIT, "func(iters int)")
	Doc(name+" runs iters ≥ 1 iterations of 16 VFMADD231PS on YMM registers (256",
		"flops each) and nothing else.")
	n := Load(Param("iters"), GP64())
	c := YMM()
	acc := ymms(chains)
	VXORPS(c, c, c)
	for _, a := range acc {
		VXORPS(a, a, a)
	}
	Label(name + "_two")
	CMPQ(n, U8(2))
	JB(LabelRef(name + "_one"))
	for i := 0; i < 2*fmas; i++ {
		VFMADD231PS(c, c, acc[i%chains])
	}
	SUBQ(U8(2), n)
	JMP(LabelRef(name + "_two"))
	Label(name + "_one")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	for i := 0; i < fmas; i++ {
		VFMADD231PS(c, c, acc[i%chains])
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// peakLoad emits peakLoadAVX2: Σ x·y as dotAVX2 computes it, one load and
// one FMA with a memory operand per pair of vectors, the least arithmetic
// that consumes two operands (SqErrSum and Dot do no less), so that it reads
// at least as fast as any streaming kernel. Twelve accumulators over sixteen
// pairs a pass: no chain has more than two dependent FMAs (8–10 cycles) in a
// pass of 32 loads (11–16 cycles at two or three loads per cycle), and the
// twelve and the loaded vectors fit the sixteen registers.
func peakLoad() {
	const unroll, chains = 16, 12
	const name = "peakLoadAVX2"
	TEXT(name, NOSPLIT, "func(x, y []float32) float32")
	Pragma("noescape")
	Doc(name+" returns Σ x[i]·y[i] doing one load and one multiply-add per pair of",
		"vectors, for len(x) ≥ 1 and y at least as long.")
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	acc := ymms(chains)
	for _, a := range acc {
		VXORPS(a, a, a)
	}
	streamLoop(name, n, []Register{xp, yp}, unroll, func(u int, mask VecVirtual, _ bool) {
		xv := YMM()
		load(Mem{Base: xp, Disp: 32 * u}, mask, xv)
		if mask == nil {
			VFMADD231PS(Mem{Base: yp, Disp: 32 * u}, xv, acc[u%chains])
			return
		}
		yv := YMM()
		load(Mem{Base: yp}, mask, yv)
		VFMADD231PS(yv, xv, acc[0])
	})
	sumTree(acc)
	hsum(acc[0])
	VZEROUPPER()
	Store(acc[0].AsX(), ReturnIndex(0))
	RET()
}
