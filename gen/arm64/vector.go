package main

import "github.com/edgefit/edgefit/gen/arm64/asm"

// The one-dimensional kernels stream their slices in blocks of 16 float32
// (four vector registers, one cache line), then of 4, then one at a time,
// keeping four independent vector accumulators so that the
// multiply-add latency overlaps the loads. A block's loads are LDURs at
// offsets from pointers advanced once per block (ldurs), all ahead of its
// arithmetic: one micro-op each on every modelled core, where a
// post-indexed load is two, and an in-order core never issues a load
// behind a multiply-add.

// ldurs loads the consecutive 16-byte vectors at p into vs and advances p
// past them.
func ldurs(fn *asm.Func, p asm.Reg, vs []asm.VReg) {
	for i, v := range vs {
		fn.LDURQ(p.Off(16*i), v)
	}
	fn.ADD(asm.Imm(16*len(vs)), p)
}

// st1s stores vs, consecutive registers, at p with one unindexed ST1 and
// advances p past them.
func st1s(fn *asm.Func, vs []asm.VReg, p asm.Reg) {
	fn.VST1(s4(vs), p.Mem())
	fn.ADD(asm.Imm(16*len(vs)), p)
}

// dot: Σ x·y.
func dot(f *asm.File) {
	fn := f.Func("dotNEON", "func(x, y []float32) float32", `
dotNEON returns Σ x[i]·y[i] over len(x) elements; y must be at least as
long. Four vector accumulators take 16 elements per iteration, then one
takes 4, and a scalar multiply-add the last 0-3.`)
	fn.StoreF(dotBody(fn), "ret")
	fn.RET()
}

// dotBody emits the loops of dotNEON and returns the register holding the
// sum.
func dotBody(fn *asm.Func) asm.FReg {
	x, y, n, c := asm.R0, asm.R1, asm.R2, asm.R3
	xv, yv, acc := regs(0, 4), regs(4, 4), regs(16, 4)
	fn.Load("x.base", x)
	fn.Load("y.base", y)
	fn.Load("x.len", n)
	fn.Zero(acc...)
	fn.LSR3(4, n, c)
	countDown(fn, "by16", c, func() {
		ldurs(fn, x, xv)
		ldurs(fn, y, yv)
		for i := range acc {
			fn.VFMLA(yv[i].S4(), xv[i].S4(), acc[i].S4())
		}
	})
	fn.LSR3(2, n, c)
	fn.AND3(asm.Imm(3), c, c)
	countDown(fn, "by4", c, func() {
		fn.VLD1(x.Post(16), s4(xv[:1]))
		fn.VLD1(y.Post(16), s4(yv[:1]))
		fn.VFMLA(yv[0].S4(), xv[0].S4(), acc[0].S4())
	})
	s := sumAcross(fn, acc)
	fn.AND3(asm.Imm(3), n, c)
	countDown(fn, "by1", c, func() {
		fn.FMOVS(x.Post(4), xv[0].F())
		fn.FMOVS(y.Post(4), yv[0].F())
		fn.FMADDS(yv[0].F(), s, xv[0].F(), s)
	})
	return s
}

// axpy: y += α·x.
func axpy(f *asm.File) {
	fn := f.Func("axpyNEON", "func(alpha float32, x, y []float32)", `
axpyNEON computes y[i] += alpha·x[i], fused, for i < len(y); x must be at
least as long. y is read through one pointer and written through another,
in blocks of 16, then 4, then single elements.`)
	// Reading and writing y through one pointer would make each block's
	// loads wait for the address written back by the previous block's store
	// (bench/results/NOTES.md).
	x, y, yw, n, c := asm.R0, asm.R1, asm.R4, asm.R2, asm.R3
	xv, yv, a := regs(0, 4), regs(4, 4), asm.V(31)
	fn.LoadF("alpha", a.F())
	fn.VDUP(a.S(0), a.S4())
	fn.Load("x.base", x)
	fn.Load("y.base", y)
	fn.MOVD(y, yw)
	fn.Load("y.len", n)
	fn.LSR3(4, n, c)
	countDown(fn, "by16", c, func() {
		ldurs(fn, x, xv)
		ldurs(fn, y, yv)
		for i := range yv {
			fn.VFMLA(a.S4(), xv[i].S4(), yv[i].S4())
		}
		st1s(fn, yv, yw)
	})
	fn.LSR3(2, n, c)
	fn.AND3(asm.Imm(3), c, c)
	countDown(fn, "by4", c, func() {
		fn.VLD1(x.Post(16), s4(xv[:1]))
		fn.VLD1(y.Post(16), s4(yv[:1]))
		fn.VFMLA(a.S4(), xv[0].S4(), yv[0].S4())
		fn.VST1(s4(yv[:1]), yw.Post(16))
	})
	fn.AND3(asm.Imm(3), n, c)
	countDown(fn, "by1", c, func() {
		fn.FMOVS(x.Post(4), xv[0].F())
		fn.FMOVS(y.Post(4), yv[0].F())
		fn.FMADDS(a.F(), yv[0].F(), xv[0].F(), yv[0].F())
		fn.FMOVS(yv[0].F(), yw.Post(4))
	})
	fn.RET()
}

