package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/arm64/asm"
)

// GradW sums over the m rows of R and X: G[j, p] = α·Σᵢ R[i,j]·X[i,p] + β·G[j,p].
// For a fixed i, R[i, j..j+3] is one vector load and X[i, p..p+15] four, and
// the 16 accumulators of a 4×16 tile of G each take one multiply-add by a
// lane of the R vector (fmla by element). Both pointers walk down the rows,
// stepped by the row strides after each iteration's loads.
//
// Rows of G (j) go in passes of 8 (gradw8.go) while at least 8 remain, then
// at most one pass each of 4, 2 and 1, reading R[i, j..] with a 4-, 2- or
// 1-lane load.
// Within a pass, columns (p) go in tiles of 16, then of 4, then one at a time;
// a one-column tile keeps its jr sums in the lanes of a single accumulator.
// Tiles narrower than 4×16 take the rows two at a time into two sets of
// accumulators, so that they too have enough independent chains (with n = 1,
// the usual single-output regression, every tile is narrow). The epilogue scales by α and, only when β is not 0, loads G and adds β·G,
// so that G is not read when β = 0.

// How gradWNEON's tiles fall (gradWTileN rows of G, the widest pass, by
// gradWTileK columns, a multiple of every pass's widest tile) and
// colSumsNEON's widest block (colSumsTileN columns). Narrower tiles sum rows
// in pairs, so a split of a call keeps each element's arithmetic only when
// it falls on these.
const (
	gradWTileN   = 8
	gradWTileK   = 16
	colSumsTileN = 16
)

// gw holds GradW's register assignment.
type gw struct {
	fn                 *asm.Func
	r, ldr, x, ldx     asm.Reg
	g, ldg, m, k, rows asm.Reg
	cols, rp, xp, xc   asm.Reg
	gc, gp, cnt        asm.Reg
	ldr2, ldx2         asm.Reg // two rows, for the tiles that take rows in pairs
	rp2, xp2           asm.Reg // the odd rows of those tiles
	rp3, rp4, xp3, xp4 asm.Reg // the 8×8 tile's third and fourth rows
	ldr4, ldx4         asm.Reg // four rows
	xs, gs, cs         asm.Reg // the 8-row pass's place while its halves finish (rp3…xp3 are free then)
	alpha, beta        asm.VReg
}

func gradW(f *asm.File) {
	fn := f.Func("gradWNEON", "func(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int)", `
gradWNEON computes G = α·Rᵀ·X + β·G: for j < n and p < k,
g[j·ldg+p] = α·Σᵢ r[i·ldr+j]·x[i·ldx+p] + β·g[j·ldg+p] (i < m), reading g
only when β ≠ 0 (β = −0 counts as 0; a NaN β reads it). n and k must be at
least 1, m at least 0, and the slices must hold the m×n, m×k and n×k
matrices with their strides. Only the n×k elements of g are touched.`)
	r := &gw{fn: fn,
		r: asm.R0, ldr: asm.R1, x: asm.R2, ldx: asm.R3, g: asm.R4, ldg: asm.R5, m: asm.R6, k: asm.R7, rows: asm.R8,
		cols: asm.R9, rp: asm.R10, xp: asm.R11, xc: asm.R12, gc: asm.R13, gp: asm.R14, cnt: asm.R15,
		ldr2: asm.R16, ldx2: asm.R17, rp2: asm.R19, xp2: asm.R20,
		rp3: asm.R21, rp4: asm.R22, xp3: asm.R23, xp4: asm.R24, ldr4: asm.R25, ldx4: asm.R26,
		xs: asm.R21, gs: asm.R22, cs: asm.R23,
		alpha: asm.V(30), beta: asm.V(31),
	}
	fn.Load("r.base", r.r)
	fn.Load("ldr", r.ldr)
	fn.LSL3(2, r.ldr, r.ldr)
	fn.Load("x.base", r.x)
	fn.Load("ldx", r.ldx)
	fn.LSL3(2, r.ldx, r.ldx)
	fn.Load("g.base", r.g)
	fn.Load("ldg", r.ldg)
	fn.LSL3(2, r.ldg, r.ldg)
	fn.LSL3(1, r.ldr, r.ldr2)
	fn.LSL3(1, r.ldx, r.ldx2)
	fn.Load("m", r.m)
	fn.Load("k", r.k)
	fn.LoadF("alpha", r.alpha.F())
	fn.LoadF("beta", r.beta.F())
	fn.Load("n", r.rows)
	fn.LSL3(2, r.ldr, r.ldr4)
	fn.LSL3(2, r.ldx, r.ldx4)
	whileAtLeast(fn, "g8", r.rows, gradWTileN, r.pass8)
	ifAtLeast(fn, "g4", r.rows, 4, func() { r.pass(4) })
	ifAtLeast(fn, "g2", r.rows, 2, func() { r.pass(2) })
	ifAtLeast(fn, "g1", r.rows, 1, func() { r.pass(1) })
	fn.RET()
}

