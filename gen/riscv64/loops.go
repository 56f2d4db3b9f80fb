package main

import "github.com/edgefit/edgefit/gen/riscv64/asm"

// stripMine emits the loop every one-dimensional kernel runs: while n > 0,
// set vl = VSETVLI(n) for float32 in groups of lmul registers (tail
// undisturbed, so that accumulators keep the lanes a short last strip does
// not reach), run body, advance each pointer by vl elements and take vl from
// n. vl is left in X5; X6 is used.
func stripMine(fn *asm.Func, name string, n asm.Reg, lmul asm.LMUL, ptrs []asm.Reg, body func()) {
	loop, done := fn.NewLabel(name), fn.NewLabel(name+"_end")
	vl, bytes := asm.X5, asm.X6
	fn.BEQZ(n, done)
	fn.Bind(loop)
	fn.VSETVLI(n, asm.E32, lmul, asm.TU, vl)
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
func reduce(fn *asm.Func, acc asm.VReg, lmul asm.LMUL, tmp asm.VReg, f asm.FReg) {
	fn.VSETVLI(asm.Zero, asm.E32, asm.M1, asm.TA, asm.X5)
	fn.VMVVI0(tmp)
	fn.VSETVLI(asm.Zero, asm.E32, lmul, asm.TA, asm.X5)
	fn.VFREDUSUMVS(tmp, acc, tmp)
	fn.VFMVFS(tmp, f)
}
