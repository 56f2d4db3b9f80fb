package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/riscv64/asm"
)

// MatMulBias multiplies rows of X by rows of W, both contiguous along k, so
// the vectors run along k: a tile of tileM rows of X and tileN rows of W
// keeps tileM·tileN accumulators of one register each (LMUL 1, the most
// registers), loads tileM + tileN vectors per tileM·tileN fused
// multiply-adds, and reduces each accumulator to its element of Y at the
// end. The rows left over take tiles one row high, the columns left over
// tiles one column wide.
const (
	matMulBiasTileM = 4
	matMulBiasTileN = 4
)

// The registers of matMulBiasRVV.
var (
	mmM, mmN, mmK      = asm.X10, asm.X11, asm.X12 // rows left, columns left, k
	mmX, mmLdx         = asm.X13, asm.X14          // the row block's first row of X; its stride in bytes
	mmW, mmLdw         = asm.X15, asm.X16          // the column block's first row of W; its stride in bytes
	mmB, mmBLen        = asm.X17, asm.X18          // the column block's bias; len(b), 0 for none
	mmY, mmLdy         = asm.X19, asm.X20          // the row block's first row of Y; its stride in bytes
	mmAccum            = asm.X21                   // accum
	mmYT               = asm.X9                    // the tile's first element of Y
	mmXP               = []asm.Reg{asm.X22, asm.X23, asm.X24, asm.X25}
	mmWP               = []asm.Reg{asm.X28, asm.X29, asm.X30, asm.X7}
	mmKLeft, mmVL, mm4 = asm.X8, asm.X5, asm.X6
)

func matMulBias(f *asm.File) {
	fn := f.Func("matMulBiasRVV", "func(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int, accum int)", `
matMulBiasRVV computes Y = X·Wᵀ + b: for i < m and j < n,
y[i·ldy+j] = Σₚ x[i·ldx+p]·w[j·ldw+p] + b[j] (p < k), without the b[j]
when len(b) is 0, plus y[i·ldy+j]'s own value when accum is not 0 (a
later block of inputs). m and n must be at least 1, k at least 0, and the
slices must hold the m×k, n×k and m×n matrices with their strides (the
last row may end at its last element) and len(b) ≥ n when it is not 0.
Only the m×n elements of y are read (when accum is not 0) and written.
Each element's products are summed in VLMAX lanes, fused, then across
the lanes, then the bias and the old value are added.`)
	fn.Load("m", mmM)
	fn.Load("k", mmK)
	fn.Load("x.base", mmX)
	fn.Load("ldx", mmLdx)
	fn.SLLI(2, mmLdx, mmLdx)
	fn.Load("ldw", mmLdw)
	fn.SLLI(2, mmLdw, mmLdw)
	fn.Load("b.len", mmBLen)
	fn.Load("y.base", mmY)
	fn.Load("ldy", mmLdy)
	fn.SLLI(2, mmLdy, mmLdy)
	fn.Load("accum", mmAccum)
	rowBlock := func(mr int) {
		fn.Load("n", mmN)
		fn.Load("w.base", mmW)
		fn.Load("b.base", mmB)
		fn.MOV(mmY, mmYT)
		columns(fn, mr, matMulBiasTileN)
		columns(fn, mr, 1)
		for i := 0; i < mr; i++ {
			fn.ADD(mmLdx, mmX, mmX)
			fn.ADD(mmLdy, mmY, mmY)
		}
		fn.ADD(asm.Imm(-mr), mmM, mmM)
	}
	big, one, done := fn.NewLabel("rows4"), fn.NewLabel("rows1"), fn.NewLabel("done")
	fn.MOV(asm.Imm(matMulBiasTileM), mm4)
	fn.BLT(mmM, mm4, one)
	fn.Bind(big)
	rowBlock(matMulBiasTileM)
	fn.MOV(asm.Imm(matMulBiasTileM), mm4)
	fn.BGE(mmM, mm4, big)
	fn.Bind(one)
	fn.BEQZ(mmM, done)
	rowBlock(1)
	fn.JMP(one)
	fn.Bind(done)
	fn.RET()
}

