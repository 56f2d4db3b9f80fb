package main

import "github.com/edgefit/edgefit/gen/riscv64/asm"

// The one-dimensional kernels stream their slices in strips of up to eight
// vector registers (LMUL 8): the loads are the bottleneck, and the largest
// groups take the fewest instructions per element. Sums build up lane by
// lane in one group of accumulators, tail undisturbed, and are reduced once
// at the end.

// dot: Σ x·y.
func dot(f *asm.File) {
	fn := f.Func("dotRVV", "func(x, y []float32) float32", `
dotRVV returns Σ x[i]·y[i] over len(x) elements; y must be at least as
long. Each lane of an LMUL-8 group of accumulators sums every VLMAX-th
product, fused; the lanes are added at the end.`)
	x, y, n := asm.X10, asm.X11, asm.X12
	fn.Load("x.base", x)
	fn.Load("y.base", y)
	fn.Load("x.len", n)
	fn.VSETVLI(asm.Zero, asm.E32, asm.M8, asm.TA, asm.X5)
	fn.VMVVI0(8)
	stripMine(fn, "dot", n, asm.M8, []asm.Reg{x, y}, func() {
		fn.VLE32V(x, 16)
		fn.VLE32V(y, 24)
		fn.VFMACCVV(16, 24, 8)
	})
	reduce(fn, 8, asm.M8, 0, 0)
	fn.StoreF(0, "ret")
	fn.RET()
}

// sqErrLoop emits the loop of sqErrRVV (store) or sqErrSumRVV and returns
// the sum in F0.
func sqErrLoop(fn *asm.Func, store bool) {
	r, p, t, n := asm.X10, asm.X11, asm.X12, asm.X13
	ptrs := []asm.Reg{p, t}
	if store {
		fn.Load("r.base", r)
		fn.Load("p.base", p)
		fn.Load("t.base", t)
		fn.Load("r.len", n)
		ptrs = append(ptrs, r)
	} else {
		fn.Load("p.base", p)
		fn.Load("t.base", t)
		fn.Load("p.len", n)
	}
	fn.VSETVLI(asm.Zero, asm.E32, asm.M8, asm.TA, asm.X5)
	fn.VMVVI0(8)
	stripMine(fn, "sqerr", n, asm.M8, ptrs, func() {
		fn.VLE32V(p, 16)
		fn.VLE32V(t, 24)
		fn.VFSUBVV(24, 16, 16)
		if store {
			fn.VSE32V(16, r)
		}
		fn.VFMACCVV(16, 16, 8)
	})
	reduce(fn, 8, asm.M8, 0, 0)
}

// sqErr: r = p − t, Σ r².
func sqErr(f *asm.File) {
	fn := f.Func("sqErrRVV", "func(r, p, t []float32) float32", `
sqErrRVV writes r[i] = p[i] − t[i] for i < len(r) and returns Σ r[i]²;
p and t must be at least as long as r. r may be p or t: each strip is
loaded before it is stored. The squares are summed as in dotRVV.`)
	sqErrLoop(fn, true)
	fn.StoreF(0, "ret")
	fn.RET()
}

// sqErrSum: Σ (p − t)².
func sqErrSum(f *asm.File) {
	fn := f.Func("sqErrSumRVV", "func(p, t []float32) float32", `
sqErrSumRVV returns Σ (p[i] − t[i])² for i < len(p), writing nothing;
t must be at least as long as p. Its loop is sqErrRVV's without the
store.`)
	sqErrLoop(fn, false)
	fn.StoreF(0, "ret")
	fn.RET()
}

// axpy: y += α·x.
func axpy(f *asm.File) {
	fn := f.Func("axpyRVV", "func(alpha float32, x, y []float32)", `
axpyRVV computes y[i] += alpha·x[i], fused, for i < len(y); x must be at
least as long.`)
	x, y, n := asm.X10, asm.X11, asm.X12
	fn.LoadF("alpha", 0)
	fn.Load("x.base", x)
	fn.Load("y.base", y)
	fn.Load("y.len", n)
	stripMine(fn, "axpy", n, asm.M8, []asm.Reg{x, y}, func() {
		fn.VLE32V(x, 16)
		fn.VLE32V(y, 24)
		fn.VFMACCVF(0, 16, 24)
		fn.VSE32V(24, y)
	})
	fn.RET()
}

// peakFMA: the FMA ceiling.
func peakFMA(f *asm.File) {
	fn := f.Func("peakFMARVV", "func(iters int)", `
peakFMARVV runs iters·128 lanes of fused multiply-adds on 16 independent
single-register accumulators (LMUL 1, as in matMulBiasRVV), strip-mined
over iters·8 lanes each, whatever the vector length. iters must be at
least 1.`)
	n := asm.X10
	fn.Load("iters", n)
	fn.SLLI(3, n, n)
	fn.VSETVLI(asm.Zero, asm.E32, asm.M1, asm.TA, asm.X5)
	for v := asm.VReg(0); v < 18; v++ {
		fn.VMVVI0(v)
	}
	fn.Comment("The loop's length is counted in lanes: vl of them per instruction.")
	loop := fn.NewLabel("fma")
	fn.Bind(loop)
	fn.VSETVLI(n, asm.E32, asm.M1, asm.TA, asm.X5)
	for v := asm.VReg(0); v < 16; v++ {
		fn.VFMACCVV(16, 17, v)
	}
	fn.SUB(asm.X5, n, n)
	fn.BNEZ(n, loop)
	fn.RET()
}

// peakLoad: the load ceiling.
func peakLoad(f *asm.File) {
	fn := f.Func("peakLoadRVV", "func(x, y []float32) float32", `
peakLoadRVV returns Σ (x[i] + y[i]) over len(x) elements, y at least as
long: two loads and two additions per strip of eight registers' worth.`)
	x, y, n := asm.X10, asm.X11, asm.X12
	fn.Load("x.base", x)
	fn.Load("y.base", y)
	fn.Load("x.len", n)
	fn.VSETVLI(asm.Zero, asm.E32, asm.M8, asm.TA, asm.X5)
	fn.VMVVI0(8)
	stripMine(fn, "load", n, asm.M8, []asm.Reg{x, y}, func() {
		fn.VLE32V(x, 16)
		fn.VLE32V(y, 24)
		fn.VFADDVV(24, 16, 16)
		fn.VFADDVV(16, 8, 8)
	})
	reduce(fn, 8, asm.M8, 0, 0)
	fn.StoreF(0, "ret")
	fn.RET()
}

// vlenBytes: the vector register length, for Selection.
func vlenBytes(f *asm.File) {
	fn := f.Func("vlenbRVV", "func() int", `
vlenbRVV returns VLENB, the length of one vector register in bytes. It
must be called only when the CPU has the V extension.`)
	fn.CSRRVLENB(asm.X5)
	fn.Store("ret", asm.X5)
	fn.RET()
}
