package main

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/riscv64/asm"
)

// GradW sums over the m rows of R and X: G[j, p] = α·Σᵢ R[i, j]·X[i, p] +
// β·G[j, p]. Rows of X and of G are contiguous along p, so the vectors run
// along p: a tile of gradWTileN rows of G keeps one LMUL-4 accumulator per
// row, and each row i of X costs one vector load, gradWTileN scalar loads of
// R (adjacent) and gradWTileN fused multiply-adds by a scalar. Every element
// is summed over i in order, as the Go loop does, so the result does not
// depend on the vector length or on how the splitter cuts p or j.
const (
	gradWTileN = 4
	// gradWTileK is the splitter's unit for blocks of p; the kernel takes
	// any number of columns.
	gradWTileK = 16
	// colSumsTileN is the splitter's unit for blocks of columns.
	colSumsTileN = 16
)

// The registers of gradWRVV.
var (
	gwM, gwN, gwK    = asm.X10, asm.X11, asm.X12 // rows, rows of G left, columns
	gwR, gwLdr       = asm.X13, asm.X14          // R at the tile's first column; its stride in bytes
	gwX, gwLdx       = asm.X15, asm.X16
	gwG, gwLdg       = asm.X17, asm.X18 // the tile's first row of G; its stride in bytes
	gwBetaZero       = asm.X19          // 1 when β = 0: G is not read
	gwKLeft, gwPOff  = asm.X20, asm.X21 // columns left; the strip's offset in bytes
	gwRP, gwXP, gwIC = asm.X22, asm.X23, asm.X24
	gwGP, gwVL, gwT  = asm.X25, asm.X5, asm.X6
	gwAlpha, gwBeta  = asm.FReg(0), asm.FReg(1)
)

func gradW(f *asm.File) {
	fn := f.Func("gradWRVV", "func(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int)", `
gradWRVV computes G = α·Rᵀ·X + β·G: for j < n and p < k,
g[j·ldg+p] = α·Σᵢ r[i·ldr+j]·x[i·ldx+p] + β·g[j·ldg+p] (i < m), reading g
only when β ≠ 0 (β = −0 counts as 0; a NaN β reads it). n and k must be at
least 1, m at least 0, and the slices must hold the m×n, m×k and n×k
matrices with their strides. Only the n×k elements of g are touched.`)
	fn.Load("m", gwM)
	fn.Load("n", gwN)
	fn.Load("k", gwK)
	fn.Load("r.base", gwR)
	fn.Load("ldr", gwLdr)
	fn.SLLI(2, gwLdr, gwLdr)
	fn.Load("x.base", gwX)
	fn.Load("ldx", gwLdx)
	fn.SLLI(2, gwLdx, gwLdx)
	fn.Load("g.base", gwG)
	fn.Load("ldg", gwLdg)
	fn.SLLI(2, gwLdg, gwLdg)
	fn.LoadF("alpha", gwAlpha)
	fn.LoadF("beta", gwBeta)
	fn.FMVWX(asm.Zero, 2)
	fn.FEQS(gwBeta, 2, gwBetaZero)
	for _, nr := range []int{gradWTileN, 1} {
		loop, done := fn.NewLabel(fmt.Sprintf("rows%d", nr)), fn.NewLabel(fmt.Sprintf("rows%d_end", nr))
		fn.MOV(asm.Imm(nr), gwT)
		fn.BLT(gwN, gwT, done)
		fn.Bind(loop)
		gradWTile(fn, nr)
		fn.ADD(asm.Imm(4*nr), gwR, gwR)
		for j := 0; j < nr; j++ {
			fn.ADD(gwLdg, gwG, gwG)
		}
		fn.ADD(asm.Imm(-nr), gwN, gwN)
		fn.MOV(asm.Imm(nr), gwT)
		fn.BGE(gwN, gwT, loop)
		fn.Bind(done)
	}
	fn.RET()
}

