package main

import (
	"fmt"

	. "github.com/edgefit/edgefit/gen/arm/asm"
)

// MatMulBias computes every element of Y as a dot product of a row of X and a
// row of W, both contiguous along k, so no packing is needed: a tile of mr
// rows of X by nr rows of W keeps mr·nr Q accumulators, each summing four
// products per step along k. Per step the tile loads nr vectors of W and mr
// of X for mr·nr multiply-adds; at 4×3 that is 7 loads for 12 vmla, with 12
// accumulators, 3 W registers and one X register: all 16 Q registers. One
// pointer walks each operand's tile: down its rows by the row stride, then
// back up and on by one step along k (a register post-increment of
// 16 − (rows−1)·stride), so the tile needs few of the 12 usable general
// registers. At the end of the tile the halves of each accumulator are added
// and pairwise adds (vpadd) turn each row's nr accumulators into nr dot
// products, the bias is added and the row is stored.
//
// Rows go in passes of 4 while at least 4 remain, then at most one pass each
// of 2 and 1 rows; within a pass, columns go in tiles of 3, then one tile of
// 2 or 1. k goes 4 at a time, then the last 0-3 elements one at a time into
// lane 0 of registers zeroed before, so the same vector multiply-adds apply.
// Tiles of at most four accumulators would be bound by the latency of their
// few multiply-add chains, so they take k eight at a time into two sets of
// accumulators.

// The tile of matMulBiasNEON: matMulBiasTileM rows of X by matMulBiasTileN
// rows of W (columns of Y).
const (
	matMulBiasTileM = 4
	matMulBiasTileN = 3
)

// Local words of matMulBiasNEON's frame.
const (
	localX   = iota // X at the current row pass
	localY          // Y at the current row pass
	localLdy        // Y's row stride in bytes
	nLocals
)

// mm holds MatMulBias's register assignment.
type mm struct {
	fn                     *Func
	xp, wp, cnt, ldx, ldw  Reg // the tile's pointers; strides in bytes
	backX, backW           Reg // the post-increments back to the first row
	yj, wj, cols, bj, rows Reg // Y, W, b at the current column tile
}

func matMulBias(f *File) {
	fn := f.Func("matMulBiasNEON", "func(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int, accum int)", `
matMulBiasNEON computes Y = X·Wᵀ + b: for i < m and j < n,
y[i·ldy+j] = Σₚ x[i·ldx+p]·w[j·ldw+p] + b[j] (p < k), without the b[j]
when len(b) is 0, plus y[i·ldy+j]'s own value when accum is not 0 (a
later block of inputs). m and n must be at least 1, k at least 0, and the
slices must hold the m×k, n×k and m×n matrices with their strides (the
last row may end at its last element) and len(b) ≥ n when it is not 0.
Only the m×n elements of y are read (when accum is not 0) and written.`)
	fn.Frame(nLocals)
	r := &mm{fn: fn,
		xp: R0, wp: R1, cnt: R2, ldx: R3, ldw: R4, backX: R5, backW: R6,
		yj: R7, wj: R8, cols: R9, bj: R12, rows: R14,
	}
	fn.Load("x.base", r.xp)
	fn.SetLocal(r.xp, localX)
	fn.Load("y.base", r.xp)
	fn.SetLocal(r.xp, localY)
	fn.Load("ldy", r.xp)
	fn.MOVW(r.xp.LSL(2), r.xp)
	fn.SetLocal(r.xp, localLdy)
	fn.Load("ldx", r.ldx)
	fn.MOVW(r.ldx.LSL(2), r.ldx)
	fn.Load("ldw", r.ldw)
	fn.MOVW(r.ldw.LSL(2), r.ldw)
	fn.Load("m", r.rows)
	whileAtLeast(fn, "rows4", r.rows, matMulBiasTileM, func() { r.pass(matMulBiasTileM) })
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
	fn.Local(localY, r.yj)
	fn.Load("n", r.cols)
	whileAtLeast(fn, fmt.Sprintf("cols%dx3", mr), r.cols, matMulBiasTileN, func() {
		r.tile(mr, matMulBiasTileN)
		addMul(fn, r.ldw, matMulBiasTileN, r.wj, false)
		fn.ADD(Imm(4*matMulBiasTileN), r.bj)
		fn.ADD(Imm(4*matMulBiasTileN), r.yj)
	})
	done, one := fn.NewLabel(fmt.Sprintf("rows%d_done", mr)), fn.NewLabel(fmt.Sprintf("cols%dx1", mr))
	fn.CMP(Imm(0), r.cols)
	fn.BEQ(done)
	fn.CMP(Imm(2), r.cols)
	fn.BLT(one)
	r.tile(mr, 2)
	fn.B(done)
	fn.Bind(one)
	r.tile(mr, 1)
	fn.Bind(done)
	fn.Local(localX, r.xp)
	addMul(fn, r.ldx, mr, r.xp, false)
	fn.SetLocal(r.xp, localX)
	fn.Local(localY, r.xp)
	fn.Local(localLdy, r.cnt)
	addMul(fn, r.cnt, mr, r.xp, false)
	fn.SetLocal(r.xp, localY)
}