// columns emits the tiles of mr rows by nr columns while at least nr
// columns are left.
func columns(fn *asm.Func, mr, nr int) {
	loop, done := fn.NewLabel(fmt.Sprintf("tile%dx%d", mr, nr)), fn.NewLabel(fmt.Sprintf("tile%dx%d_end", mr, nr))
	fn.MOV(asm.Imm(nr), mm4)
	fn.BLT(mmN, mm4, done)
	fn.Bind(loop)
	tile(fn, mr, nr)
	for j := 0; j < nr; j++ {
		fn.ADD(mmLdw, mmW, mmW)
	}
	fn.ADD(asm.Imm(4*nr), mmB, mmB)
	fn.ADD(asm.Imm(4*nr), mmYT, mmYT)
	fn.ADD(asm.Imm(-nr), mmN, mmN)
	fn.MOV(asm.Imm(nr), mm4)
	fn.BGE(mmN, mm4, loop)
	fn.Bind(done)
}

// tile emits one mr×nr tile of Y at mmYT from the rows of X at mmX and of W
// at mmW.
func tile(fn *asm.Func, mr, nr int) {
	xp, wp := mmXP[:mr], mmWP[:nr]
	xv := func(a int) asm.VReg { return asm.VReg(16 + a) }
	wv := func(b int) asm.VReg { return asm.VReg(20 + b) }
	acc := func(a, b int) asm.VReg { return asm.VReg(a*nr + b) }
	fn.MOV(mmX, xp[0])
	for a := 1; a < mr; a++ {
		fn.ADD(mmLdx, xp[a-1], xp[a])
	}
	fn.MOV(mmW, wp[0])
	for b := 1; b < nr; b++ {
		fn.ADD(mmLdw, wp[b-1], wp[b])
	}
	fn.VSETVLI(asm.Zero, asm.E32, asm.M1, asm.TA, mmVL)
	for v := 0; v < mr*nr; v++ {
		fn.VMVVI0(asm.VReg(v))
	}
	step := func() {
		for a := range xp {
			fn.VLE32V(xp[a], xv(a))
		}
		for b := range wp {
			fn.VLE32V(wp[b], wv(b))
		}
		for a := range xp {
			for b := range wp {
				fn.VFMACCVV(xv(a), wv(b), acc(a, b))
			}
		}
	}
	advance := func(by asm.Reg) {
		for _, p := range append(append([]asm.Reg(nil), xp...), wp...) {
			fn.ADD(by, p, p)
		}
	}
	if mr == matMulBiasTileM && nr == matMulBiasTileN {
		pipelined(fn, xp, wp, acc)
	} else {
		fn.Comment("Strips of k, tail undisturbed: a short last strip leaves the other lanes' sums.")
		loop, end := fn.NewLabel("k"), fn.NewLabel("kend")
		fn.MOV(mmK, mmKLeft)
		fn.BEQZ(mmKLeft, end)
		fn.Bind(loop)
		fn.VSETVLI(mmKLeft, asm.E32, asm.M1, asm.TU, mmVL)
		step()
		fn.SLLI(2, mmVL, mm4)
		advance(mm4)
		fn.SUB(mmVL, mmKLeft, mmKLeft)
		fn.BNEZ(mmKLeft, loop)
		fn.Bind(end)
	}
	reduceTile(fn, mr, nr, acc)
}