// gradWTile emits nr rows of G, strip by strip of p.
func gradWTile(fn *asm.Func, nr int) {
	acc := func(j int) asm.VReg { return asm.VReg(4 * j) }
	xv, gv := asm.VReg(16), asm.VReg(24)
	strip, end := fn.NewLabel("strip"), fn.NewLabel("strip_end")
	fn.MOV(gwK, gwKLeft)
	fn.MOV(asm.Zero, gwPOff)
	fn.Bind(strip)
	fn.VSETVLI(gwKLeft, asm.E32, asm.M4, asm.TA, gwVL)
	for j := 0; j < nr; j++ {
		fn.VMVVI0(acc(j))
	}
	fn.MOV(gwR, gwRP)
	fn.ADD(gwPOff, gwX, gwXP)
	rows, rowsEnd := fn.NewLabel("i"), fn.NewLabel("i_end")
	fn.MOV(gwM, gwIC)
	fn.BEQZ(gwIC, rowsEnd)
	fn.Bind(rows)
	fn.VLE32V(gwXP, xv)
	for j := 0; j < nr; j++ {
		fn.MOVFLoad(gwRP.Off(4*j), 4+asm.FReg(j))
	}
	for j := 0; j < nr; j++ {
		fn.VFMACCVF(4+asm.FReg(j), xv, acc(j))
	}
	fn.ADD(gwLdr, gwRP, gwRP)
	fn.ADD(gwLdx, gwXP, gwXP)
	fn.ADD(asm.Imm(-1), gwIC, gwIC)
	fn.BNEZ(gwIC, rows)
	fn.Bind(rowsEnd)
	fn.Comment("G = α·sum, plus β·G unless β is 0.")
	fn.ADD(gwPOff, gwG, gwGP)
	for j := 0; j < nr; j++ {
		if j > 0 {
			fn.ADD(gwLdg, gwGP, gwGP)
		}
		fn.VFMULVF(gwAlpha, acc(j), acc(j))
		skip := fn.NewLabel("betazero")
		fn.BNEZ(gwBetaZero, skip)
		fn.VLE32V(gwGP, gv)
		fn.VFMACCVF(gwBeta, gv, acc(j))
		fn.Bind(skip)
		fn.VSE32V(acc(j), gwGP)
	}
	fn.SLLI(2, gwVL, gwT)
	fn.ADD(gwT, gwPOff, gwPOff)
	fn.SUB(gwVL, gwKLeft, gwKLeft)
	fn.BNEZ(gwKLeft, strip)
	fn.Bind(end)
}

// colSums: g = α·(column sums of R) + β·g.
func colSums(f *asm.File) {
	fn := f.Func("colSumsRVV", "func(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32)", `
colSumsRVV computes g = α·(column sums of R) + β·g: for j < n,
g[j] = α·Σᵢ r[i·ldr+j] + β·g[j] (i < m), reading g only when β ≠ 0. n must
be at least 1, m at least 0; r must hold the m×n matrix with row stride
ldr and len(g) ≥ n. Only g[:n] is touched. Each column is summed over i
in order, a strip of columns (LMUL 8) at a time.`)
	m, n, r, ldr, g := asm.X10, asm.X11, asm.X12, asm.X13, asm.X14
	rp, ic, betaZero, vl, t := asm.X15, asm.X16, asm.X17, asm.X5, asm.X6
	alpha, beta := asm.FReg(0), asm.FReg(1)
	acc, rv, gv := asm.VReg(8), asm.VReg(16), asm.VReg(24)
	fn.Load("m", m)
	fn.Load("n", n)
	fn.Load("r.base", r)
	fn.Load("ldr", ldr)
	fn.SLLI(2, ldr, ldr)
	fn.Load("g.base", g)
	fn.LoadF("alpha", alpha)
	fn.LoadF("beta", beta)
	fn.FMVWX(asm.Zero, 2)
	fn.FEQS(beta, 2, betaZero)
	strip := fn.NewLabel("strip")
	fn.Bind(strip)
	fn.VSETVLI(n, asm.E32, asm.M8, asm.TA, vl)
	fn.VMVVI0(acc)
	fn.MOV(r, rp)
	rows, rowsEnd := fn.NewLabel("i"), fn.NewLabel("i_end")
	fn.MOV(m, ic)
	fn.BEQZ(ic, rowsEnd)
	fn.Bind(rows)
	fn.VLE32V(rp, rv)
	fn.VFADDVV(rv, acc, acc)
	fn.ADD(ldr, rp, rp)
	fn.ADD(asm.Imm(-1), ic, ic)
	fn.BNEZ(ic, rows)
	fn.Bind(rowsEnd)
	fn.VFMULVF(alpha, acc, acc)
	skip := fn.NewLabel("betazero")
	fn.BNEZ(betaZero, skip)
	fn.VLE32V(g, gv)
	fn.VFMACCVF(beta, gv, acc)
	fn.Bind(skip)
	fn.VSE32V(acc, g)
	fn.SLLI(2, vl, t)
	fn.ADD(t, r, r)
	fn.ADD(t, g, g)
	fn.SUB(vl, n, n)
	fn.BNEZ(n, strip)
	fn.RET()
}
