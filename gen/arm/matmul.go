package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/arm/asm"
)

// MatMulBias computes every element of Y as a dot product of a row of X and a
// row of W, both contiguous along k, so no packing is needed: a tile of mr
// rows of X by nr rows of W keeps mr·nr Q accumulators, each summing four
// products per lane. k goes in chunks of 8: each row of W gives one
// two-register load (vld1 of four D registers), kept for the chunk, and
// each row of X two one-register loads, its first and its second four
// elements, into one register in turn. At 3×3 that is 9 loads for 18 vmla,
// with 9 accumulators, 6 W registers and one X register: all 16 Q
// registers. The multiply-adds go through the accumulators in turn, every
// one of the 9 taking its second product of a chunk 9 vmla after its first,
// longer than an in-order core's vmla latency, so that its chain does not
// hold the issue up. Each row has a pointer of its own, loaded from without
// writeback and stepped by an add: single-micro-op instructions, which an
// out-of-order core's dispatch groups take in any order (a post-indexed
// load is two, which a group cannot split), and which the emitter places
// one after each vmla for dual-issuing in-order cores. Each load waits for
// the last vmla reading its register, and the next chunk's W and first X
// loads go among the current chunk's last multiply-adds. The loop takes two
// chunks (16 elements of k) per iteration; lanes keep the order of the
// products of the earlier kernel: lane l sums products l, l+4, l+8, … in turn.
// At the end of the tile the halves of each accumulator are added and
// pairwise adds (vpadd) turn each row's nr accumulators into nr dot
// products, the bias is added and the row is stored.
//
// Rows go in passes of 3 while at least 3 remain, then one pass of 2 or 1
// rows; within a pass, columns go in tiles of 3, then one tile of 2 or 1. k
// goes 16 at a time, then one chunk of 8, one step of 4 (one-register loads
// of both) and the last 0-3 elements one at a time into lane 0 of registers
// zeroed before, so the same vector multiply-adds apply. Tiles of at most
// four accumulators keep a second set for the second half of each chunk,
// so that they too have several independent chains.

// The tile of matMulBiasNEON: matMulBiasTileM rows of X by matMulBiasTileN
// rows of W (columns of Y).
const (
	matMulBiasTileM = 3
	matMulBiasTileN = 3
)

// mmChunks is the chunks of 8 elements of k one iteration of the main loop
// takes.
const mmChunks = 2

// Local words of matMulBiasNEON's frame.
const (
	localX   = iota // X at the current row pass
	localY          // Y at the current row pass
	localLdy        // Y's row stride in bytes
	localLdx        // X's row stride in bytes
	localLdw        // W's row stride in bytes
	nLocals
)

// mm holds MatMulBias's register assignment.
type mm struct {
	fn                     *asm.Func
	x, w                   [matMulBiasTileN]asm.Reg // the tile's row pointers
	cnt                    asm.Reg
	yj, wj, cols, bj, rows asm.Reg // Y, W, b at the current column tile
}

func matMulBias(f *asm.File) {
	fn := f.Func("matMulBiasNEON", "func(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int, accum int)", `
matMulBiasNEON computes Y = X·Wᵀ + b: for i < m and j < n,
y[i·ldy+j] = Σₚ x[i·ldx+p]·w[j·ldw+p] + b[j] (p < k), without the b[j]
when len(b) is 0, plus y[i·ldy+j]'s own value when accum is not 0 (a
later block of inputs). m and n must be at least 1, k at least 0, and the
slices must hold the m×k, n×k and m×n matrices with their strides (the
last row may end at its last element) and len(b) ≥ n when it is not 0.
Only the m×n elements of y are read (when accum is not 0) and written.`)
	fn.Frame(nLocals)
	r := &mm{fn: fn, x: [3]asm.Reg{asm.R0, asm.R1, asm.R2}, w: [3]asm.Reg{asm.R3, asm.R4, asm.R5}, cnt: asm.R6,
		yj: asm.R7, wj: asm.R8, cols: asm.R9, bj: asm.R12, rows: asm.R14,
	}
	t := r.x[0]
	fn.Load("x.base", t)
	fn.SetLocal(t, localX)
	fn.Load("y.base", t)
	fn.SetLocal(t, localY)
	for _, s := range []struct {
		arg   string
		local int
	}{{"ldy", localLdy}, {"ldx", localLdx}, {"ldw", localLdw}} {
		fn.Load(s.arg, t)
		fn.MOVW(t.LSL(2), t)
		fn.SetLocal(t, s.local)
	}
	fn.Load("m", r.rows)
	whileAtLeast(fn, "rows3", r.rows, matMulBiasTileM, func() { r.pass(matMulBiasTileM) })
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
		fn.Local(localLdw, r.cnt)
		addMul(fn, r.cnt, matMulBiasTileN, r.wj, false)
		fn.ADD(asm.Imm(4*matMulBiasTileN), r.bj)
		fn.ADD(asm.Imm(4*matMulBiasTileN), r.yj)
	})
	done, one := fn.NewLabel(fmt.Sprintf("rows%d_done", mr)), fn.NewLabel(fmt.Sprintf("cols%dx1", mr))
	fn.CMP(asm.Imm(0), r.cols)
	fn.BEQ(done)
	fn.CMP(asm.Imm(2), r.cols)
	fn.BLT(one)
	r.tile(mr, 2)
	fn.B(done)
	fn.Bind(one)
	r.tile(mr, 1)
	fn.Bind(done)
	p, ld := r.x[0], r.x[1]
	for _, l := range [][2]int{{localX, localLdx}, {localY, localLdy}} {
		fn.Local(l[0], p)
		fn.Local(l[1], ld)
		addMul(fn, ld, mr, p, false)
		fn.SetLocal(p, l[0])
	}
}