// pass emits the tiles of jr rows of G across all k columns, then steps R
// right and G down by jr.
func (r *gw) pass(jr int) {
	fn := r.fn
	fn.Comment("%d rows of G", jr)
	fn.MOVD(r.x, r.xc)
	fn.MOVD(r.g, r.gc)
	fn.MOVD(r.k, r.cols)
	r.walk(jr, true)
	fn.ADD(asm.Imm(4*jr), r.r)
	addMul(fn, r.ldg, jr, r.g)
}

// walk emits jr rows of G's tiles across the cols columns from xc and gc:
// 16 at a time when wide, then 4, then 1.
func (r *gw) walk(jr int, wide bool) {
	fn := r.fn
	if wide {
		whileAtLeast(fn, fmt.Sprintf("g%dp16", jr), r.cols, 16, func() {
			r.tile(jr, 4)
			fn.ADD(asm.Imm(64), r.xc)
			fn.ADD(asm.Imm(64), r.gc)
		})
	}
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
}

// loadR emits the load of R[i, j..j+jr-1] at p into the first jr lanes of
// rv (zeroing the others): unindexed, so that the caller steps all its
// pointers after all of a row pair's loads.
func (r *gw) loadR(jr int, rv asm.VReg, p asm.Reg) {
	switch jr {
	case 4:
		r.fn.LDURQ(p.Off(0), rv)
	case 2:
		r.fn.FMOVD(p.Mem(), rv.F())
	case 1:
		r.fn.FMOVS(p.Mem(), rv.F())
	}
}

// pairPointers emits the set-up of rows taken in pairs: rp2 and xp2 start
// one row below rp and xp. The caller's loads then step all four by two rows
// (ldr2, ldx2), so that the two rows' loads do not wait for each other's
// address (bench/results/NOTES.md).
func (r *gw) pairPointers() {
	r.fn.ADD3(r.ldr, r.rp, r.rp2)
	r.fn.ADD3(r.ldx, r.xp, r.xp2)
}