// tileRegs is the Q register assignment of one mr×nr tile with sets
// accumulator sets: the accumulators first, then W, then one or two X.
type tileRegs struct{ mr, nr, sets, xbase, nx int }

func newTileRegs(mr, nr int) tileRegs {
	t := tileRegs{mr: mr, nr: nr, sets: 1}
	if mr*nr <= 4 {
		t.sets = 2
	}
	t.xbase = t.sets * (mr*nr + nr)
	t.nx = min(2, 16-t.xbase)
	return t
}

func (t tileRegs) acc(s, i, j int) QReg { return Q(s*t.mr*t.nr + i*t.nr + j) }
func (t tileRegs) w(s, j int) QReg      { return Q(t.sets*t.mr*t.nr + s*t.nr + j) }
func (t tileRegs) x(i int) QReg         { return Q(t.xbase + i%t.nx) }

// tile emits one mr×nr tile: Y rows at yj, W rows from wj, bias at bj.
func (r *mm) tile(mr, nr int) {
	fn := r.fn
	t := newTileRegs(mr, nr)
	fn.Comment("tile of %d×%d outputs", mr, nr)
	fn.Local(localX, r.xp)
	fn.MOVW(r.wj, r.wp)
	if mr > 1 {
		fn.MOVW(Imm(16), r.backX)
		addMul(fn, r.ldx, mr-1, r.backX, true)
	}
	if nr > 1 {
		fn.MOVW(Imm(16), r.backW)
		addMul(fn, r.ldw, nr-1, r.backW, true)
	}
	for s := 0; s < t.sets; s++ {
		for i := 0; i < mr; i++ {
			for j := 0; j < nr; j++ {
				fn.Zero(t.acc(s, i, j).V())
			}
		}
	}
	walk := func(p Reg, i, n int, stride, back Reg) Mem {
		switch {
		case n == 1:
			return p.Post()
		case i < n-1:
			return p.PostBy(stride)
		}
		return p.PostBy(back)
	}
	// step emits one step along k into accumulator set s: width 4 with Q
	// loads, or 1 with lane loads into registers whose other lanes are 0.
	step := func(s, width int) {
		load := func(q QReg, m Mem) {
			if width == 4 {
				fn.VLD1(QList(q, 1), m)
			} else {
				fn.VLD1Lane(q.Lo().L(0), m)
			}
		}
		for j := 0; j < nr; j++ {
			load(t.w(s, j), walk(r.wp, j, nr, r.ldw, r.backW))
		}
		load(t.x(0), walk(r.xp, 0, mr, r.ldx, r.backX))
		for i := 0; i < mr; i++ {
			if i+1 < mr && t.nx == 2 {
				load(t.x(i+1), walk(r.xp, i+1, mr, r.ldx, r.backX))
			}
			for j := 0; j < nr; j++ {
				fn.VMLA(t.acc(s, i, j).V(), t.x(i).V(), t.w(s, j).V())
			}
			if i+1 < mr && t.nx == 1 {
				load(t.x(i+1), walk(r.xp, i+1, mr, r.ldx, r.backX))
			}
		}
	}
	fn.Load("k", r.cnt)
	if t.sets == 1 {
		fn.MOVW(r.cnt.LSR(2), r.cnt)
		countDown(fn, "k4", r.cnt, func() { step(0, 4) })
	} else {
		fn.MOVW(r.cnt.LSR(3), r.cnt)
		countDown(fn, "k8", r.cnt, func() { step(0, 4); step(1, 4) })
		no4 := fn.NewLabel("k4_none")
		fn.Load("k", r.cnt)
		fn.AND3(Imm(4), r.cnt, r.cnt)
		fn.CMP(Imm(0), r.cnt)
		fn.BEQ(no4)
		step(0, 4)
		fn.Bind(no4)
	}
	for j := 0; j < nr; j++ {
		fn.Zero(t.w(0, j).V())
	}
	for i := 0; i < t.nx; i++ {
		fn.Zero(t.x(i).V())
	}
	if mr > 1 {
		fn.SUB(Imm(12), r.backX)
	}
	if nr > 1 {
		fn.SUB(Imm(12), r.backW)
	}
	fn.Load("k", r.cnt)
	fn.AND3(Imm(3), r.cnt, r.cnt)
	countDown(fn, "k1", r.cnt, func() { step(0, 1) })
	if t.sets == 2 {
		for i := 0; i < mr; i++ {
			for j := 0; j < nr; j++ {
				fn.VADD(t.acc(0, i, j).V(), t.acc(0, i, j).V(), t.acc(1, i, j).V())
			}
		}
	}
	r.finish(t)
}

