package main

import "github.com/edgefit/edgefit/gen/arm64/asm"

// The panel kernel, matMulBiasNEON, computes Y for one panel of at most
// eight columns from a packed copy of those eight rows of W: for each input
// p, the eight weights W[j0..j0+7, p] side by side (zeros past the panel's
// columns). A tile of eight rows of X then keeps Y[i, j0..j0+7] in two
// accumulators per row, and each step of four inputs loads four vectors of
// X (one per row, four inputs each) and eight of the panel for 64
// multiply-adds by element (a lane of X times a vector of weights): one load
// per four multiply-adds, where the unpacked 6×4 dot-product tile needs ten
// per 24. All of a step's loads come before its multiply-adds and use LDUR
// with an immediate offset: an in-order core then never waits on a load
// behind a multiply-add, and every modelled core issues each load as one
// micro-op. The step's 32 vector registers are exactly: 16 accumulators,
// 8 rows of X, 8 vectors of weights.
//
// Each element of Y is one chain of multiply-adds in the order of p,
// started from 0 or, when accumulating, from Y's value: storing a partial
// sum and resuming from it is exact, so blocks of inputs give the same bits
// as one pass, and no tile shape changes an element's arithmetic. The bias
// is added after the last input.
//
// Rows go in passes of 8 while at least 8 remain, then at most one pass
// each of 4, 2 and 1; inputs four at a time, then the last 0-3 one at a
// time with scalar loads of X.

const (
	// matMulBiasTileM is the rows of X the panel kernel's widest tile takes.
	matMulBiasTileM = 8
	// matMulBiasTileN is the columns of a panel (the packed weights per input).
	matMulBiasTileN = 8
	// matMulBiasKC is the most inputs one call takes: the Go wrapper's
	// packed panel holds that many.
	matMulBiasKC = 256
	// matMulBiasPanelMin is the fewest columns worth a panel: narrower last
	// panels go to the dot-product kernel, which wastes no lanes on them.
	matMulBiasPanelMin = 4
	// matMulBiasPanelRows is the fewest rows of X that repay packing: the Go
	// copy of a panel costs about as much as the panel kernel's work on a
	// dozen rows, so shorter products go to the dot-product kernel whole.
	matMulBiasPanelRows = 16
)

// mp holds the panel kernel's register assignment.
type mp struct {
	fn                   *asm.Func
	x, ldx, wp, y, ldy   asm.Reg
	k, rows, cnt, wq, nc asm.Reg
	yrow, bb, tmp        asm.Reg
	xp                   [8]asm.Reg
}

// acc is row i's accumulator h (columns 4h…4h+3); xv holds row i of X;
// wv is the weights of step s, half h.
func pAcc(i, h int) asm.VReg { return asm.V(2*i + h) }
func pX(i int) asm.VReg      { return asm.V(16 + i) }
func pW(s, h int) asm.VReg   { return asm.V(24 + 2*s + h) }