// sqErrBody emits the squared-error loop shared by sqErr and sqErrSum: it
// returns the scalar sum; when store, the differences are written through r.
func sqErrBody(fn *asm.Func, r, p, t, n, c asm.Reg, store bool) asm.FReg {
	pv, tv, acc := regs(0, 4), regs(4, 4), regs(16, 4)
	fn.Zero(acc...)
	fn.LSR3(4, n, c)
	countDown(fn, "by16", c, func() {
		ldurs(fn, p, pv)
		ldurs(fn, t, tv)
		for i := range pv {
			fn.VFSUB(tv[i].S4(), pv[i].S4(), pv[i].S4())
		}
		if store {
			st1s(fn, pv, r)
		}
		for i := range pv {
			fn.VFMLA(pv[i].S4(), pv[i].S4(), acc[i].S4())
		}
	})
	fn.LSR3(2, n, c)
	fn.AND3(asm.Imm(3), c, c)
	countDown(fn, "by4", c, func() {
		fn.VLD1(p.Post(16), s4(pv[:1]))
		fn.VLD1(t.Post(16), s4(tv[:1]))
		fn.VFSUB(tv[0].S4(), pv[0].S4(), pv[0].S4())
		if store {
			fn.VST1(s4(pv[:1]), r.Post(16))
		}
		fn.VFMLA(pv[0].S4(), pv[0].S4(), acc[0].S4())
	})
	s := sumAcross(fn, acc)
	fn.AND3(asm.Imm(3), n, c)
	countDown(fn, "by1", c, func() {
		fn.FMOVS(p.Post(4), pv[0].F())
		fn.FMOVS(t.Post(4), tv[0].F())
		fn.FSUBS(tv[0].F(), pv[0].F(), pv[0].F())
		if store {
			fn.FMOVS(pv[0].F(), r.Post(4))
		}
		fn.FMADDS(pv[0].F(), s, pv[0].F(), s)
	})
	return s
}

// sqErr: r = p − t, Σ r².
func sqErr(f *asm.File) {
	fn := f.Func("sqErrNEON", "func(r, p, t []float32) float32", `
sqErrNEON writes r[i] = p[i] − t[i] for i < len(r) and returns Σ r[i]²;
p and t must be at least as long as r. r may be p or t: each block is
loaded before it is stored. Four vector accumulators take 16 elements per
iteration, then one takes 4, and a scalar multiply-add the last 0-3.`)
	r, p, t, n, c := asm.R0, asm.R1, asm.R2, asm.R3, asm.R4
	fn.Load("r.base", r)
	fn.Load("p.base", p)
	fn.Load("t.base", t)
	fn.Load("r.len", n)
	fn.StoreF(sqErrBody(fn, r, p, t, n, c, true), "ret")
	fn.RET()
}

// sqErrSum: Σ (p − t)².
func sqErrSum(f *asm.File) {
	fn := f.Func("sqErrSumNEON", "func(p, t []float32) float32", `
sqErrSumNEON returns Σ (p[i] − t[i])² for i < len(p), writing nothing;
t must be at least as long as p. Its loop is sqErrNEON's without the
stores.`)
	p, t, n, c := asm.R1, asm.R2, asm.R3, asm.R4
	fn.Load("p.base", p)
	fn.Load("t.base", t)
	fn.Load("p.len", n)
	fn.StoreF(sqErrBody(fn, asm.R0, p, t, n, c, false), "ret")
	fn.RET()
}

// peakFMA: 32 FMLA .4S per iteration, 256 flops.
func peakFMA(f *asm.File) {
	fn := f.Func("peakFMANEON", "func(iters int)", `
peakFMANEON runs iters iterations of 32 vector multiply-adds (FMLA .4S,
8 flops each: 256 flops an iteration, edgefit.PeakFMAFlopsPerIter). They
go to 30 accumulators (two take a second one), so each dependency chain
advances at most twice an iteration and throughput, not latency, bounds
the loop. Every product is 1/8·1/8, so the accumulators grow slowly and
stay normal numbers. iters must be at least 1.`)
	n, bits := asm.R0, asm.R1
	a, b, acc := asm.V(0), asm.V(1), regs(2, 30)
	fn.Load("iters", n)
	fn.MOVD(asm.Imm(0x3e000000), bits) // 0.125
	fn.VDUPR(bits, a.S4())
	fn.VDUPR(bits, b.S4())
	fn.Zero(acc...)
	loop := fn.NewLabel("loop")
	fn.Bind(loop)
	for i := 0; i < 32; i++ {
		fn.VFMLA(b.S4(), a.S4(), acc[i%len(acc)].S4())
	}
	fn.SUBS(asm.Imm(1), n)
	fn.BNE(loop)
	fn.RET()
}

// peakLoad: the load ceiling of the streaming kernels.
func peakLoad(f *asm.File) {
	fn := f.Func("peakLoadNEON", "func(x, y []float32) float32", `
peakLoadNEON returns Σ x[i]·y[i] over len(x) elements (y at least as long):
one multiply-add per two vectors loaded, the least arithmetic that still
lets every element reach the result (a NaN anywhere makes it NaN). Its
loops are dotNEON's, whose arithmetic is already below what the loads
allow, where one add per vector loaded (Σ x + y) would be bound by the
floating-point pipes on cores where a 128-bit fadd occupies both.`)
	fn.StoreF(dotBody(fn), "ret")
	fn.RET()
}
