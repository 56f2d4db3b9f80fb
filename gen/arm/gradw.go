package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/arm/asm"
)

// GradW sums over the m rows of R and X: G[j, p] = α·Σᵢ R[i,j]·X[i,p] + β·G[j,p].
// For a fixed i, R[i, j..j+3] is one vector load and X[i, p..p+11] three, and
// the 12 accumulators of a 4×12 tile of G each take one multiply-add by a
// lane of the R vector (vmla by scalar, whose scalar must be in D0-D15: R
// goes to Q0). Both pointers walk down the rows with register post-increments
// of the row strides. Q0 for R, Q1-Q3 for X and Q4-Q15 for the accumulators
// fill the 16 Q registers.
//
// Rows of G (j) go in passes of 4 while at least 4 remain, then at most one
// pass of 2 and one of 1, reading R[i, j..] with a 4-, 2- or 1-lane load.
// Within a pass, columns (p) go in tiles of 12, then of 4, then one at a
// time; a one-column tile keeps its jr sums in the lanes of one accumulator.
// Tiles of at most four accumulators take the rows two at a time into two
// sets of accumulators, so that they too have several independent chains.
// The epilogue scales by α and, only when β is not 0 (its bits, sign
// aside), loads G and adds β·G, so that G is not read when β = 0.

// The widest tiles of gradWNEON (gradWTileN rows of G by gradWTileK
// columns) and of colSumsNEON (colSumsTileN columns).
const (
	gradWTileN   = 4
	gradWTileK   = 12
	colSumsTileN = 16
)

// localG is gradWNEON's local word: G at the current pass.
const localG = 0

// gw holds GradW's register assignment.
type gw struct {
	fn                    *asm.Func
	rb, ldr, ldx, ldxm    asm.Reg // R at the pass; strides in bytes; ldx − 32
	xc, gc, ldg           asm.Reg // X and G at the column tile
	cols, rows, rp, xp, c asm.Reg
}

func gradW(f *asm.File) {
	fn := f.Func("gradWNEON", "func(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int)", `
gradWNEON computes G = α·Rᵀ·X + β·G: for j < n and p < k,
g[j·ldg+p] = α·Σᵢ r[i·ldr+j]·x[i·ldx+p] + β·g[j·ldg+p] (i < m), reading g
only when β ≠ 0 (β = −0 counts as 0; a NaN β reads it). n and k must be at
least 1, m at least 0, and the slices must hold the m×n, m×k and n×k
matrices with their strides. Only the n×k elements of g are touched.`)
	fn.Frame(1)
	r := &gw{fn: fn, rb: asm.R0, ldr: asm.R1, ldx: asm.R2, ldxm: asm.R14, xc: asm.R3, gc: asm.R4, ldg: asm.R5,
		cols: asm.R6, rows: asm.R7, rp: asm.R8, xp: asm.R9, c: asm.R12}
	fn.Load("r.base", r.rb)
	fn.Load("ldr", r.ldr)
	fn.MOVW(r.ldr.LSL(2), r.ldr)
	fn.Load("ldx", r.ldx)
	fn.MOVW(r.ldx.LSL(2), r.ldx)
	fn.SUB3(asm.Imm(32), r.ldx, r.ldxm)
	fn.Load("g.base", r.gc)
	fn.SetLocal(r.gc, localG)
	fn.Load("ldg", r.ldg)
	fn.MOVW(r.ldg.LSL(2), r.ldg)
	fn.Load("n", r.rows)
	whileAtLeast(fn, "g4", r.rows, gradWTileN, func() { r.pass(gradWTileN) })
	ifAtLeast(fn, "g2", r.rows, 2, func() { r.pass(2) })
	ifAtLeast(fn, "g1", r.rows, 1, func() { r.pass(1) })
	fn.RET()
}

