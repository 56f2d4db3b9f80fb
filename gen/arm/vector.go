package main

import "github.com/edgefit/edgefit/gen/arm/asm"

// The one-dimensional kernels stream their slices in blocks of 16 float32
// (two four-register loads, four Q registers), then of 4, then one at a
// time into lane 0 of D registers whose other lane is zero, keeping four
// independent vector accumulators so that the multiply-add latency overlaps
// the loads. Every operation is NEON, the tails too, so that every element
// sees the same arithmetic (NEON's flush-to-zero included).

// vecRegs are the registers of the streaming loops: a, b the operands (four
// Q registers each, the tails using lane 0 of a[0] and b[0]), acc the
// accumulators.
var vecA, vecB, vecAcc = qs(0, 4), qs(4, 4), qs(8, 4)

// load16 emits the load of 16 float32 at p into four Q registers from q.
func load16(fn *asm.Func, q asm.QReg, p asm.Reg) {
	fn.VLD1(asm.QList(q, 2), p.Post())
	fn.VLD1(asm.QList(q+2, 2), p.Post())
}

// dot: Σ x·y.
func dot(f *asm.File) {
	fn := f.Func("dotNEON", "func(x, y []float32) float32", `
dotNEON returns Σ x[i]·y[i] over len(x) elements; y must be at least as
long. Four vector accumulators take 16 elements per iteration, then one
takes 4, and lane 0 of one the last 0-3.`)
	fn.StoreF(dotBody(fn), "ret")
	fn.RET()
}

// dotBody emits the loops of dotNEON and returns the D register whose lane
// 0 holds the sum.
func dotBody(fn *asm.Func) asm.DReg {
	x, y, n, c := asm.R0, asm.R1, asm.R2, asm.R3
	fn.Load("x.base", x)
	fn.Load("y.base", y)
	fn.Load("x.len", n)
	for _, a := range vecAcc {
		fn.Zero(a.V())
	}
	fn.MOVW(n.LSR(4), c)
	countDown(fn, "by16", c, func() {
		load16(fn, vecA[0], x)
		load16(fn, vecB[0], y)
		for i := range vecAcc {
			fn.VMLA(vecAcc[i].V(), vecA[i].V(), vecB[i].V())
		}
	})
	fn.MOVW(n.LSR(2), c)
	fn.AND3(asm.Imm(3), c, c)
	countDown(fn, "by4", c, func() {
		fn.VLD1(asm.QList(vecA[0], 1), x.Post())
		fn.VLD1(asm.QList(vecB[0], 1), y.Post())
		fn.VMLA(vecAcc[0].V(), vecA[0].V(), vecB[0].V())
	})
	a, b, acc := vecA[0].Lo(), vecB[0].Lo(), vecAcc[0].Lo()
	fn.Zero(a.V(), b.V())
	fn.AND3(asm.Imm(3), n, c)
	countDown(fn, "by1", c, func() {
		fn.VLD1Lane(a.L(0), x.Post())
		fn.VLD1Lane(b.L(0), y.Post())
		fn.VMLA(acc.V(), a.V(), b.V())
	})
	return sumAcross(fn, vecAcc)
}

// axpy: y += α·x.
func axpy(f *asm.File) {
	fn := f.Func("axpyNEON", "func(alpha float32, x, y []float32)", `
axpyNEON computes y[i] += alpha·x[i] for i < len(y), the product rounded
before the sum (vmla); x must be at least as long. y is read through one
pointer and written through another, in blocks of 16, then 4, then single
elements.`)
	x, y, yw, n, c := asm.R0, asm.R1, asm.R4, asm.R2, asm.R3
	al := asm.Q(15)
	fn.LoadF("alpha", asm.D(14))
	fn.VDUP(al.V(), asm.D(14).L(0))
	fn.Load("x.base", x)
	fn.Load("y.base", y)
	fn.MOVW(y, yw)
	fn.Load("y.len", n)
	fn.MOVW(n.LSR(4), c)
	countDown(fn, "by16", c, func() {
		load16(fn, vecA[0], x)
		load16(fn, vecB[0], y)
		for i := range vecB {
			fn.VMLA(vecB[i].V(), vecA[i].V(), al.V())
		}
		fn.VST1(asm.QList(vecB[0], 2), yw.Post())
		fn.VST1(asm.QList(vecB[2], 2), yw.Post())
	})
	fn.MOVW(n.LSR(2), c)
	fn.AND3(asm.Imm(3), c, c)
	countDown(fn, "by4", c, func() {
		fn.VLD1(asm.QList(vecA[0], 1), x.Post())
		fn.VLD1(asm.QList(vecB[0], 1), y.Post())
		fn.VMLA(vecB[0].V(), vecA[0].V(), al.V())
		fn.VST1(asm.QList(vecB[0], 1), yw.Post())
	})
	a, b := vecA[0].Lo(), vecB[0].Lo()
	fn.AND3(asm.Imm(3), n, c)
	countDown(fn, "by1", c, func() {
		fn.VLD1Lane(a.L(0), x.Post())
		fn.VLD1Lane(b.L(0), y.Post())
		fn.VMLA(b.V(), a.V(), al.Lo().V())
		fn.VST1Lane(b.L(0), yw.Post())
	})
	fn.RET()
}