// pipelined emits the k loop of the widest tile, software-pipelined for
// in-order cores: the vectors of the next strip of k load into one set of
// eight registers while the sixteen multiply-adds of this strip use the
// other, one load issued before every second multiply-add, so that the
// load unit and the FMA unit work at once. Whole strips of VLMAX run in the
// loop; the rest of k, fewer than VLMAX, takes one strip at the end.
func pipelined(fn *asm.Func, xp, wp []asm.Reg, acc func(a, b int) asm.VReg) {
	bufA, bufB := asm.VReg(16), asm.VReg(24)
	ptrs := append(append([]asm.Reg(nil), xp...), wp...)
	load := func(buf asm.VReg, i int) { fn.VLE32V(ptrs[i], buf+asm.VReg(i)) }
	advance := func() {
		for _, p := range ptrs {
			fn.ADD(mm4, p, p)
		}
	}
	// half runs the multiply-adds of cur, loading next meanwhile if asked.
	half := func(cur, next asm.VReg, loadNext bool) {
		for i := 0; i < 16; i++ {
			if loadNext && i%2 == 0 {
				load(next, i/2)
			}
			a, b := i/4, i%4
			fn.VFMACCVV(cur+asm.VReg(4+b), cur+asm.VReg(a), acc(a, b))
		}
		if loadNext {
			advance()
		}
	}
	// In the loop mmKLeft counts bytes of k not loaded yet, mm4 is one
	// strip's bytes and mmVL two strips', so that one comparison decides
	// whether two more strips can load.
	loop, one, lastA, tail, end := fn.NewLabel("k"), fn.NewLabel("kone"), fn.NewLabel("klastA"), fn.NewLabel("ktail"), fn.NewLabel("kend")
	fn.SLLI(2, mmK, mmKLeft)
	fn.SLLI(2, mmVL, mm4)
	fn.BLT(mmKLeft, mm4, tail)
	for i := range ptrs {
		load(bufA, i)
	}
	advance()
	fn.SUB(mm4, mmKLeft, mmKLeft)
	fn.SLLI(1, mm4, mmVL)
	fn.BLT(mmKLeft, mmVL, one)
	fn.Bind(loop)
	fn.VSETVLI(asm.Zero, asm.E32, asm.M1, asm.TA, asm.Zero)
	half(bufA, bufB, true)
	half(bufB, bufA, true)
	fn.SUB(mmVL, mmKLeft, mmKLeft)
	fn.BGE(mmKLeft, mmVL, loop)
	fn.Bind(one)
	fn.Comment("bufA is loaded; fewer than two strips are left to load.")
	fn.BLT(mmKLeft, mm4, lastA)
	half(bufA, bufB, true)
	fn.SUB(mm4, mmKLeft, mmKLeft)
	half(bufB, 0, false)
	fn.JMP(tail)
	fn.Bind(lastA)
	half(bufA, 0, false)
	fn.Bind(tail)
	fn.BEQZ(mmKLeft, end)
	fn.SRLI(2, mmKLeft, mmKLeft)
	fn.VSETVLI(mmKLeft, asm.E32, asm.M1, asm.TU, mmVL)
	for i := range ptrs {
		load(bufA, i)
	}
	half(bufA, 0, false)
	fn.Bind(end)
}

// reduceTile emits the end of a tile: each accumulator's lanes summed into
// F0…, plus the bias and the old element of Y when asked for, stored.
func reduceTile(fn *asm.Func, mr, nr int, acc func(a, b int) asm.VReg) {
	seed := asm.VReg(16)
	fv := func(a, b int) asm.FReg { return asm.FReg(a*nr + b) }
	fn.VSETVLI(asm.Zero, asm.E32, asm.M1, asm.TA, mmVL)
	fn.VMVVI0(seed)
	for a := 0; a < mr; a++ {
		for b := 0; b < nr; b++ {
			fn.VFREDUSUMVS(seed, acc(a, b), asm.VReg(17))
			fn.VFMVFS(17, fv(a, b))
		}
	}
	// Rows of Y: xp registers are free now.
	yp := mmXP[:mr]
	fn.MOV(mmYT, yp[0])
	for a := 1; a < mr; a++ {
		fn.ADD(mmLdy, yp[a-1], yp[a])
	}
	noBias, noAccum := fn.NewLabel("nobias"), fn.NewLabel("noaccum")
	fn.BEQZ(mmBLen, noBias)
	for b := 0; b < nr; b++ {
		fn.MOVFLoad(mmB.Off(4*b), 16+asm.FReg(b))
		for a := 0; a < mr; a++ {
			fn.FADDS(16+asm.FReg(b), fv(a, b), fv(a, b))
		}
	}
	fn.Bind(noBias)
	fn.BEQZ(mmAccum, noAccum)
	for a := 0; a < mr; a++ {
		for b := 0; b < nr; b++ {
			fn.MOVFLoad(yp[a].Off(4*b), 20)
			fn.FADDS(20, fv(a, b), fv(a, b))
		}
	}
	fn.Bind(noAccum)
	for a := 0; a < mr; a++ {
		for b := 0; b < nr; b++ {
			fn.MOVFStore(fv(a, b), yp[a].Off(4*b))
		}
	}
}