// pass emits the tiles of jr rows of G across all k columns, then steps R
// right and G down by jr.
func (r *gw) pass(jr int) {
	fn := r.fn
	fn.Comment("%d rows of G", jr)
	fn.Load("x.base", r.xc)
	fn.Local(localG, r.gc)
	fn.Load("k", r.cols)
	whileAtLeast(fn, fmt.Sprintf("g%dp12", jr), r.cols, gradWTileK, func() {
		r.tile(jr, 3)
		fn.ADD(asm.Imm(48), r.xc)
		fn.ADD(asm.Imm(48), r.gc)
	})
	whileAtLeast(fn, fmt.Sprintf("g%dp4", jr), r.cols, 4, func() {
		r.tile(jr, 1)
		fn.ADD(asm.Imm(16), r.xc)
		fn.ADD(asm.Imm(16), r.gc)
	})
	whileAtLeast(fn, fmt.Sprintf("g%dp1", jr), r.cols, 1, func() {
		r.column(jr)
		fn.ADD(asm.Imm(4), r.xc)
		fn.ADD(asm.Imm(4), r.gc)
	})
	fn.ADD(asm.Imm(4*jr), r.rb)
	fn.Local(localG, r.gc)
	addMul(fn, r.ldg, jr, r.gc, false)
	fn.SetLocal(r.gc, localG)
}

// lane is 32-bit lane j of q.
func lane(q asm.QReg, j int) asm.Lane {
	if j < 2 {
		return q.Lo().L(j)
	}
	return q.Hi().L(j - 2)
}

// loadR emits the load of R[i, j..j+jr-1] at rp into the first jr lanes of
// q, stepping rp down a row.
func (r *gw) loadR(jr int, q asm.QReg) {
	switch jr {
	case 4:
		r.fn.VLD1(asm.QList(q, 1), r.rp.PostBy(r.ldr))
	case 2:
		r.fn.VLD1(asm.Regs(q.Lo(), 1), r.rp.PostBy(r.ldr))
	case 1:
		r.fn.VLD1Lane(q.Lo().L(0), r.rp.PostBy(r.ldr))
	}
}

// pairs emits the loop over the m rows: body(0) for each row, or, with two
// sets, body(0) and body(1) for each pair and body(0) for an odd last row.
func (r *gw) pairs(sets int, body func(s int)) {
	fn := r.fn
	fn.Load("m", r.c)
	if sets == 1 {
		countDown(fn, "i", r.c, func() { body(0) })
		return
	}
	fn.MOVW(r.c.LSR(1), r.c)
	countDown(fn, "i2", r.c, func() { body(0); body(1) })
	even := fn.NewLabel("even")
	fn.Load("m", r.c)
	fn.AND3(asm.Imm(1), r.c, r.c)
	fn.CMP(asm.Imm(0), r.c)
	fn.BEQ(even)
	body(0)
	fn.Bind(even)
}

// betaZero emits a branch to l when β is ±0.
func (r *gw) betaZero(l asm.Label) {
	r.fn.LoadBits("beta", r.c)
	r.fn.MOVW(r.c.LSL(1), r.c)
	r.fn.CMP(asm.Imm(0), r.c)
	r.fn.BEQ(l)
}