// tile emits a jr×(4·pv) tile of G at gc, X columns from xc. When the
// registers allow (jr·pv ≤ 8), rows of R and X go two at a time into two sets
// of accumulators, so that a narrow tile still has enough independent
// multiply-add chains to hide their latency.
func (r *gw) tile(jr, pv int) {
	fn := r.fn
	fn.Comment("tile of %d×%d elements of G", jr, 4*pv)
	sets := 1
	if jr*pv <= 8 {
		sets = 2
	}
	a := func(s, j, v int) asm.VReg { return asm.V(s*jr*pv + j*pv + v) }
	xv := func(s int) asm.VReg { return asm.V(16 + s*pv) }
	rv := func(s int) asm.VReg { return asm.V(24 + s) }
	fn.MOVD(r.r, r.rp)
	fn.MOVD(r.xc, r.xp)
	for s := 0; s < sets; s++ {
		for j := 0; j < jr; j++ {
			for v := 0; v < pv; v++ {
				fn.Zero(a(s, j, v))
			}
		}
	}
	// row emits the loads of one row i for set s: set 0 through rp and xp,
	// set 1 through rp2 and xp2; step then advances those pointers by one
	// row when there is one set and by two when there are two. All loads
	// of an iteration come before its multiply-adds (see ldurs).
	ptrs := func(s int) (asm.Reg, asm.Reg) {
		if s == 1 {
			return r.rp2, r.xp2
		}
		return r.rp, r.xp
	}
	row := func(s int) {
		rp, xp := ptrs(s)
		r.loadR(jr, rv(s), rp)
		for v := 0; v < pv; v++ {
			fn.LDURQ(xp.Off(16*v), xv(s)+asm.VReg(v))
		}
	}
	step := func(s int) {
		rp, xp := ptrs(s)
		ldr, ldx := r.ldr, r.ldx
		if sets == 2 {
			ldr, ldx = r.ldr2, r.ldx2
		}
		fn.ADD(ldr, rp)
		fn.ADD(ldx, xp)
	}
	fma := func(s int) {
		for j := 0; j < jr; j++ {
			for v := 0; v < pv; v++ {
				fn.VFMLAElem(rv(s).S(j), (xv(s) + asm.VReg(v)).S4(), a(s, j, v).S4())
			}
		}
	}
	if sets == 1 {
		fn.MOVD(r.m, r.cnt)
		countDown(fn, "i", r.cnt, func() { row(0); step(0); fma(0) })
	} else {
		r.pairPointers()
		fn.LSR3(1, r.m, r.cnt)
		countDown(fn, "i2", r.cnt, func() {
			row(0)
			row(1)
			step(0)
			step(1)
			fma(0)
			fma(1)
		})
		even := fn.NewLabel("even")
		fn.AND3(asm.Imm(1), r.m, r.cnt)
		fn.CBZ(r.cnt, even)
		row(0)
		fma(0)
		fn.Bind(even)
		for j := 0; j < jr; j++ {
			for v := 0; v < pv; v++ {
				fn.VFADD(a(1, j, v).S4(), a(0, j, v).S4(), a(0, j, v).S4())
			}
		}
	}
	for j := 0; j < jr; j++ {
		for v := 0; v < pv; v++ {
			fn.VFMULElem(r.alpha.S(0), a(0, j, v).S4(), a(0, j, v).S4())
		}
	}
	store := fn.NewLabel("store")
	fn.FCMPSZero(r.beta.F())
	fn.BEQ(store)
	fn.MOVD(r.gc, r.gp)
	for j := 0; j < jr; j++ {
		fn.VLD1(r.gp.PostBy(r.ldg), asm.Seq(xv(0), pv, asm.S4))
		for v := 0; v < pv; v++ {
			fn.VFMLAElem(r.beta.S(0), (xv(0) + asm.VReg(v)).S4(), a(0, j, v).S4())
		}
	}
	fn.Bind(store)
	fn.MOVD(r.gc, r.gp)
	for j := 0; j < jr; j++ {
		fn.VST1(asm.Seq(a(0, j, 0), pv, asm.S4), r.gp.PostBy(r.ldg))
	}
}

