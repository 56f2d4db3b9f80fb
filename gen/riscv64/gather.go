package main

import "github.com/edgefit/edgefit/gen/riscv64/asm"

// GatherRows copies rows of X picked by an index, strip by strip of up to
// eight vector registers (a bit-exact copy: loads and stores only), and
// prefetches the row ahead positions on while it copies, so that many rows'
// cache misses are in flight at once. The prefetch is Zicbop's prefetch.r
// (see asm.PrefetchR), which the RVA22U64 profile makes mandatory, and
// a no-op on cores without it. Which offsets of a row are prefetched is the
// splitter's prefetchPlan (kernels_split.go), from the values below.

// How far ahead gatherRowsRVV should prefetch: gatherAheadBytes of rows, at
// least gatherMinAhead and at most gatherMaxAhead rows.
const (
	gatherAheadBytes = 4096
	gatherMinAhead   = 2
	gatherMaxAhead   = 32
)

// The registers of the gather and prefetch kernels.
var (
	gaK, gaIdx, gaN, gaX, gaLdx = asm.X10, asm.X11, asm.X12, asm.X13, asm.X14
	gaY, gaLdy                  = asm.X15, asm.X16
	gaAhead, gaLines, gaLast    = asm.X17, asm.X18, asm.X19
	gaPIdx, gaPN, gaRow, gaL    = asm.X20, asm.X21, asm.X22, asm.X23 // prefetch cursor, count, row address, line count
	gaTrace                     = asm.X24
	gaSrc, gaDst, gaKL          = asm.X25, asm.X28, asm.X29
)

// rowAddress emits gaRow = x + idx[*p]·ldx (bytes) and advances p.
func rowAddress(fn *asm.Func, p asm.Reg) {
	fn.Load64(p.Mem(), gaRow)
	fn.MUL(gaLdx, gaRow, gaRow)
	fn.ADD(gaX, gaRow, gaRow)
	fn.ADD(asm.Imm(8), p, p)
}

func gatherRows(f *asm.File) {
	fn := f.Func("gatherRowsRVV", "func(k int, idx []int, x []float32, ldx int, y []float32, ldy int, ahead, lines, last int)", `
gatherRowsRVV copies row idx[i] of x, the k elements from x[idx[i]·ldx],
to y[i·ldy : i·ldy+k] for i < len(idx), bit for bit. k and len(idx) must
be at least 1, every row must lie inside x and every row of y inside y;
nothing else is read or written. While it copies row i it prefetches
row idx[i+ahead] (when i+ahead < len(idx)), having first prefetched rows
idx[0:ahead]: 1 ≤ ahead ≤ len(idx). A row is prefetched at byte offsets
0, 64, …, 64·(lines−1) and last (lines ≥ 0, 0 ≤ last < 4k).`)
	fn.Load("k", gaK)
	fn.Load("idx.base", gaIdx)
	fn.Load("idx.len", gaN)
	fn.Load("x.base", gaX)
	fn.Load("ldx", gaLdx)
	fn.SLLI(2, gaLdx, gaLdx)
	fn.Load("y.base", gaY)
	fn.Load("ldy", gaLdy)
	fn.SLLI(2, gaLdy, gaLdy)
	fn.Load("ahead", gaAhead)
	fn.Load("lines", gaLines)
	fn.Load("last", gaLast)
	fn.Comment("The first ahead rows.")
	fn.MOV(gaIdx, gaPIdx)
	fn.MOV(gaAhead, gaPN)
	first := fn.NewLabel("first")
	fn.Bind(first)
	rowAddress(fn, gaPIdx)
	prefetchRow(fn, false)
	fn.ADD(asm.Imm(-1), gaPN, gaPN)
	fn.BNEZ(gaPN, first)
	fn.SUB(gaAhead, gaN, gaPN) // rows still to prefetch
	rows, copyRow := fn.NewLabel("row"), fn.NewLabel("copy")
	fn.Bind(rows)
	fn.BEQZ(gaPN, copyRow)
	rowAddress(fn, gaPIdx)
	prefetchRow(fn, false)
	fn.ADD(asm.Imm(-1), gaPN, gaPN)
	fn.Bind(copyRow)
	fn.Load64(gaIdx.Mem(), gaSrc)
	fn.MUL(gaLdx, gaSrc, gaSrc)
	fn.ADD(gaX, gaSrc, gaSrc)
	fn.MOV(gaY, gaDst)
	fn.MOV(gaK, gaKL)
	stripMine(fn, "elems", gaKL, asm.M8, []asm.Reg{gaSrc, gaDst}, func() {
		fn.VLE32V(gaSrc, 0)
		fn.VSE32V(0, gaDst)
	})
	fn.ADD(asm.Imm(8), gaIdx, gaIdx)
	fn.ADD(gaLdy, gaY, gaY)
	fn.ADD(asm.Imm(-1), gaN, gaN)
	fn.BNEZ(gaN, rows)
	fn.RET()
}