func matMulBiasPanel(f *asm.File) {
	fn := f.Func("matMulBiasNEON", "func(m, k, nc int, x []float32, ldx int, wp []float32, b, y []float32, ldy int, accum int)", `
matMulBiasNEON computes one panel of Y = X·Wᵀ + b from packed weights:
for i < m and j < nc, y[i·ldy+j] = s + Σₚ x[i·ldx+p]·wp[8p+j] (p < k, in
order, fused), s being y[i·ldy+j]'s own value when accum is not 0 and 0
otherwise, then + b[j] when len(b) is not 0. m and k must be at least 1,
nc in 4…8; wp must hold 8k floats (zeros in columns nc…7), x the m×k
matrix with its stride, y the m×nc one, b at least nc floats when not
empty. Only the m×nc elements of y are read (when accum is not 0) and
written.`)
	r := &mp{fn: fn,
		x: asm.R0, ldx: asm.R1, wp: asm.R2, y: asm.R3, ldy: asm.R4, k: asm.R5, rows: asm.R6, cnt: asm.R7, wq: asm.R8, nc: asm.R9,
		yrow: asm.R10, bb: asm.R20, tmp: asm.R21,
		xp: [8]asm.Reg{asm.R11, asm.R12, asm.R13, asm.R14, asm.R15, asm.R16, asm.R17, asm.R19},
	}
	fn.Load("x.base", r.x)
	fn.Load("ldx", r.ldx)
	fn.LSL3(2, r.ldx, r.ldx)
	fn.Load("wp.base", r.wp)
	fn.Load("y.base", r.y)
	fn.Load("ldy", r.ldy)
	fn.LSL3(2, r.ldy, r.ldy)
	fn.Load("k", r.k)
	fn.Load("nc", r.nc)
	fn.Load("m", r.rows)
	pass := func(mr int) {
		r.tile(mr)
		addMul(fn, r.ldx, mr, r.x)
		addMul(fn, r.ldy, mr, r.y)
	}
	whileAtLeast(fn, "prows8", r.rows, matMulBiasTileM, func() { pass(matMulBiasTileM) })
	ifAtLeast(fn, "prows4", r.rows, 4, func() { pass(4) })
	ifAtLeast(fn, "prows2", r.rows, 2, func() { pass(2) })
	ifAtLeast(fn, "prows1", r.rows, 1, func() { pass(1) })
	fn.RET()
}

// tile emits the mr rows of X at x against the whole panel.
func (r *mp) tile(mr int) {
	fn := r.fn
	fn.Comment("tile of %d rows by the panel", mr)
	fn.MOVD(r.x, r.xp[0])
	for i := 1; i < mr; i++ {
		fn.ADD3(r.ldx, r.xp[i-1], r.xp[i])
	}
	fn.MOVD(r.wp, r.wq)

	// The accumulators start from Y's values or from zero.
	zero, start := fn.NewLabel("pzero"), fn.NewLabel("pstart")
	fn.Load("accum", r.tmp)
	fn.CBZ(r.tmp, zero)
	r.rowsIO(mr, func(rem int, p asm.Reg, a0, a1 asm.VReg) { r.loadCols(rem, p, a0, a1) })
	fn.B(start)
	fn.Bind(zero)
	for i := 0; i < mr; i++ {
		fn.Zero(pAcc(i, 0), pAcc(i, 1))
	}
	fn.Bind(start)

	fn.LSR3(2, r.k, r.cnt)
	countDown(fn, "pk4", r.cnt, func() {
		fn.LDURQ(r.wq.Off(0), pW(0, 0))
		fn.LDURQ(r.wq.Off(16), pW(0, 1))
		for i := 0; i < mr; i++ {
			fn.LDURQ(r.xp[i].Off(0), pX(i))
		}
		for s := 1; s < 4; s++ {
			fn.LDURQ(r.wq.Off(32*s), pW(s, 0))
			fn.LDURQ(r.wq.Off(32*s+16), pW(s, 1))
		}
		for i := 0; i < mr; i++ {
			fn.ADD(asm.Imm(16), r.xp[i])
		}
		fn.ADD(asm.Imm(128), r.wq)
		for s := 0; s < 4; s++ {
			for i := 0; i < mr; i++ {
				for h := 0; h < 2; h++ {
					fn.VFMLAElem(pX(i).S(s), pW(s, h).S4(), pAcc(i, h).S4())
				}
			}
		}
	})
	fn.AND3(asm.Imm(3), r.k, r.cnt)
	countDown(fn, "pk1", r.cnt, func() {
		fn.LDURQ(r.wq.Off(0), pW(0, 0))
		fn.LDURQ(r.wq.Off(16), pW(0, 1))
		for i := 0; i < mr; i++ {
			fn.FMOVS(r.xp[i].Post(4), pX(i).F())
		}
		fn.ADD(asm.Imm(32), r.wq)
		for i := 0; i < mr; i++ {
			for h := 0; h < 2; h++ {
				fn.VFMLAElem(pX(i).S(0), pW(0, h).S4(), pAcc(i, h).S4())
			}
		}
	})

	// The bias, when there is one, after the last input.
	noBias := fn.NewLabel("pnobias")
	fn.Load("b.len", r.tmp)
	fn.CBZ(r.tmp, noBias)
	fn.Load("b.base", r.bb)
	r.forNC(func(rem int) {
		r.loadCols(rem, r.bb, pW(0, 0), pW(0, 1))
		for i := 0; i < mr; i++ {
			fn.VFADD(pW(0, 0).S4(), pAcc(i, 0).S4(), pAcc(i, 0).S4())
			fn.VFADD(pW(0, 1).S4(), pAcc(i, 1).S4(), pAcc(i, 1).S4())
		}
	})
	fn.Bind(noBias)
	r.rowsIO(mr, func(rem int, p asm.Reg, a0, a1 asm.VReg) { r.storeCols(rem, a0, a1, p) })
}