// tile emits a jr×(4·pv) tile of G at gc, X columns from xc.
func (r *gw) tile(jr, pv int) {
	fn := r.fn
	fn.Comment("tile of %d×%d elements of G", jr, 4*pv)
	sets := 1
	if jr*pv <= 4 {
		sets = 2
	}
	rq := func(s int) asm.QReg { return asm.Q(s) }
	xq := func(s, v int) asm.QReg { return asm.Q(sets + s*pv + v) }
	acc := func(s, j, v int) asm.QReg { return asm.Q(16 - sets*jr*pv + s*jr*pv + j*pv + v) }
	fn.MOVW(r.rb, r.rp)
	fn.MOVW(r.xc, r.xp)
	for s := 0; s < sets; s++ {
		for j := 0; j < jr; j++ {
			for v := 0; v < pv; v++ {
				fn.Zero(acc(s, j, v).V())
			}
		}
	}
	r.pairs(sets, func(s int) {
		r.loadR(jr, rq(s))
		if pv == 3 {
			fn.VLD1(asm.QList(xq(s, 0), 2), r.xp.Post())
			fn.VLD1(asm.QList(xq(s, 2), 1), r.xp.PostBy(r.ldxm))
		} else {
			fn.VLD1(asm.QList(xq(s, 0), 1), r.xp.PostBy(r.ldx))
		}
		for j := 0; j < jr; j++ {
			for v := 0; v < pv; v++ {
				fn.VMLAScalar(acc(s, j, v).V(), xq(s, v).V(), lane(rq(s), j))
			}
		}
	})
	for j := 0; j < jr; j++ {
		for v := 0; v < pv; v++ {
			if sets == 2 {
				fn.VADD(acc(0, j, v).V(), acc(0, j, v).V(), acc(1, j, v).V())
			}
		}
	}
	alpha, beta := asm.D(0).L(0), asm.D(1).L(0)
	fn.LoadF("alpha", alpha.D)
	for j := 0; j < jr; j++ {
		for v := 0; v < pv; v++ {
			fn.VMULScalar(acc(0, j, v).V(), acc(0, j, v).V(), alpha)
		}
	}
	// G's rows: one stride, or, for three vectors, 32 bytes then ldg − 32.
	gp, ldgm := r.rp, r.xp
	fn.SUB3(asm.Imm(32), r.ldg, ldgm)
	row := func(j int, q asm.QReg, ld bool) {
		op := fn.VST1
		if ld {
			op = fn.VLD1
		}
		if pv == 3 {
			op(asm.QList(q, 2), gp.Post())
			op(asm.QList(q+2, 1), gp.PostBy(ldgm))
		} else {
			op(asm.QList(q, 1), gp.PostBy(r.ldg))
		}
	}
	store := fn.NewLabel("store")
	r.betaZero(store)
	fn.LoadF("beta", beta.D)
	fn.MOVW(r.gc, gp)
	for j := 0; j < jr; j++ {
		row(j, asm.Q(1), true)
		for v := 0; v < pv; v++ {
			fn.VMLAScalar(acc(0, j, v).V(), asm.Q(1+v).V(), beta)
		}
	}
	fn.Bind(store)
	fn.MOVW(r.gc, gp)
	for j := 0; j < jr; j++ {
		row(j, acc(0, j, 0), false)
	}
}

// column emits the jr elements G[j..j+jr-1, p] of one column, summed in the
// lanes of an accumulator: per row i, R[i, j..] times X[i, p]. Rows go two
// at a time into two accumulators.
func (r *gw) column(jr int) {
	fn := r.fn
	fn.Comment("column of %d elements of G", jr)
	acc, rq, xs := []asm.QReg{asm.Q(14), asm.Q(15)}, []asm.QReg{asm.Q(0), asm.Q(1)}, []asm.DReg{asm.D(4), asm.D(5)}
	fn.MOVW(r.rb, r.rp)
	fn.MOVW(r.xc, r.xp)
	fn.Zero(acc[0].V(), acc[1].V())
	r.pairs(2, func(s int) {
		r.loadR(jr, rq[s])
		fn.VLD1Lane(xs[s].L(0), r.xp.PostBy(r.ldx))
		fn.VMLAScalar(acc[s].V(), rq[s].V(), xs[s].L(0))
	})
	a := acc[0]
	fn.VADD(a.V(), a.V(), acc[1].V())
	alpha, beta, gq := asm.D(6).L(0), asm.D(7).L(0), asm.Q(2)
	fn.LoadF("alpha", alpha.D)
	fn.VMULScalar(a.V(), a.V(), alpha)
	store := fn.NewLabel("store")
	r.betaZero(store)
	fn.LoadF("beta", beta.D)
	fn.MOVW(r.gc, r.rp)
	for j := 0; j < jr; j++ {
		fn.VLD1Lane(lane(gq, j), r.rp.PostBy(r.ldg))
	}
	fn.VMLAScalar(a.V(), gq.V(), beta)
	fn.Bind(store)
	fn.MOVW(r.gc, r.rp)
	for j := 0; j < jr; j++ {
		fn.VST1Lane(lane(a, j), r.rp.PostBy(r.ldg))
	}
}