// tileRegs is the Q register assignment of one mr×nr tile with sets
// accumulator sets: the accumulators first, then W's pairs, then X in Q15.
type tileRegs struct{ mr, nr, sets int }

func newTileRegs(mr, nr int) tileRegs {
	t := tileRegs{mr: mr, nr: nr, sets: 1}
	if mr*nr <= 4 {
		t.sets = 2
	}
	return t
}

// acc is the accumulator of row i, column j for the half h of a chunk.
func (t tileRegs) acc(h, i, j int) asm.QReg { return asm.Q(h%t.sets*t.mr*t.nr + i*t.nr + j) }

// w is the register of half h of W's row j in a chunk.
func (t tileRegs) w(j, h int) asm.QReg { return asm.Q(t.sets*t.mr*t.nr + 2*j + h) }

// x is the register every X load goes to.
func (t tileRegs) x() asm.QReg { return asm.Q(15) }

// tile emits one mr×nr tile: Y rows at yj, W rows from wj, bias at bj.
func (r *mm) tile(mr, nr int) {
	fn := r.fn
	t := newTileRegs(mr, nr)
	fn.Comment("tile of %d×%d outputs", mr, nr)
	fn.Local(localX, r.x[0])
	if mr > 1 {
		fn.Local(localLdx, r.cnt)
	}
	for i := 1; i < mr; i++ {
		fn.ADD3(r.cnt, r.x[i-1], r.x[i])
	}
	fn.MOVW(r.wj, r.w[0])
	if nr > 1 {
		fn.Local(localLdw, r.cnt)
	}
	for j := 1; j < nr; j++ {
		fn.ADD3(r.cnt, r.w[j-1], r.w[j])
	}
	for h := 0; h < t.sets; h++ {
		for i := 0; i < mr; i++ {
			for j := 0; j < nr; j++ {
				fn.Zero(t.acc(h, i, j).V())
			}
		}
	}
	fn.Load("k", r.cnt)
	fn.MOVW(r.cnt.LSR(4), r.cnt)
	loop, done := fn.NewLabel("k16"), fn.NewLabel("k16_end")
	fn.CMP(asm.Imm(0), r.cnt)
	fn.BEQ(done)
	fn.Bind(loop)
	r.chunks(t, mmChunks, true) // decrements the counter, flags for BNE
	fn.BNE(loop)
	fn.Bind(done)
	for _, c := range []struct {
		bit  int
		body func()
	}{{8, func() { r.chunks(t, 1, false) }}, {4, func() { r.step4(t) }}} {
		skip := fn.NewLabel(fmt.Sprintf("k%d_none", c.bit))
		fn.Load("k", r.cnt)
		fn.AND3(asm.Imm(c.bit), r.cnt, r.cnt)
		fn.CMP(asm.Imm(0), r.cnt)
		fn.BEQ(skip)
		c.body()
		fn.Bind(skip)
	}
	for j := 0; j < nr; j++ {
		fn.Zero(t.w(j, 0).V())
	}
	fn.Zero(t.x().V())
	fn.Load("k", r.cnt)
	fn.AND3(asm.Imm(3), r.cnt, r.cnt)
	countDown(fn, "k1", r.cnt, func() {
		for j := 0; j < nr; j++ {
			fn.VLD1Lane(t.w(j, 0).Lo().L(0), r.w[j].Post())
		}
		for i := 0; i < mr; i++ {
			fn.VLD1Lane(t.x().Lo().L(0), r.x[i].Post())
			for j := 0; j < nr; j++ {
				fn.VMLA(t.acc(0, i, j).V(), t.x().V(), t.w(j, 0).V())
			}
		}
	})
	if t.sets == 2 {
		for i := 0; i < mr; i++ {
			for j := 0; j < nr; j++ {
				fn.VADD(t.acc(0, i, j).V(), t.acc(0, i, j).V(), t.acc(1, i, j).V())
			}
		}
	}
	r.finish(t)
}