// forNC emits body once for each panel width nc = 4 + rem (rem 0…4), run
// for the call's nc.
func (r *mp) forNC(body func(rem int)) {
	fn := r.fn
	done := fn.NewLabel("pnc_done")
	for rem := 4; rem > 0; rem-- {
		next := fn.NewLabel("pnc")
		fn.CMP(asm.Imm(4+rem), r.nc)
		fn.BNE(next)
		body(rem)
		fn.B(done)
		fn.Bind(next)
	}
	body(0)
	fn.Bind(done)
}

// rowsIO emits, for the call's nc, io on each of the mr rows of Y at y
// with the row's two accumulators.
func (r *mp) rowsIO(mr int, io func(rem int, p asm.Reg, a0, a1 asm.VReg)) {
	fn := r.fn
	r.forNC(func(rem int) {
		fn.MOVD(r.y, r.yrow)
		for i := 0; i < mr; i++ {
			io(rem, r.yrow, pAcc(i, 0), pAcc(i, 1))
			if i+1 < mr {
				fn.ADD(r.ldy, r.yrow)
			}
		}
	})
}

// loadCols loads the 4+rem floats at p into a0 and a1, zeros in the lanes
// past them, reading exactly those floats.
func (r *mp) loadCols(rem int, p asm.Reg, a0, a1 asm.VReg) {
	fn := r.fn
	fn.VLD1(p.Mem(), asm.Seq(a0, 1, asm.S4))
	fn.ADD3(asm.Imm(16), p, r.tmp)
	switch rem {
	case 4:
		fn.VLD1(r.tmp.Mem(), asm.Seq(a1, 1, asm.S4))
	case 3:
		fn.FMOVD(r.tmp.Mem(), a1.F())
		fn.ADD(asm.Imm(8), r.tmp)
		fn.VLD1Lane(r.tmp.Mem(), a1.S(2))
	case 2:
		fn.FMOVD(r.tmp.Mem(), a1.F())
	case 1:
		fn.FMOVS(r.tmp.Mem(), a1.F())
	case 0:
		fn.Zero(a1)
	}
}

// storeCols stores the first 4+rem lanes of a0 and a1 to p, writing
// exactly those floats.
func (r *mp) storeCols(rem int, a0, a1 asm.VReg, p asm.Reg) {
	fn := r.fn
	fn.VST1(asm.Seq(a0, 1, asm.S4), p.Mem())
	if rem == 0 {
		return
	}
	fn.ADD3(asm.Imm(16), p, r.tmp)
	switch rem {
	case 4:
		fn.VST1(asm.Seq(a1, 1, asm.S4), r.tmp.Mem())
	case 3:
		fn.FMOVD(a1.F(), r.tmp.Mem())
		fn.ADD(asm.Imm(8), r.tmp)
		fn.VST1Lane(a1.S(2), r.tmp.Mem())
	case 2:
		fn.FMOVD(a1.F(), r.tmp.Mem())
	case 1:
		fn.FMOVS(a1.F(), r.tmp.Mem())
	}
}
