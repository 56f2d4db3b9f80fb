package main

import "github.com/edgefit/edgefit/gen/arm64/asm"

// standardize emits standardizeNEON: d = (x − mean)/scale row by row, with
// FSUB and FDIV on .4S vectors, each correctly rounded and honouring the
// FPCR as the scalar operations do, so that every element is the Go loop's,
// bit for bit, NaN payloads included (AArch64's Advanced SIMD is IEEE 754,
// unlike ARMv7's NEON, which has no vector division at all: 32-bit ARM runs
// the Go loop). A row goes in blocks of 16 elements (four independent
// divisions in flight, to cover FDIV's latency), then of 4, then one at a
// time through S registers (FSUB, FDIV), as the streaming kernels of
// vector.go do, so nothing outside the row is read or written. Each block is
// loaded before it is stored, so d may be x itself.
func standardize(f *asm.File) {
	fn := f.Func("standardizeNEON", "func(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int)", `
standardizeNEON writes d[i·ldd+p] = (x[i·ldx+p] − mean[p]) / scale[p] for
i < m and p < k, m, k ≥ 1, the slices holding those elements. d may be x
itself (the same stride); otherwise it must not overlap x.`)
	m, xrow, ldx, mean, scale, drow, ldd, k := asm.R0, asm.R1, asm.R2, asm.R3, asm.R4, asm.R5, asm.R6, asm.R7
	xp, mp, sp, dp, c := asm.R8, asm.R9, asm.R10, asm.R11, asm.R12
	xv, mv, sv := regs(0, 4), regs(4, 4), regs(8, 4)
	fn.Load("m", m)
	fn.Load("k", k)
	fn.Load("x.base", xrow)
	fn.Load("ldx", ldx)
	fn.LSL3(2, ldx, ldx)
	fn.Load("mean.base", mean)
	fn.Load("scale.base", scale)
	fn.Load("d.base", drow)
	fn.Load("ldd", ldd)
	fn.LSL3(2, ldd, ldd)

	row, done := fn.NewLabel("row"), fn.NewLabel("done")
	fn.Bind(row)
	fn.MOVD(xrow, xp)
	fn.MOVD(mean, mp)
	fn.MOVD(scale, sp)
	fn.MOVD(drow, dp)
	fn.LSR3(4, k, c)
	countDown(fn, "by16", c, func() {
		ldurs(fn, xp, xv)
		ldurs(fn, mp, mv)
		ldurs(fn, sp, sv)
		for i := range xv {
			fn.VFSUB(mv[i].S4(), xv[i].S4(), xv[i].S4())
		}
		for i := range xv {
			fn.VFDIV(sv[i].S4(), xv[i].S4(), xv[i].S4())
		}
		st1s(fn, xv, dp)
	})
	fn.LSR3(2, k, c)
	fn.AND3(asm.Imm(3), c, c)
	countDown(fn, "by4", c, func() {
		fn.VLD1(xp.Post(16), s4(xv[:1]))
		fn.VLD1(mp.Post(16), s4(mv[:1]))
		fn.VLD1(sp.Post(16), s4(sv[:1]))
		fn.VFSUB(mv[0].S4(), xv[0].S4(), xv[0].S4())
		fn.VFDIV(sv[0].S4(), xv[0].S4(), xv[0].S4())
		fn.VST1(s4(xv[:1]), dp.Post(16))
	})
	fn.AND3(asm.Imm(3), k, c)
	countDown(fn, "by1", c, func() {
		fn.FMOVS(xp.Post(4), xv[0].F())
		fn.FMOVS(mp.Post(4), mv[0].F())
		fn.FMOVS(sp.Post(4), sv[0].F())
		fn.FSUBS(mv[0].F(), xv[0].F(), xv[0].F())
		fn.FDIVS(sv[0].F(), xv[0].F(), xv[0].F())
		fn.FMOVS(xv[0].F(), dp.Post(4))
	})
	// The next row, if any: the strides are added only then, so that no
	// address past the last row is formed.
	fn.SUBS(asm.Imm(1), m)
	fn.BEQ(done)
	fn.ADD(ldx, xrow)
	fn.ADD(ldd, drow)
	fn.B(row)
	fn.Bind(done)
	fn.RET()
}