// ColSums adds rows of R into vector accumulators: 16 columns at a time,
// two rows per iteration into two sets of four accumulators (so that
// consecutive adds are independent), then 4 columns, then single columns.
func colSums(f *asm.File) {
	fn := f.Func("colSumsNEON", "func(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32)", `
colSumsNEON computes g = α·(column sums of R) + β·g: for j < n,
g[j] = α·Σᵢ r[i·ldr+j] + β·g[j] (i < m), reading g only when β ≠ 0. n must
be at least 1, m at least 0; r must hold the m×n matrix with row stride
ldr and len(g) ≥ n. Only g[:n] is touched.`)
	rb, ldr2, ldr2m, g, m, cols, rp, rp2, c := asm.R0, asm.R1, asm.R2, asm.R3, asm.R4, asm.R5, asm.R6, asm.R7, asm.R8
	fn.Load("r.base", rb)
	fn.Load("ldr", rp)
	fn.MOVW(rp.LSL(3), ldr2) // two rows, in bytes
	fn.SUB3(asm.Imm(32), ldr2, ldr2m)
	fn.Load("g.base", g)
	fn.Load("m", m)
	fn.Load("n", cols)
	block := func(w int) {
		nv := (w + 3) / 4
		accA, accB, in := qs(8, nv), qs(12, nv), qs(0, 2*nv)
		fn.Comment("%d columns", w)
		fn.MOVW(rb, rp)
		fn.Load("ldr", rp2)
		fn.ADD3(rp2.LSL(2), rb, rp2)
		for v := 0; v < nv; v++ {
			fn.Zero(accA[v].V(), accB[v].V())
		}
		load := func(p asm.Reg, vs []asm.QReg) {
			switch w {
			case 16:
				fn.VLD1(asm.QList(vs[0], 2), p.Post())
				fn.VLD1(asm.QList(vs[2], 2), p.PostBy(ldr2m))
			case 4:
				fn.VLD1(asm.QList(vs[0], 1), p.PostBy(ldr2))
			case 1:
				fn.VLD1Lane(vs[0].Lo().L(0), p.PostBy(ldr2))
			}
		}
		vec := func(q asm.QReg) asm.Vec {
			if w == 1 {
				return q.Lo().V()
			}
			return q.V()
		}
		add := func(vs, acc []asm.QReg) {
			for v := range vs {
				fn.VADD(vec(acc[v]), vec(acc[v]), vec(vs[v]))
			}
		}
		fn.MOVW(m.LSR(1), c)
		countDown(fn, "rows2", c, func() {
			load(rp, in[:nv])
			load(rp2, in[nv:])
			add(in[:nv], accA)
			add(in[nv:], accB)
		})
		even := fn.NewLabel("even")
		fn.AND3(asm.Imm(1), m, c)
		fn.CMP(asm.Imm(0), c)
		fn.BEQ(even)
		load(rp, in[:nv])
		add(in[:nv], accA)
		fn.Bind(even)
		alpha, beta := asm.D(0).L(0), asm.D(1).L(0)
		fn.LoadF("alpha", alpha.D)
		for v := 0; v < nv; v++ {
			fn.VADD(vec(accA[v]), vec(accA[v]), vec(accB[v]))
			fn.VMULScalar(vec(accA[v]), vec(accA[v]), alpha)
		}
		store := fn.NewLabel("store")
		fn.LoadBits("beta", c)
		fn.MOVW(c.LSL(1), c)
		fn.CMP(asm.Imm(0), c)
		fn.BEQ(store)
		fn.LoadF("beta", beta.D)
		gv := in[nv:]
		switch w {
		case 16:
			fn.MOVW(g, rp)
			fn.VLD1(asm.QList(gv[0], 2), rp.Post())
			fn.VLD1(asm.QList(gv[2], 2), rp.Mem())
		case 4:
			fn.VLD1(asm.QList(gv[0], 1), g.Mem())
		case 1:
			fn.VLD1Lane(gv[0].Lo().L(0), g.Mem())
		}
		for v := 0; v < nv; v++ {
			fn.VMLAScalar(vec(accA[v]), vec(gv[v]), beta)
		}
		fn.Bind(store)
		switch w {
		case 16:
			fn.VST1(asm.QList(accA[0], 2), g.Post())
			fn.VST1(asm.QList(accA[2], 2), g.Post())
		case 4:
			fn.VST1(asm.QList(accA[0], 1), g.Post())
		case 1:
			fn.VST1Lane(accA[0].Lo().L(0), g.Post())
		}
		fn.ADD(asm.Imm(4*w), rb)
	}
	whileAtLeast(fn, "c16", cols, colSumsTileN, func() { block(colSumsTileN) })
	whileAtLeast(fn, "c4", cols, 4, func() { block(4) })
	whileAtLeast(fn, "c1", cols, 1, func() { block(1) })
	fn.RET()
}