// finish emits the end of a tile: each row's dot products into lanes of
// D registers, the bias and Y's own values added when there are, and the
// stores of exactly nr elements of each of the mr rows.
func (r *mm) finish(t tileRegs) {
	fn, mr, nr := r.fn, t.mr, t.nr
	// Row i's sums: lanes 0 and 1 of acc(0, i, 0).Lo(), and for nr = 3
	// lane 0 of acc(0, i, 2).Lo().
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			a := t.acc(0, i, j)
			fn.VADD(a.Lo().V(), a.Lo().V(), a.Hi().V())
		}
		a0, a1, a2 := t.acc(0, i, 0).Lo(), t.acc(0, i, min(1, nr-1)).Lo(), t.acc(0, i, nr-1).Lo()
		fn.VPADD(a0, a0, a1)
		if nr == 3 {
			fn.VPADD(a2, a2, a2)
		}
	}
	b0, b1 := t.w(0, 0).Lo(), t.w(0, 0).Hi()
	add := func(i int) {
		fn.VADD(t.acc(0, i, 0).Lo().V(), t.acc(0, i, 0).Lo().V(), b0.V())
		if nr == 3 {
			fn.VADD(t.acc(0, i, 2).Lo().V(), t.acc(0, i, 2).Lo().V(), b1.V())
		}
	}
	// loadRow loads the nr floats at p, exactly those, into b0 and b1.
	loadRow := func(p Reg) {
		switch nr {
		case 3:
			fn.VLD1(Regs(b0, 1), p.Mem())
			fn.ADD3(Imm(8), p, r.cnt)
			fn.VLD1Lane(b1.L(0), r.cnt.Mem())
		case 2:
			fn.VLD1(Regs(b0, 1), p.Mem())
		case 1:
			fn.VLD1Lane(b0.L(0), p.Mem())
		}
	}
	noBias := fn.NewLabel("nobias")
	fn.Load("b.len", r.backX)
	fn.CMP(Imm(0), r.backX)
	fn.BEQ(noBias)
	loadRow(r.bj)
	for i := 0; i < mr; i++ {
		add(i)
	}
	fn.Bind(noBias)

	yrow, ldy := r.xp, r.wp
	fn.Local(localLdy, ldy)
	noAccum := fn.NewLabel("noaccum")
	fn.Load("accum", r.backX)
	fn.CMP(Imm(0), r.backX)
	fn.BEQ(noAccum)
	fn.MOVW(r.yj, yrow)
	for i := 0; i < mr; i++ {
		loadRow(yrow)
		add(i)
		if i+1 < mr {
			fn.ADD(ldy, yrow)
		}
	}
	fn.Bind(noAccum)

	fn.MOVW(r.yj, yrow)
	for i := 0; i < mr; i++ {
		a0, a2 := t.acc(0, i, 0).Lo(), t.acc(0, i, nr-1).Lo()
		switch nr {
		case 3:
			fn.VST1(Regs(a0, 1), yrow.Mem())
			fn.ADD3(Imm(8), yrow, r.cnt)
			fn.VST1Lane(a2.L(0), r.cnt.Mem())
		case 2:
			fn.VST1(Regs(a0, 1), yrow.Mem())
		case 1:
			fn.VST1Lane(a0.L(0), yrow.Mem())
		}
		if i+1 < mr {
			fn.ADD(ldy, yrow)
		}
	}
}
