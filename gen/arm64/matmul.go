package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/arm64/asm"
)

// The dot-product kernel, matMulBiasDotNEON, takes the columns of Y left
// after the panels (matmulpack.go) when they are fewer than
// matMulBiasPanelMin, where a panel's lanes would mostly multiply zeros.
// It computes every element of Y as a dot product of a row of X and a
// row of W, both contiguous along k, so no packing is needed: a tile of
// mr rows of X by nr rows of W keeps mr·nr vector accumulators, each summing
// four products per step along k. Per step the tile loads nr vectors of W and
// mr of X for mr·nr multiply-adds, all loads first; at 6×3 that is 9 loads
// for 18 FMLA, with 18 accumulators: 27 of the 32 vector registers. At the
// end of the tile, pairwise adds (faddp) turn each row's nr accumulators into
// nr dot products in one vector, the bias is added and the row is stored.
//
// Rows go in passes of 6 while at least 6 remain, then at most one pass each
// of 4, 2 and 1 rows; within a pass, columns go in tiles of 3, then one tile
// of 2 or 1. k goes 4 at a time, then the last 0-3 elements one at a time
// with scalar loads, which zero the upper lanes so the same vector
// multiply-adds apply.
// Tiles of at most four accumulators (a single output, or the last rows and
// columns) would be bound by the latency of their few multiply-add chains, so
// they take k eight at a time into two sets of accumulators.

// The tile of matMulBiasDotNEON: matMulBiasDotTileM rows of X by
// matMulBiasDotTileN rows of W (columns of Y).
const (
	matMulBiasDotTileM = 6
	matMulBiasDotTileN = 3
)

// mm holds MatMulBias's register assignment.
type mm struct {
	fn                  *asm.Func
	x, ldx, ldw, y, ldy asm.Reg // X and Y at the current row pass; strides in bytes
	k, rows, cols       asm.Reg
	wj, bj, yj          asm.Reg // W, b and Y at the current column tile
	cnt, tmp, yrow      asm.Reg
	xp                  [6]asm.Reg // X rows of the tile
	wp                  [4]asm.Reg // W rows of the tile
	wv                  [4]asm.VReg
	wv2                 [4]asm.VReg // W for the second accumulator set of small tiles
	xv                  [6]asm.VReg // the tile's rows of X
	bias                asm.VReg
}

func matMulBias(f *asm.File) {
	fn := f.Func("matMulBiasDotNEON", "func(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int, accum int)", `
matMulBiasDotNEON computes Y = X·Wᵀ + b: for i < m and j < n,
y[i·ldy+j] = Σₚ x[i·ldx+p]·w[j·ldw+p] + b[j] (p < k), without the b[j]
when len(b) is 0, plus y[i·ldy+j]'s own value when accum is not 0 (a
later block of inputs). m and n must be at least 1, k at least 0, and the
slices must hold the m×k, n×k and m×n matrices with their strides (the
last row may end at its last element) and len(b) ≥ n when it is not 0.
Only the m×n elements of y are read (when accum is not 0) and written.`)
	r := &mm{fn: fn,
		x: asm.R0, ldx: asm.R1, ldw: asm.R3, y: asm.R4, ldy: asm.R5, k: asm.R6, rows: asm.R7, cols: asm.R8,
		wj: asm.R9, bj: asm.R10, yj: asm.R11, cnt: asm.R12, tmp: asm.R13, yrow: asm.R25,
		xp:   [6]asm.Reg{asm.R14, asm.R15, asm.R16, asm.R17, asm.R19, asm.R20},
		wp:   [4]asm.Reg{asm.R21, asm.R22, asm.R23, asm.R24},
		wv:   [4]asm.VReg{asm.V(26), asm.V(27), asm.V(28), asm.V(29)},
		wv2:  [4]asm.VReg{asm.V(16), asm.V(17), asm.V(18), asm.V(19)},
		xv:   [6]asm.VReg{asm.V(20), asm.V(21), asm.V(22), asm.V(23), asm.V(24), asm.V(25)},
		bias: asm.V(24),
	}
	fn.Load("x.base", r.x)
	fn.Load("ldx", r.ldx)
	fn.LSL3(2, r.ldx, r.ldx)
	fn.Load("ldw", r.ldw)
	fn.LSL3(2, r.ldw, r.ldw)
	fn.Load("y.base", r.y)
	fn.Load("ldy", r.ldy)
	fn.LSL3(2, r.ldy, r.ldy)
	fn.Load("k", r.k)
	fn.Load("m", r.rows)
	whileAtLeast(fn, "rows6", r.rows, matMulBiasDotTileM, func() { r.pass(matMulBiasDotTileM) })
	ifAtLeast(fn, "rows4", r.rows, 4, func() { r.pass(4) })
	ifAtLeast(fn, "rows2", r.rows, 2, func() { r.pass(2) })
	ifAtLeast(fn, "rows1", r.rows, 1, func() { r.pass(1) })
	fn.RET()
}

