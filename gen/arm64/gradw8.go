package main

import "github.com/edgefit/edgefit/gen/arm64/asm"

// GradW's widest pass takes eight rows of G (j) in tiles of 8×8: per row i
// of R and X, two vectors of R[i, j..j+7] and two of X[i, p..p+7] feed 16
// multiply-adds by element into 16 accumulators. Four rows go per
// iteration, their 16 loads (LDUR, one micro-op on every modelled core)
// all ahead of the 64 multiply-adds, so that an in-order core never waits
// on a load behind a multiply-add: 16 accumulators, 8 vectors of R and 8
// of X fill the 32 registers, so α and β are reloaded after the tile. The
// last 0-3 rows go one at a time; each element stays one chain of
// multiply-adds in the order of i. Columns left over (k mod 8) go to the
// 4-row walks, once for each half of the pass.

// g8Acc is the accumulator of row j of G, columns 4v…4v+3 of the tile;
// g8R and g8X hold row t of the iteration's four: R's lanes j and X's
// columns.
func g8Acc(j, v int) asm.VReg { return asm.V(2*j + v) }
func g8R(t, h int) asm.VReg   { return asm.V(16 + 2*t + h) }
func g8X(t, v int) asm.VReg   { return asm.V(24 + 2*t + v) }

// pass8 emits the tiles of 8 rows of G across all k columns, then steps R
// right and G down by 8.
func (r *gw) pass8() {
	fn := r.fn
	fn.Comment("8 rows of G")
	fn.MOVD(r.x, r.xc)
	fn.MOVD(r.g, r.gc)
	fn.MOVD(r.k, r.cols)
	whileAtLeast(fn, "g8p8", r.cols, 8, func() {
		r.tile88()
		fn.ADD(asm.Imm(32), r.xc)
		fn.ADD(asm.Imm(32), r.gc)
	})
	done := fn.NewLabel("g8_done")
	fn.CBZ(r.cols, done)
	fn.MOVD(r.xc, r.xs)
	fn.MOVD(r.gc, r.gs)
	fn.MOVD(r.cols, r.cs)
	r.walk(4, false)
	fn.MOVD(r.xs, r.xc)
	fn.MOVD(r.gs, r.gc)
	addMul(fn, r.ldg, 4, r.gc)
	fn.MOVD(r.cs, r.cols)
	fn.ADD(asm.Imm(16), r.r)
	r.walk(4, false)
	fn.SUB(asm.Imm(16), r.r)
	fn.Bind(done)
	fn.ADD(asm.Imm(32), r.r)
	addMul(fn, r.ldg, 8, r.g)
}

// tile88 emits the 8×8 tile of G at gc, X columns from xc.
func (r *gw) tile88() {
	fn := r.fn
	fn.Comment("tile of 8×8 elements of G")
	rp := [4]asm.Reg{r.rp, r.rp2, r.rp3, r.rp4}
	xp := [4]asm.Reg{r.xp, r.xp2, r.xp3, r.xp4}
	fn.MOVD(r.r, rp[0])
	fn.MOVD(r.xc, xp[0])
	for t := 1; t < 4; t++ {
		fn.ADD3(r.ldr, rp[t-1], rp[t])
		fn.ADD3(r.ldx, xp[t-1], xp[t])
	}
	for j := 0; j < 8; j++ {
		fn.Zero(g8Acc(j, 0), g8Acc(j, 1))
	}
	// rows emits the loads and multiply-adds of rows 0…n-1 of rp and xp,
	// stepping the pointers by ldr and ldx.
	rows := func(n int, ldr, ldx asm.Reg) {
		for t := 0; t < n; t++ {
			fn.LDURQ(rp[t].Off(0), g8R(t, 0))
			fn.LDURQ(rp[t].Off(16), g8R(t, 1))
			fn.LDURQ(xp[t].Off(0), g8X(t, 0))
			fn.LDURQ(xp[t].Off(16), g8X(t, 1))
		}
		for t := 0; t < n; t++ {
			fn.ADD(ldr, rp[t])
			fn.ADD(ldx, xp[t])
		}
		for t := 0; t < n; t++ {
			for j := 0; j < 8; j++ {
				for v := 0; v < 2; v++ {
					fn.VFMLAElem(g8R(t, j/4).S(j%4), g8X(t, v).S4(), g8Acc(j, v).S4())
				}
			}
		}
	}
	fn.LSR3(2, r.m, r.cnt)
	countDown(fn, "g8i4", r.cnt, func() { rows(4, r.ldr4, r.ldx4) })
	fn.AND3(asm.Imm(3), r.m, r.cnt)
	countDown(fn, "g8i1", r.cnt, func() { rows(1, r.ldr, r.ldx) })

	// α·sum, plus β·G only when β is not 0; the multiply-adds used every
	// register, so α and β come back from the arguments.
	alpha, beta := g8R(0, 0), g8R(0, 1)
	fn.LoadF("alpha", alpha.F())
	fn.LoadF("beta", beta.F())
	for j := 0; j < 8; j++ {
		for v := 0; v < 2; v++ {
			fn.VFMULElem(alpha.S(0), g8Acc(j, v).S4(), g8Acc(j, v).S4())
		}
	}
	store := fn.NewLabel("store")
	fn.FCMPSZero(beta.F())
	fn.BEQ(store)
	fn.MOVD(r.gc, r.gp)
	for j := 0; j < 8; j++ {
		fn.VLD1(r.gp.PostBy(r.ldg), asm.Seq(g8X(0, 0), 2, asm.S4))
		for v := 0; v < 2; v++ {
			fn.VFMLAElem(beta.S(0), g8X(0, v).S4(), g8Acc(j, v).S4())
		}
	}
	fn.Bind(store)
	fn.MOVD(r.gc, r.gp)
	for j := 0; j < 8; j++ {
		fn.VST1(asm.Seq(g8Acc(j, 0), 2, asm.S4), r.gp.PostBy(r.ldg))
	}
	fn.FMOVS(alpha.F(), r.alpha.F())
	fn.FMOVS(beta.F(), r.beta.F())
}