// column emits the jr elements G[j..j+jr-1, p] of one column, summed in the
// lanes of an accumulator: per row i, R[i, j..] times X[i, p]. Rows go two
// at a time into two accumulators.
func (r *gw) column(jr int) {
	fn := r.fn
	fn.Comment("column of %d elements of G", jr)
	acc, xv, rv := []asm.VReg{asm.V(0), asm.V(1)}, []asm.VReg{asm.V(16), asm.V(17)}, []asm.VReg{asm.V(24), asm.V(25)}
	fn.MOVD(r.r, r.rp)
	fn.MOVD(r.xc, r.xp)
	fn.Zero(acc...)
	ptrs := func(s int) (asm.Reg, asm.Reg) {
		if s == 1 {
			return r.rp2, r.xp2
		}
		return r.rp, r.xp
	}
	row := func(s int) {
		rp, xp := ptrs(s)
		r.loadR(jr, rv[s], rp)
		fn.FMOVS(xp.Mem(), xv[s].F())
	}
	step := func(s int) {
		rp, xp := ptrs(s)
		fn.ADD(r.ldr2, rp)
		fn.ADD(r.ldx2, xp)
	}
	fma := func(s int) { fn.VFMLAElem(xv[s].S(0), rv[s].S4(), acc[s].S4()) }
	r.pairPointers()
	fn.LSR3(1, r.m, r.cnt)
	countDown(fn, "i2", r.cnt, func() {
		row(0)
		row(1)
		step(0)
		step(1)
		fma(0)
		fma(1)
	})
	even := fn.NewLabel("even")
	fn.AND3(asm.Imm(1), r.m, r.cnt)
	fn.CBZ(r.cnt, even)
	row(0)
	fma(0)
	fn.Bind(even)
	a := acc[0]
	fn.VFADD(acc[1].S4(), a.S4(), a.S4())
	fn.VFMULElem(r.alpha.S(0), a.S4(), a.S4())
	store := fn.NewLabel("store")
	fn.FCMPSZero(r.beta.F())
	fn.BEQ(store)
	fn.MOVD(r.gc, r.gp)
	for j := 0; j < jr; j++ {
		fn.VLD1Lane(r.gp.PostBy(r.ldg), xv[0].S(j))
	}
	fn.VFMLAElem(r.beta.S(0), xv[0].S4(), a.S4())
	fn.Bind(store)
	fn.MOVD(r.gc, r.gp)
	for j := 0; j < jr; j++ {
		fn.VST1Lane(a.S(j), r.gp.PostBy(r.ldg))
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
	// The even and the odd rows have pointers of their own, each stepping
	// two rows, so that the two loads of an iteration do not wait for each
	// other's address (bench/results/NOTES.md).
	rb, ldr, ldr2, g, m, cols, rp, rp2, cnt := asm.R0, asm.R1, asm.R7, asm.R2, asm.R3, asm.R4, asm.R5, asm.R8, asm.R6
	alpha, beta := asm.V(30), asm.V(31)
	fn.Load("r.base", rb)
	fn.Load("ldr", ldr)
	fn.LSL3(2, ldr, ldr)
	fn.LSL3(1, ldr, ldr2)
	fn.Load("g.base", g)
	fn.Load("m", m)
	fn.Load("n", cols)
	fn.LoadF("alpha", alpha.F())
	fn.LoadF("beta", beta.F())
	// block emits the sums of w = 16, 4 or 1 columns at rb into g, then
	// steps both.
	block := func(w int) {
		nv := (w + 3) / 4
		accA, accB, in := regs(16, nv), regs(20, nv), regs(0, 2*nv)
		fn.Comment("%d columns", w)
		fn.MOVD(rb, rp)
		fn.ADD3(ldr, rb, rp2)
		fn.Zero(accA...)
		fn.Zero(accB...)
		// The vector loads are LDURs (see ldurs), each pointer then
		// stepped by two rows.
		load := func(p asm.Reg, vs []asm.VReg) {
			if w == 1 {
				fn.VLD1Lane(p.PostBy(ldr2), vs[0].S(0))
				return
			}
			for i, v := range vs {
				fn.LDURQ(p.Off(16*i), v)
			}
			fn.ADD(ldr2, p)
		}
		add := func(vs, acc []asm.VReg) {
			for v := range vs {
				if w == 1 {
					fn.FADDS(vs[v].F(), acc[v].F(), acc[v].F())
				} else {
					fn.VFADD(vs[v].S4(), acc[v].S4(), acc[v].S4())
				}
			}
		}
		fn.LSR3(1, m, cnt)
		countDown(fn, "rows2", cnt, func() {
			load(rp, in[:nv])
			load(rp2, in[nv:])
			add(in[:nv], accA)
			add(in[nv:], accB)
		})
		odd := fn.NewLabel("even")
		fn.AND3(asm.Imm(1), m, cnt)
		fn.CBZ(cnt, odd)
		load(rp, in[:nv])
		add(in[:nv], accA)
		fn.Bind(odd)
		for v := 0; v < nv; v++ {
			if w == 1 {
				fn.FADDS(accB[v].F(), accA[v].F(), accA[v].F())
				fn.FMULS(alpha.F(), accA[v].F(), accA[v].F())
			} else {
				fn.VFADD(accB[v].S4(), accA[v].S4(), accA[v].S4())
				fn.VFMULElem(alpha.S(0), accA[v].S4(), accA[v].S4())
			}
		}
		store := fn.NewLabel("store")
		fn.FCMPSZero(beta.F())
		fn.BEQ(store)
		if w == 1 {
			fn.FMOVS(g.Mem(), in[0].F())
			fn.FMADDS(beta.F(), accA[0].F(), in[0].F(), accA[0].F())
		} else {
			fn.VLD1(g.Mem(), asm.Seq(in[0], nv, asm.S4))
			for v := 0; v < nv; v++ {
				fn.VFMLAElem(beta.S(0), in[v].S4(), accA[v].S4())
			}
		}
		fn.Bind(store)
		if w == 1 {
			fn.FMOVS(accA[0].F(), g.Post(4))
		} else {
			fn.VST1(asm.Seq(accA[0], nv, asm.S4), g.Post(16*nv))
		}
		fn.ADD(asm.Imm(4*w), rb)
	}
	whileAtLeast(fn, "c16", cols, colSumsTileN, func() { block(colSumsTileN) })
	whileAtLeast(fn, "c4", cols, 4, func() { block(4) })
	whileAtLeast(fn, "c1", cols, 1, func() { block(1) })
	fn.RET()
}