// chunks emits n chunks of 8 elements of k, the pointers stepped past them.
// In a loop (looped) the counter's SUBS goes among the last chunk's
// instructions, for the caller's BNE (nothing after it sets the flags).
//
// The multiply-adds go half by half (the first four elements of the chunk,
// then the last four), row by row, column by column. After each one comes
// at most one other instruction: the load of the next row of X after the
// last multiply-add reading X, the loads of the next chunk's W after the
// last reading each pair, or else the oldest pending pointer add. A load
// through a pointer first emits that pointer's pending add.
func (r *mm) chunks(t tileRegs, n int, looped bool) {
	fn := r.fn
	type item struct {
		p    asm.Reg
		by   int
		subs bool
	}
	var pending []item
	emit := func(it item) {
		if it.subs {
			fn.SUBS(asm.Imm(1), r.cnt)
		} else {
			fn.ADD(asm.Imm(it.by), it.p)
		}
	}
	flush := func(p asm.Reg) {
		for k, it := range pending {
			if !it.subs && it.p == p {
				emit(it)
				pending = append(pending[:k], pending[k+1:]...)
				return
			}
		}
	}
	fill := func() {
		if len(pending) > 0 {
			emit(pending[0])
			pending = pending[1:]
		}
	}
	loadW := func(j int) {
		flush(r.w[j])
		fn.VLD1(asm.QList(t.w(j, 0), 2), r.w[j].Mem())
		pending = append(pending, item{p: r.w[j], by: 32})
	}
	loadX := func(i int) {
		flush(r.x[i])
		fn.VLD1(asm.QList(t.x(), 1), r.x[i].Mem())
		pending = append(pending, item{p: r.x[i], by: 16})
	}
	for j := 0; j < t.nr; j++ {
		loadW(j)
	}
	loadX(0)
	for c := 0; c < n; c++ {
		next := c < n-1
		if looped && c == n-1 {
			pending = append(pending, item{subs: true})
		}
		for h := 0; h < 2; h++ {
			for i := 0; i < t.mr; i++ {
				for j := 0; j < t.nr; j++ {
					fn.VMLA(t.acc(h, i, j).V(), t.x().V(), t.w(j, h).V())
					switch lastRow := h == 1 && i == t.mr-1; {
					case !lastRow && j == t.nr-1:
						loadX((i + 1) % t.mr)
					case lastRow && next && j < t.nr-1:
						loadW(j)
					case lastRow && next:
						loadX(0)
						loadW(j)
					default:
						fill()
					}
				}
			}
		}
	}
	for len(pending) > 0 {
		fill()
	}
}

// step4 emits one step of 4 elements of k: one-register loads of W and X
// into the first-half registers.
func (r *mm) step4(t tileRegs) {
	fn := r.fn
	for j := 0; j < t.nr; j++ {
		fn.VLD1(asm.QList(t.w(j, 0), 1), r.w[j].Post())
	}
	for i := 0; i < t.mr; i++ {
		fn.VLD1(asm.QList(t.x(), 1), r.x[i].Post())
		for j := 0; j < t.nr; j++ {
			fn.VMLA(t.acc(0, i, j).V(), t.x().V(), t.w(j, 0).V())
		}
	}
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
	loadRow := func(p asm.Reg) {
		switch nr {
		case 3:
			fn.VLD1(asm.Regs(b0, 1), p.Mem())
			fn.ADD3(asm.Imm(8), p, r.cnt)
			fn.VLD1Lane(b1.L(0), r.cnt.Mem())
		case 2:
			fn.VLD1(asm.Regs(b0, 1), p.Mem())
		case 1:
			fn.VLD1Lane(b0.L(0), p.Mem())
		}
	}
	noBias := fn.NewLabel("nobias")
	fn.Load("b.len", r.x[2])
	fn.CMP(asm.Imm(0), r.x[2])
	fn.BEQ(noBias)
	loadRow(r.bj)
	for i := 0; i < mr; i++ {
		add(i)
	}
	fn.Bind(noBias)

	yrow, ldy := r.x[0], r.x[1]
	fn.Local(localLdy, ldy)
	noAccum := fn.NewLabel("noaccum")
	fn.Load("accum", r.x[2])
	fn.CMP(asm.Imm(0), r.x[2])
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
			fn.VST1(asm.Regs(a0, 1), yrow.Mem())
			fn.ADD3(asm.Imm(8), yrow, r.cnt)
			fn.VST1Lane(a2.L(0), r.cnt.Mem())
		case 2:
			fn.VST1(asm.Regs(a0, 1), yrow.Mem())
		case 1:
			fn.VST1Lane(a0.L(0), yrow.Mem())
		}
		if i+1 < mr {
			fn.ADD(ldy, yrow)
		}
	}
}
