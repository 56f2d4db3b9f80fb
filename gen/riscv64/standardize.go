package main

import "github.com/edgefit/edgefit/gen/riscv64/asm"

// standardize emits standardizeRVV: d = (x − mean)/scale row by row, each
// row strip-mined in groups of eight registers with VFSUBVV and VFDIVVV,
// each correctly rounded as the scalar operations are, so that every
// element is the Go loop's, bit for bit (RISC-V gives the canonical NaN
// for a NaN result in its vector and scalar instructions alike). A row's
// last strip is a short one, so there is no scalar tail.
func standardize(f *asm.File) {
	fn := f.Func("standardizeRVV", "func(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int)", `
standardizeRVV writes d[i·ldd+p] = (x[i·ldx+p] − mean[p]) / scale[p] for
i < m and p < k, m, k ≥ 1, the slices holding those elements. d may be x
itself (the same stride: each strip is loaded before it is stored);
otherwise it must not overlap x.`)
	m, xrow, drow, ldx, ldd := asm.X10, asm.X11, asm.X12, asm.X13, asm.X14
	xp, dp, mp, sp, n := asm.X15, asm.X16, asm.X17, asm.X18, asm.X19
	fn.Load("m", m)
	fn.Load("x.base", xrow)
	fn.Load("d.base", drow)
	fn.Load("ldx", ldx)
	fn.SLLI(2, ldx, ldx)
	fn.Load("ldd", ldd)
	fn.SLLI(2, ldd, ldd)
	row, done := fn.NewLabel("row"), fn.NewLabel("done")
	fn.Bind(row)
	fn.MOV(xrow, xp)
	fn.MOV(drow, dp)
	fn.Load("mean.base", mp)
	fn.Load("scale.base", sp)
	fn.Load("k", n)
	stripMine(fn, "std", n, asm.M8, []asm.Reg{xp, mp, sp, dp}, func() {
		fn.VLE32V(xp, 0)
		fn.VLE32V(mp, 8)
		fn.VLE32V(sp, 16)
		fn.VFSUBVV(8, 0, 0)
		fn.VFDIVVV(16, 0, 0)
		fn.VSE32V(0, dp)
	})
	fn.Comment("The next row, if any: the strides are added only then, so that no")
	fn.Comment("address past the last row is formed.")
	fn.ADD(asm.Imm(-1), m, m)
	fn.BEQZ(m, done)
	fn.ADD(ldx, xrow, xrow)
	fn.ADD(ldd, drow, drow)
	fn.JMP(row)
	fn.Bind(done)
	fn.RET()
}