// pass emits the tiles of mr rows across all n columns, then steps X and Y
// down mr rows.
func (r *mm) pass(mr int) {
	fn := r.fn
	fn.Comment("%d rows of X against every row of W", mr)
	fn.Load("w.base", r.wj)
	fn.Load("b.base", r.bj)
	fn.MOVD(r.y, r.yj)
	fn.Load("n", r.cols)
	whileAtLeast(fn, fmt.Sprintf("cols%dx3", mr), r.cols, matMulBiasDotTileN, func() {
		r.tile(mr, matMulBiasDotTileN)
		addMul(fn, r.ldw, matMulBiasDotTileN, r.wj)
		fn.ADD(asm.Imm(4*matMulBiasDotTileN), r.bj)
		fn.ADD(asm.Imm(4*matMulBiasDotTileN), r.yj)
	})
	done := fn.NewLabel(fmt.Sprintf("rows%d_done", mr))
	one := fn.NewLabel(fmt.Sprintf("cols%dx1", mr))
	fn.CBZ(r.cols, done)
	fn.CMP(asm.Imm(1), r.cols)
	fn.BEQ(one)
	r.tile(mr, 2)
	fn.B(done)
	fn.Bind(one)
	r.tile(mr, 1)
	fn.Bind(done)
	addMul(fn, r.ldx, mr, r.x)
	addMul(fn, r.ldy, mr, r.y)
}

// acc is the accumulator of row i, column j of an mr×nr tile.
func acc(nr, i, j int) asm.VReg { return asm.V(i*nr + j) }

