package main

import . "github.com/edgefit/edgefit/gen/riscv64/asm"

// stripMine emits the loop every one-dimensional kernel runs: while n > 0,
// set vl = VSETVLI(n) for float32 in groups of lmul registers (tail
// undisturbed, so that accumulators keep the lanes a short last strip does
// not reach), run body, advance each pointer by vl elements and take vl from
// n. vl is left in X5; X6 is used.
func stripMine(fn *Func, name string, n Reg, lmul LMUL, ptrs []Reg, body func()) {
	loop, done := fn.NewLabel(name), fn.NewLabel(name+"_end")
	vl, bytes := X5, X6
	fn.BEQZ(n, done)
	fn.Bind(loop)
	fn.VSETVLI(n, E32, lmul, TU, vl)
	body()
	fn.SLLI(2, vl, bytes)
	for _, p := range ptrs {
		fn.ADD(bytes, p, p)
	}
	fn.SUB(vl, n, n)
	fn.BNEZ(n, loop)
	fn.Bind(done)
}

// reduce emits the sum of all VLMAX lanes of the group acc (of lmul
// registers) into f, using the single register tmp.
func reduce(fn *Func, acc VReg, lmul LMUL, tmp VReg, f FReg) {
	fn.VSETVLI(Zero, E32, M1, TA, X5)
	fn.VMVVI0(tmp)
	fn.VSETVLI(Zero, E32, lmul, TA, X5)
	fn.VFREDUSUMVS(tmp, acc, tmp)
	fn.VFMVFS(tmp, f)
}

// peakFMA: the FMA ceiling.
func peakFMA(f *File) {
	fn := f.Func("peakFMARVV", "func(iters int)", `
peakFMARVV runs iters·128 lanes of fused multiply-adds on 16 independent
single-register accumulators (LMUL 1, as in matMulBiasRVV), strip-mined
over iters·8 lanes each, whatever the vector length. iters must be at
least 1.`)
	n := X10
	fn.Load("iters", n)
	fn.SLLI(3, n, n)
	fn.VSETVLI(Zero, E32, M1, TA, X5)
	for v := VReg(0); v < 18; v++ {
		fn.VMVVI0(v)
	}
	fn.Comment("The loop's length is counted in lanes: vl of them per instruction.")
	loop := fn.NewLabel("fma")
	fn.Bind(loop)
	fn.VSETVLI(n, E32, M1, TA, X5)
	for v := VReg(0); v < 16; v++ {
		fn.VFMACCVV(16, 17, v)
	}
	fn.SUB(X5, n, n)
	fn.BNEZ(n, loop)
	fn.RET()
}

// peakLoad: the load ceiling.
func peakLoad(f *File) {
	fn := f.Func("peakLoadRVV", "func(x, y []float32) float32", `
peakLoadRVV returns Σ (x[i] + y[i]) over len(x) elements, y at least as
long: two loads and two additions per strip of eight registers' worth.`)
	x, y, n := X10, X11, X12
	fn.Load("x.base", x)
	fn.Load("y.base", y)
	fn.Load("x.len", n)
	fn.VSETVLI(Zero, E32, M8, TA, X5)
	fn.VMVVI0(8)
	stripMine(fn, "load", n, M8, []Reg{x, y}, func() {
		fn.VLE32V(x, 16)
		fn.VLE32V(y, 24)
		fn.VFADDVV(24, 16, 16)
		fn.VFADDVV(16, 8, 8)
	})
	reduce(fn, 8, M8, 0, 0)
	fn.StoreF(0, "ret")
	fn.RET()
}

// vlenBytes: the vector register length, for Selection.
func vlenBytes(f *File) {
	fn := f.Func("vlenbRVV", "func() int", `
vlenbRVV returns VLENB, the length of one vector register in bytes. It
must be called only when the CPU has the V extension.`)
	fn.CSRRVLENB(X5)
	fn.Store("ret", X5)
	fn.RET()
}