// sqErrBody emits the squared-error loop shared by sqErr and sqErrSum and
// returns the D register whose lane 0 holds the sum; when store, the
// differences are written through r.
func sqErrBody(fn *asm.Func, r, p, t, n, c asm.Reg, store bool) asm.DReg {
	for _, a := range vecAcc {
		fn.Zero(a.V())
	}
	fn.MOVW(n.LSR(4), c)
	countDown(fn, "by16", c, func() {
		load16(fn, vecA[0], p)
		load16(fn, vecB[0], t)
		for i := range vecA {
			fn.VSUB(vecA[i].V(), vecA[i].V(), vecB[i].V())
		}
		if store {
			fn.VST1(asm.QList(vecA[0], 2), r.Post())
			fn.VST1(asm.QList(vecA[2], 2), r.Post())
		}
		for i := range vecA {
			fn.VMLA(vecAcc[i].V(), vecA[i].V(), vecA[i].V())
		}
	})
	fn.MOVW(n.LSR(2), c)
	fn.AND3(asm.Imm(3), c, c)
	countDown(fn, "by4", c, func() {
		fn.VLD1(asm.QList(vecA[0], 1), p.Post())
		fn.VLD1(asm.QList(vecB[0], 1), t.Post())
		fn.VSUB(vecA[0].V(), vecA[0].V(), vecB[0].V())
		if store {
			fn.VST1(asm.QList(vecA[0], 1), r.Post())
		}
		fn.VMLA(vecAcc[0].V(), vecA[0].V(), vecA[0].V())
	})
	a, b, acc := vecA[0].Lo(), vecB[0].Lo(), vecAcc[0].Lo()
	fn.Zero(a.V(), b.V())
	fn.AND3(asm.Imm(3), n, c)
	countDown(fn, "by1", c, func() {
		fn.VLD1Lane(a.L(0), p.Post())
		fn.VLD1Lane(b.L(0), t.Post())
		fn.VSUB(a.V(), a.V(), b.V())
		if store {
			fn.VST1Lane(a.L(0), r.Post())
		}
		fn.VMLA(acc.V(), a.V(), a.V())
	})
	return sumAcross(fn, vecAcc)
}

// sqErr: r = p − t, Σ r².
func sqErr(f *asm.File) {
	fn := f.Func("sqErrNEON", "func(r, p, t []float32) float32", `
sqErrNEON writes r[i] = p[i] − t[i] for i < len(r) and returns Σ r[i]²;
p and t must be at least as long as r. r may be p or t: each block is
loaded before it is stored. Four vector accumulators take 16 elements per
iteration, then one takes 4, and lane 0 of one the last 0-3.`)
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

// peakSchedule returns which of 15 accumulators each of the 32
// multiply-adds of an iteration goes to such that, the iteration repeating,
// two uses of one accumulator are at least 10 multiply-adds apart (vmla's
// latency in LLVM's models of these cores): two accumulators take three (at
// 0, 11, 22 and at 5, 16, 27), the other 13 two, 15 or 16 apart.
func peakSchedule() [32]int {
	var s [32]int
	used := [32]bool{}
	for _, p := range []int{0, 11, 22} {
		s[p], s[p+5] = 0, 1
		used[p], used[p+5] = true, true
	}
	var rest []int
	for p := range used {
		if !used[p] {
			rest = append(rest, p)
		}
	}
	h := len(rest) / 2
	for i := 0; i < h; i++ {
		s[rest[i]], s[rest[i+h]] = 2+i, 2+i
	}
	return s
}

// peakFMA: 32 vmla.f32 on Q registers per iteration, 256 flops.
func peakFMA(f *asm.File) {
	fn := f.Func("peakFMANEON", "func(iters int)", `
peakFMANEON runs iters iterations of 32 vector multiply-adds (vmla.f32 on
Q registers, 8 flops each: 256 flops an iteration,
edgefit.PeakFMAFlopsPerIter), the instruction every kernel of this set
multiplies and adds with. They go to 15 accumulators, scheduled so that two
uses of one are at least 10 apart, so throughput, not latency, bounds the
loop. Every product is 1/8·1/8, so the accumulators grow slowly and stay
normal numbers. iters must be at least 1.`)
	n, src, acc := asm.R0, asm.Q(0), qs(1, 15)
	fn.Load("iters", n)
	fn.VMOVImm(src.V(), 0.125)
	for _, a := range acc {
		fn.Zero(a.V())
	}
	loop := fn.NewLabel("loop")
	fn.Bind(loop)
	for _, a := range peakSchedule() {
		fn.VMLA(acc[a].V(), src.V(), src.V())
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
loops are dotNEON's.`)
	fn.StoreF(dotBody(fn), "ret")
	fn.RET()
}