// tile emits one mr×nr tile: Y rows at yj, W rows from wj, bias at bj.
func (r *mm) tile(mr, nr int) {
	fn := r.fn
	fn.Comment("tile of %d×%d outputs", mr, nr)
	fn.MOVD(r.x, r.xp[0])
	for i := 1; i < mr; i++ {
		fn.ADD3(r.ldx, r.xp[i-1], r.xp[i])
	}
	fn.MOVD(r.wj, r.wp[0])
	for j := 1; j < nr; j++ {
		fn.ADD3(r.ldw, r.wp[j-1], r.wp[j])
	}
	// Small tiles (at most 4 accumulators) take k 8 at a time into two sets
	// of accumulators, so that they still have several independent
	// multiply-add chains; the second set is added into the first after.
	sets := 1
	if mr*nr <= 4 {
		sets = 2
	}
	set := func(s, i, j int) asm.VReg { return acc(nr, i, j) + asm.VReg(s*mr*nr) }
	for s := 0; s < sets; s++ {
		for i := 0; i < mr; i++ {
			for j := 0; j < nr; j++ {
				fn.Zero(set(s, i, j))
			}
		}
	}
	// A step along k into accumulator set s is width 4 with 128-bit loads
	// (LDUR at an offset, the pointers advanced once per iteration), or 1
	// with post-indexed scalar loads that zero lanes 1-3 so the products
	// there are 0·0. All of an iteration's loads come before its
	// multiply-adds, so that an in-order core does not stall on a load
	// issued behind a multiply-add. Set 1 (tiles of at most 4
	// accumulators, so at most 4 rows) keeps its rows of X in V8-V11.
	wvs := func(s int) [4]asm.VReg {
		if s == 1 {
			return r.wv2
		}
		return r.wv
	}
	xvs := func(s int) []asm.VReg {
		if s == 1 {
			return regs(8, mr)
		}
		return r.xv[:mr]
	}
	loads := func(s, width int) {
		load := func(p asm.Reg, v asm.VReg) {
			if width == 4 {
				fn.LDURQ(p.Off(16*s), v)
			} else {
				fn.FMOVS(p.Post(4), v.F())
			}
		}
		for j := 0; j < nr; j++ {
			load(r.wp[j], wvs(s)[j])
		}
		for i, v := range xvs(s) {
			load(r.xp[i], v)
		}
	}
	advance := func(bytes int) {
		for j := 0; j < nr; j++ {
			fn.ADD(asm.Imm(bytes), r.wp[j])
		}
		for i := 0; i < mr; i++ {
			fn.ADD(asm.Imm(bytes), r.xp[i])
		}
	}
	fmas := func(s int) {
		for i, x := range xvs(s) {
			for j := 0; j < nr; j++ {
				fn.VFMLA(wvs(s)[j].S4(), x.S4(), set(s, i, j).S4())
			}
		}
	}
	if sets == 1 {
		fn.LSR3(2, r.k, r.cnt)
		countDown(fn, "k4", r.cnt, func() { loads(0, 4); advance(16); fmas(0) })
	} else {
		fn.LSR3(3, r.k, r.cnt)
		countDown(fn, "k8", r.cnt, func() { loads(0, 4); loads(1, 4); advance(32); fmas(0); fmas(1) })
		no4 := fn.NewLabel("k4_none")
		fn.AND3(asm.Imm(4), r.k, r.cnt)
		fn.CBZ(r.cnt, no4)
		loads(0, 4)
		advance(16)
		fmas(0)
		fn.Bind(no4)
	}
	fn.AND3(asm.Imm(3), r.k, r.cnt)
	countDown(fn, "k1", r.cnt, func() { loads(0, 1); fmas(0) })
	if sets == 2 {
		for i := 0; i < mr; i++ {
			for j := 0; j < nr; j++ {
				fn.VFADD(set(1, i, j).S4(), set(0, i, j).S4(), set(0, i, j).S4())
			}
		}
	}

	// Row i's nr dot products into the first lanes of acc(nr, i, 0).
	for i := 0; i < mr; i++ {
		a := func(j int) asm.Vec { return acc(nr, i, j).S4() }
		switch nr {
		case 4:
			fn.VFADDP(a(1), a(0), a(0))
			fn.VFADDP(a(3), a(2), a(2))
			fn.VFADDP(a(2), a(0), a(0))
		case 3:
			fn.VFADDP(a(1), a(0), a(0))
			fn.VFADDP(a(2), a(2), a(2))
			fn.VFADDP(a(2), a(0), a(0))
		case 2:
			fn.VFADDP(a(1), a(0), a(0))
			fn.VFADDP(a(0), a(0), a(0))
		case 1:
			fn.VFADDP(a(0), a(0), a(0))
			fn.FADDPS(acc(nr, i, 0).S2(), acc(nr, i, 0).F())
		}
	}

	// The bias, when there is one: exactly nr elements are read.
	noBias := fn.NewLabel("nobias")
	fn.Load("b.len", r.tmp)
	fn.CBZ(r.tmp, noBias)
	r.loadRow(nr, r.bj)
	for i := 0; i < mr; i++ {
		if nr == 1 {
			fn.FADDS(r.bias.F(), acc(nr, i, 0).F(), acc(nr, i, 0).F())
		} else {
			fn.VFADD(r.bias.S4(), acc(nr, i, 0).S4(), acc(nr, i, 0).S4())
		}
	}
	fn.Bind(noBias)

	// Y's own values, when accumulating: exactly nr elements of each row.
	noAccum := fn.NewLabel("noaccum")
	fn.Load("accum", r.tmp)
	fn.CBZ(r.tmp, noAccum)
	fn.MOVD(r.yj, r.yrow)
	for i := 0; i < mr; i++ {
		r.loadRow(nr, r.yrow)
		if nr == 1 {
			fn.FADDS(r.bias.F(), acc(nr, i, 0).F(), acc(nr, i, 0).F())
		} else {
			fn.VFADD(r.bias.S4(), acc(nr, i, 0).S4(), acc(nr, i, 0).S4())
		}
		if i+1 < mr {
			fn.ADD(r.ldy, r.yrow)
		}
	}
	fn.Bind(noAccum)

	// The stores: exactly nr elements of each of the mr rows.
	fn.MOVD(r.yj, r.yrow)
	for i := 0; i < mr; i++ {
		a := acc(nr, i, 0)
		switch nr {
		case 4:
			fn.VST1(asm.Seq(a, 1, asm.S4), r.yrow.Mem())
		case 3:
			fn.FMOVD(a.F(), r.yrow.Mem())
			fn.ADD3(asm.Imm(8), r.yrow, r.tmp)
			fn.VST1Lane(a.S(2), r.tmp.Mem())
		case 2:
			fn.FMOVD(a.F(), r.yrow.Mem())
		case 1:
			fn.FMOVS(a.F(), r.yrow.Mem())
		}
		if i+1 < mr {
			fn.ADD(r.ldy, r.yrow)
		}
	}
}

// loadRow loads the nr floats at p into r.bias, reading exactly those.
func (r *mm) loadRow(nr int, p asm.Reg) {
	fn := r.fn
	switch nr {
	case 4:
		fn.VLD1(p.Mem(), asm.Seq(r.bias, 1, asm.S4))
	case 3:
		fn.FMOVD(p.Mem(), r.bias.F())
		fn.ADD3(asm.Imm(8), p, r.tmp)
		fn.VLD1Lane(r.tmp.Mem(), r.bias.S(2))
	case 2:
		fn.FMOVD(p.Mem(), r.bias.F())
	case 1:
		fn.FMOVS(p.Mem(), r.bias.F())
	}
}
