// Command amd64 generates edgefit's AVX2+FMA kernels (linalg_amd64.s) and
// their Go declarations with avo. Run it through the go:generate line in the
// root package:
//
//	go generate ./...
//
// Every function here trusts its arguments: the Go wrappers in
// kernels_avx2_amd64.go check shapes and route each call, and they alone call
// these. Only AVX, AVX2 and FMA instructions are used (no AVX-512; the
// prefetches are SSE's), and every function that uses YMM
// registers clears their upper halves (VZEROUPPER) before returning. Nothing
// outside the slices is touched: partial vectors are read with VMASKMOVPS,
// whose masked-off lanes neither read nor fault, and written with VMASKMOVPS
// or, where a store is frequent (rows of Y, SqErr's tail), with plain stores
// of exactly the valid elements, as masked stores are slow on AMD's CPUs.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// lanes is the number of float32 in a YMM register.
const lanes = 8

// maskTable holds eight all-ones words followed by eight zeros: the 32 bytes
// at offset 4·(8−r) are a VMASKMOVPS mask selecting the first r lanes.
var maskTable Mem

func main() {
	ConstraintExpr("amd64,gc,!purego")

	maskTable = GLOBL("lanemask", RODATA|NOPTR)
	for i := 0; i < 2*lanes; i++ {
		v := uint32(0)
		if i < lanes {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}

	genMatMulPanel(16, 6)
	genMatMulPanel(8, 12)
	genGradW()
	genColSums()
	genSqErr(writeR)
	genSqErr(sumOnly)
	genAxpy()
	genDot()
	genGatherRows()
	genPrefetchRows()
	genPeakFMA()
	genPeakLoad()

	Generate()
}

// loadMask sets mask to select the first n lanes, 1 ≤ n ≤ 8.
func loadMask(n Register, mask VecVirtual) {
	off, tab := GP64(), GP64()
	MOVQ(U32(lanes), off)
	SUBQ(n, off)
	LEAQ(maskTable, tab)
	VMOVDQU(Mem{Base: tab, Index: off, Scale: 4}, mask)
}

// hsum leaves the sum of acc's eight lanes in the low lane of acc.AsX().
func hsum(acc VecVirtual) {
	lo, t := acc.AsX(), XMM()
	VEXTRACTF128(U8(1), acc, t)
	VADDPS(t, lo, lo)
	VMOVHLPS(lo, lo, t)
	VADDPS(t, lo, lo)
	VMOVSHDUP(lo, t)
	VADDSS(t, lo, lo)
}

// sumTree adds accs pairwise into accs[0].
func sumTree(accs []VecVirtual) {
	for len(accs) > 1 {
		h := (len(accs) + 1) / 2
		for i := h; i < len(accs); i++ {
			VADDPS(accs[i], accs[i-h], accs[i-h])
		}
		accs = accs[:h]
	}
}

// addr is the frame address of an argument, to use it as a memory operand.
func addr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

func ymms(n int) []VecVirtual {
	v := make([]VecVirtual, n)
	for i := range v {
		v[i] = YMM()
	}
	return v
}

// genMatMulPanel emits matMulPanel<nr>: one panel of nr output columns of
// Y = X·Wᵀ + b over one block of at most kcMax inputs.
//
// The panel's W columns are packed transposed into the function's own stack
// frame (kc×nr floats, padded with zeros up to nr columns), so that the
// micro-kernel, mr rows of Y at a time, reads one contiguous vector of nr
// weights per input and multiplies it by a broadcast X element for each row:
// mr·nr/8 independent accumulators, all of them FMAs from registers but one
// operand. Packing into the frame costs no allocation and no zeroing by Go.
func genMatMulPanel(nr, mr int) {
	const kcMax = 256 // = matMulKC in kernels_avx2_amd64.go, which never exceeds it
	nv := nr / lanes
	name := fmt.Sprintf("matMulPanel%d", nr)
	TEXT(name, 0, "func(m, kc, nc int, x []float32, ldx int, w []float32, ldw int, b []float32, y []float32, ldy int, accum bool)")
	Pragma("noescape")
	lo := (nv-1)*lanes + 1
	Doc(
		fmt.Sprintf("%s computes nc columns (%d ≤ nc ≤ %d) of Y = X·Wᵀ + b over a block of", name, lo, nr),
		fmt.Sprintf("kc inputs (1 ≤ kc ≤ %d), for m ≥ 1 rows: for i < m and j < nc,", kcMax),
		"",
		"\tY[i*ldy+j] = Y0 + Σ_{p<kc} X[i*ldx+p]·W[j*ldw+p]",
		"",
		"where Y0 is Y[i*ldy+j] itself when accum is true (a later block of inputs),",
		"else b[j], or 0 when b is nil. x, w and y start at the block's first",
		"element; nothing outside the m×nc elements of Y is written.",
	)

	// Frame: 32 bytes of alignment slack, the bias row (nr floats), then the
	// packed panel, kc rows of nr floats.
	frame := AllocLocal(32 + 4*nr + 4*nr*kcMax)
	biasRow := GP64()
	LEAQ(frame, biasRow)
	ADDQ(U8(31), biasRow)
	ANDQ(I8(-32), biasRow)
	panel := Mem{Base: biasRow, Disp: 4 * nr}

	kc := Load(Param("kc"), GP64())
	nc := Load(Param("nc"), GP64())

	// Zero the bias row and, when the panel is narrower than nr, the panel.
	z := YMM()
	VXORPS(z, z, z)
	for v := 0; v < nv; v++ {
		VMOVAPS(z, Mem{Base: biasRow, Disp: 32 * v})
	}
	CMPQ(nc, U8(nr))
	JEQ(LabelRef(name + "_pack"))
	{
		p, cnt := GP64(), GP64()
		LEAQ(panel, p)
		MOVQ(kc, cnt)
		Label(name + "_zero")
		for v := 0; v < nv; v++ {
			VMOVAPS(z, Mem{Base: p, Disp: 32 * v})
		}
		ADDQ(U8(4*nr), p)
		DECQ(cnt)
		JNZ(LabelRef(name + "_zero"))
	}

	// Pack W[j, 0:kc] into column j of the panel, and b[j] into the bias row.
	Label(name + "_pack")
	{
		bb := Load(Param("b").Base(), GP64())
		acc := Load(Param("accum"), GP64())
		TESTQ(acc, acc)
		JNZ(LabelRef(name + "_packw"))
		TESTQ(bb, bb)
		JZ(LabelRef(name + "_packw"))
		j, t := GP64(), GP32()
		XORQ(j, j)
		Label(name + "_packb")
		MOVL(Mem{Base: bb, Index: j, Scale: 4}, t)
		MOVL(t, Mem{Base: biasRow, Index: j, Scale: 4})
		INCQ(j)
		CMPQ(j, nc)
		JNE(LabelRef(name + "_packb"))
	}
	Label(name + "_packw")
	{
		// p0 is where the scalar packing starts: 0 for a partial panel; for
		// a full one, the inputs left after 8×8 blocks moved by transposes.
		w := Load(Param("w").Base(), GP64())
		ldw := Load(Param("ldw"), GP64())
		SHLQ(U8(2), ldw)
		p0 := GP64()
		XORQ(p0, p0)
		CMPQ(nc, U8(nr))
		JNE(LabelRef(name + "_packs"))
		MOVQ(kc, p0)
		ANDQ(I8(-8), p0)
		for h := 0; h < nv; h++ {
			l := fmt.Sprintf("%s_packt%d", name, h)
			wb := []Register{GP64(), GP64(), GP64()}
			MOVQ(w, wb[0])
			if h > 0 { // 8 rows down
				LEAQ(Mem{Base: w, Index: ldw, Scale: 8}, wb[0])
			}
			for i := 1; i < 3; i++ {
				LEAQ(Mem{Base: wb[i-1], Index: ldw, Scale: 2}, wb[i])
				ADDQ(ldw, wb[i])
			}
			dst, cnt := GP64(), GP64()
			LEAQ(panel.Offset(32*h), dst)
			MOVQ(kc, cnt)
			SHRQ(U8(3), cnt)
			JZ(LabelRef(name + "_packs"))
			Label(l)
			rows := ymms(8)
			for i := range rows {
				VMOVUPS(rowAddr(wb[i/3], ldw, i%3, 0), rows[i])
			}
			for i, col := range transpose8(rows) {
				VMOVAPS(col, Mem{Base: dst, Disp: 4 * nr * i})
			}
			for _, b := range wb {
				ADDQ(U8(32), b)
			}
			ADDQ(U32(32*nr), dst)
			DECQ(cnt)
			JNZ(LabelRef(l))
		}

		// Scalar packing of inputs p0…kc−1 of the nc columns.
		Label(name + "_packs")
		cnt0 := GP64()
		MOVQ(kc, cnt0)
		SUBQ(p0, cnt0)
		JZ(LabelRef(name + "_packed"))
		LEAQ(Mem{Base: w, Index: p0, Scale: 4}, w)
		dstCol := GP64()
		MOVQ(p0, dstCol)
		SHLQ(U8(log2(4*nr)), dstCol)
		LEAQ(panel, p0) // p0 is free now
		ADDQ(p0, dstCol)
		j := GP64()
		MOVQ(nc, j)
		Label(name + "_packcol")
		src, dst, cnt := GP64(), GP64(), GP64()
		MOVQ(w, src)
		MOVQ(dstCol, dst)
		MOVQ(cnt0, cnt)
		Label(name + "_pack1")
		t := GP32()
		MOVL(Mem{Base: src}, t)
		MOVL(t, Mem{Base: dst})
		ADDQ(U8(4), src)
		ADDQ(U8(4*nr), dst)
		DECQ(cnt)
		JNZ(LabelRef(name + "_pack1"))
		ADDQ(ldw, w)
		ADDQ(U8(4), dstCol)
		DECQ(j)
		JNZ(LabelRef(name + "_packcol"))
	}
	Label(name + "_packed")

	// Sweep the rows of X and Y, mr at a time, then the remaining 1…mr−1.
	xrow := Load(Param("x").Base(), GP64())
	yrow := Load(Param("y").Base(), GP64())
	rows := Load(Param("m"), GP64())
	Label(name + "_rows")
	CMPQ(rows, U8(mr))
	JB(LabelRef(name + "_tail"))
	matMulMicro(name, mr, nv, xrow, yrow, biasRow, panel, kc, nc)
	t := Load(Param("ldx"), GP64())
	IMUL3Q(U32(4*mr), t, t)
	ADDQ(t, xrow)
	t = Load(Param("ldy"), GP64())
	IMUL3Q(U32(4*mr), t, t)
	ADDQ(t, yrow)
	SUBQ(U8(mr), rows)
	JMP(LabelRef(name + "_rows"))

	Label(name + "_tail")
	for r := mr - 1; r >= 1; r-- {
		CMPQ(rows, U8(r))
		JEQ(LabelRef(fmt.Sprintf("%s_tail%d", name, r)))
	}
	JMP(LabelRef(name + "_done"))
	for r := mr - 1; r >= 1; r-- {
		Label(fmt.Sprintf("%s_tail%d", name, r))
		matMulMicro(name, r, nv, xrow, yrow, biasRow, panel, kc, nc)
		JMP(LabelRef(name + "_done"))
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// matMulMicro emits the mr×(8·nv) micro-kernel at rows xrow (of X) and yrow
// (of Y): initialise the accumulators from Y or the bias row, run the kc
// inputs of the packed panel, store.
func matMulMicro(name string, mr, nv int, xrow, yrow, biasRow Register, panel Mem, kc, nc Register) {
	l := fmt.Sprintf("%s_m%d", name, mr)
	nr := nv * lanes
	Commentf("%d×%d micro-kernel", mr, nr)
	acc := make([][]VecVirtual, mr)
	for i := range acc {
		acc[i] = ymms(nv)
	}
	// With fewer than 8 accumulators the FMAs' latency (4 cycles, 2 per
	// cycle) would bound the loop: odd inputs then go to a second set, added
	// in before the store.
	var acc2 [][]VecVirtual
	if mr*nv < 8 {
		acc2 = make([][]VecVirtual, mr)
		for i := range acc2 {
			acc2[i] = ymms(nv)
			for _, a := range acc2[i] {
				VXORPS(a, a, a)
			}
		}
	}
	// yBases returns row strides and bases: row i of the block of Y is
	// rowAddr(bs[i/3], ldy, i%3, …).
	yBases := func() (Register, []Register) {
		ldy := Load(Param("ldy"), GP64())
		SHLQ(U8(2), ldy)
		bs := []Register{yrow}
		for i := 3; i < mr; i += 3 {
			b := GP64()
			LEAQ(Mem{Base: bs[len(bs)-1], Index: ldy, Scale: 2}, b)
			ADDQ(ldy, b)
			bs = append(bs, b)
		}
		return ldy, bs
	}

	full := l + "_full"
	accum := Load(Param("accum"), GP64())
	TESTQ(accum, accum)
	JNZ(LabelRef(l + "_loady"))
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			VMOVAPS(Mem{Base: biasRow, Disp: 32 * v}, acc[i][v])
		}
	}
	JMP(LabelRef(l + "_k"))

	Label(l + "_loady")
	{
		ldy, ys := yBases()
		CMPQ(nc, U8(nr))
		JEQ(LabelRef(l + "_loadyfull"))
		mask := YMM()
		n := GP64()
		MOVQ(nc, n)
		SUBQ(U8(nr-lanes), n)
		loadMask(n, mask)
		for i := 0; i < mr; i++ {
			for v := 0; v < nv; v++ {
				a := rowAddr(ys[i/3], ldy, i%3, 32*v)
				if v == nv-1 {
					VMASKMOVPS(a, mask, acc[i][v])
				} else {
					VMOVUPS(a, acc[i][v])
				}
			}
		}
		JMP(LabelRef(l + "_k"))
		Label(l + "_loadyfull")
		for i := 0; i < mr; i++ {
			for v := 0; v < nv; v++ {
				VMOVUPS(rowAddr(ys[i/3], ldy, i%3, 32*v), acc[i][v])
			}
		}
	}

	Label(l + "_k")
	{
		ldx := Load(Param("ldx"), GP64())
		SHLQ(U8(2), ldx)
		xs := []Register{GP64()}
		MOVQ(xrow, xs[0])
		for i := 3; i < mr; i += 3 {
			b := GP64()
			LEAQ(Mem{Base: xs[len(xs)-1], Index: ldx, Scale: 2}, b)
			ADDQ(ldx, b)
			xs = append(xs, b)
		}
		wp, cnt := GP64(), GP64()
		LEAQ(panel, wp)
		MOVQ(kc, cnt)
		step := func(u int) {
			into := acc
			if acc2 != nil && u%2 == 1 {
				into = acc2
			}
			w := ymms(nv)
			for v := 0; v < nv; v++ {
				VMOVAPS(Mem{Base: wp, Disp: 4*nr*u + 32*v}, w[v])
			}
			for i := 0; i < mr; i++ {
				xb := YMM()
				VBROADCASTSS(rowAddr(xs[i/3], ldx, i%3, 4*u), xb)
				for v := 0; v < nv; v++ {
					VFMADD231PS(w[v], xb, into[i][v])
				}
			}
		}
		const unroll = 4
		Label(l + "_k4")
		CMPQ(cnt, U8(unroll))
		JB(LabelRef(l + "_k1"))
		for u := 0; u < unroll; u++ {
			step(u)
		}
		for _, x := range xs {
			ADDQ(U8(4*unroll), x)
		}
		ADDQ(U32(4*nr*unroll), wp)
		SUBQ(U8(unroll), cnt)
		JMP(LabelRef(l + "_k4"))
		Label(l + "_k1")
		TESTQ(cnt, cnt)
		JZ(LabelRef(l + "_store"))
		step(0)
		for _, x := range xs {
			ADDQ(U8(4), x)
		}
		ADDQ(U8(4*nr), wp)
		DECQ(cnt)
		JMP(LabelRef(l + "_k1"))
	}

	Label(l + "_store")
	for i := range acc2 {
		for v := range acc2[i] {
			VADDPS(acc2[i][v], acc[i][v], acc[i][v])
		}
	}
	ldy, ys := yBases()
	CMPQ(nc, U8(nr))
	JEQ(LabelRef(full))
	{
		// The last vector of each row holds r = nc − (nr − 8) < 8 valid
		// lanes. One branch on r, then plain 16-, 8- and 4-byte stores per
		// row: a masked VMASKMOVPS store costs over ten cycles on AMD's
		// CPUs, more than the rest of a row when k is small.
		r := GP64()
		MOVQ(nc, r)
		SUBQ(U8(nr-lanes), r)
		for lanesLeft := 1; lanesLeft < lanes; lanesLeft++ {
			CMPQ(r, U8(lanesLeft))
			JEQ(LabelRef(fmt.Sprintf("%s_r%d", l, lanesLeft)))
		}
		for lanesLeft := 1; lanesLeft < lanes; lanesLeft++ {
			Label(fmt.Sprintf("%s_r%d", l, lanesLeft))
			for i := 0; i < mr; i++ {
				for v := 0; v < nv; v++ {
					a := rowAddr(ys[i/3], ldy, i%3, 32*v)
					if v == nv-1 {
						storeLanes(acc[i][v], a, lanesLeft)
					} else {
						VMOVUPS(acc[i][v], a)
					}
				}
			}
			JMP(LabelRef(l + "_end"))
		}
	}
	Label(full)
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			VMOVUPS(acc[i][v], rowAddr(ys[i/3], ldy, i%3, 32*v))
		}
	}
	Label(l + "_end")
}

// storeLanes stores the first r < 8 lanes of v at a, and nothing else.
func storeLanes(v VecVirtual, a Mem, r int) {
	x := v.AsX()
	if r >= 4 {
		VMOVUPS(x, a)
		if r == 4 {
			return
		}
		hi := XMM()
		VEXTRACTF128(U8(1), v, hi)
		x, a, r = hi, a.Offset(16), r-4
	}
	switch r {
	case 1:
		VMOVSS(x, a)
	case 2:
		VMOVLPS(x, a)
	case 3:
		VMOVLPS(x, a)
		VEXTRACTPS(U8(2), x, a.Offset(8))
	}
}

// rowAddr addresses row i < 3 of a block at base with row stride ld (bytes).
func rowAddr(base, ld Register, i int, disp int) Mem {
	switch i {
	case 0:
		return Mem{Base: base, Disp: disp}
	case 1:
		return Mem{Base: base, Index: ld, Scale: 1, Disp: disp}
	default:
		return Mem{Base: base, Index: ld, Scale: 2, Disp: disp}
	}
}

// transpose8 returns the eight columns of the 8×8 matrix whose rows are rows.
func transpose8(rows []VecVirtual) []VecVirtual {
	t := ymms(8)
	for i := 0; i < 8; i += 2 {
		// t[i] = r_i0 r_(i+1)0 r_i1 r_(i+1)1 | same for lanes 4, 5; t[i+1] the odd pairs.
		VUNPCKLPS(rows[i+1], rows[i], t[i])
		VUNPCKHPS(rows[i+1], rows[i], t[i+1])
	}
	q := ymms(8)
	for _, g := range []int{0, 4} {
		// Four rows' elements 0 (and 4), 1 (5), 2 (6), 3 (7).
		VSHUFPS(U8(0x44), t[g+2], t[g], q[g])
		VSHUFPS(U8(0xEE), t[g+2], t[g], q[g+1])
		VSHUFPS(U8(0x44), t[g+3], t[g+1], q[g+2])
		VSHUFPS(U8(0xEE), t[g+3], t[g+1], q[g+3])
	}
	cols := ymms(8)
	for i := 0; i < 4; i++ {
		VPERM2F128(U8(0x20), q[4+i], q[i], cols[i])
		VPERM2F128(U8(0x31), q[4+i], q[i], cols[4+i])
	}
	return cols
}

func log2(n int) int {
	l := 0
	for 1<<l < n {
		l++
	}
	return l
}

// genGradW emits gradWAVX2. G is produced in blocks of mr ≤ 6 rows (outputs
// j) by 16, 8 or fewer columns (inputs p); each block runs down all m rows of
// R and X, broadcasting R[i, j] (contiguous in R's row i) against the vector
// X[i, p:p+16]: the outer-product form, with no packing, as R and X are both
// read along their rows.
func genGradW() {
	const name = "gradWAVX2"
	TEXT(name, NOSPLIT, "func(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int)")
	Pragma("noescape")
	Doc(name+" computes G = α·Rᵀ·X + β·G for R m×n, X m×k and G n×k (m ≥ 0; n, k ≥ 1),",
		"each row-major with strides ldr, ldx and ldg, not reading G when β is ±0:",
		"Impl.GradW's loop, summed in another order with fused multiply-adds.")
	p0 := GP64()
	XORQ(p0, p0)
	krem := func() Register {
		r := Load(Param("k"), GP64())
		SUBQ(p0, r)
		return r
	}
	Label(name + "_p16")
	kr := krem()
	CMPQ(kr, U8(16))
	JB(LabelRef(name + "_p8"))
	gradWCols(name+"_c16", 2, false, p0, krem)
	ADDQ(U8(16), p0)
	JMP(LabelRef(name + "_p16"))

	Label(name + "_p8")
	kr = krem()
	CMPQ(kr, U8(8))
	JB(LabelRef(name + "_pm"))
	gradWCols(name+"_c8", 1, false, p0, krem)
	ADDQ(U8(8), p0)

	Label(name + "_pm")
	kr = krem()
	TESTQ(kr, kr)
	JZ(LabelRef(name + "_done"))
	gradWCols(name+"_cm", 1, true, p0, krem)

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// gradWCols emits the loop over all rows of G, six at a time then the rest,
// for the 8·nv columns from p0 (the last vector masked to k−p0 lanes when
// masked).
func gradWCols(l string, nv int, masked bool, p0 Register, krem func() Register) {
	const mr = 6
	j0 := GP64()
	XORQ(j0, j0)
	Label(l + "_rows")
	nrem := Load(Param("n"), GP64())
	SUBQ(j0, nrem)
	CMPQ(nrem, U8(mr))
	JB(LabelRef(l + "_tail"))
	gradWBlock(fmt.Sprintf("%s_m%d", l, mr), mr, nv, masked, p0, j0, krem)
	ADDQ(U8(mr), j0)
	JMP(LabelRef(l + "_rows"))
	Label(l + "_tail")
	for r := mr - 1; r >= 1; r-- {
		CMPQ(nrem, U8(r))
		JEQ(LabelRef(fmt.Sprintf("%s_m%d", l, r)))
	}
	JMP(LabelRef(l + "_end"))
	for r := mr - 1; r >= 1; r-- {
		gradWBlock(fmt.Sprintf("%s_m%d", l, r), r, nv, masked, p0, j0, krem)
		JMP(LabelRef(l + "_end"))
	}
	Label(l + "_end")
}

func gradWBlock(l string, mr, nv int, masked bool, p0, j0 Register, krem func() Register) {
	Label(l)
	acc := make([][]VecVirtual, mr)
	for i := range acc {
		acc[i] = ymms(nv)
		for _, a := range acc[i] {
			VXORPS(a, a, a)
		}
	}
	var mask VecVirtual
	if masked {
		mask = YMM()
		loadMask(krem(), mask)
	}
	xi := Load(Param("x").Base(), GP64())
	LEAQ(Mem{Base: xi, Index: p0, Scale: 4}, xi)
	ri := Load(Param("r").Base(), GP64())
	LEAQ(Mem{Base: ri, Index: j0, Scale: 4}, ri)
	ldx := Load(Param("ldx"), GP64())
	SHLQ(U8(2), ldx)
	ldr := Load(Param("ldr"), GP64())
	SHLQ(U8(2), ldr)
	cnt := Load(Param("m"), GP64())
	// row multiplies row i of R and X into the accumulators into.
	row := func(into [][]VecVirtual) {
		xv := ymms(nv)
		for v := 0; v < nv; v++ {
			a := Mem{Base: xi, Disp: 32 * v}
			if masked && v == nv-1 {
				VMASKMOVPS(a, mask, xv[v])
			} else {
				VMOVUPS(a, xv[v])
			}
		}
		for j := 0; j < mr; j++ {
			rb := YMM()
			VBROADCASTSS(Mem{Base: ri, Disp: 4 * j}, rb)
			for v := 0; v < nv; v++ {
				VFMADD231PS(xv[v], rb, into[j][v])
			}
		}
		ADDQ(ldx, xi)
		ADDQ(ldr, ri)
	}
	if mr*nv < 8 {
		// Too few accumulators to hide the FMAs' latency: odd rows go to a
		// second set.
		acc2 := make([][]VecVirtual, mr)
		for j := range acc2 {
			acc2[j] = ymms(nv)
			for _, a := range acc2[j] {
				VXORPS(a, a, a)
			}
		}
		Label(l + "_i2")
		CMPQ(cnt, U8(2))
		JB(LabelRef(l + "_i1"))
		row(acc)
		row(acc2)
		SUBQ(U8(2), cnt)
		JMP(LabelRef(l + "_i2"))
		Label(l + "_i1")
		TESTQ(cnt, cnt)
		JZ(LabelRef(l + "_sum2"))
		row(acc)
		Label(l + "_sum2")
		for j := range acc2 {
			for v := range acc2[j] {
				VADDPS(acc2[j][v], acc[j][v], acc[j][v])
			}
		}
	} else {
		TESTQ(cnt, cnt)
		JZ(LabelRef(l + "_store"))
		Label(l + "_i")
		row(acc)
		DECQ(cnt)
		JNZ(LabelRef(l + "_i"))
	}

	Label(l + "_store")
	// Row j of the block is G[(j0+j)*ldg + p0 …].
	ldg := Load(Param("ldg"), GP64())
	SHLQ(U8(2), ldg)
	gb := []Register{Load(Param("g").Base(), GP64())}
	LEAQ(Mem{Base: gb[0], Index: p0, Scale: 4}, gb[0])
	t := GP64()
	MOVQ(j0, t)
	IMULQ(ldg, t)
	ADDQ(t, gb[0])
	for j := 3; j < mr; j += 3 {
		b := GP64()
		LEAQ(Mem{Base: gb[len(gb)-1], Index: ldg, Scale: 2}, b)
		ADDQ(ldg, b)
		gb = append(gb, b)
	}
	var accs []VecVirtual
	var addrs []Mem
	var masks []VecVirtual
	for j := 0; j < mr; j++ {
		for v := 0; v < nv; v++ {
			accs = append(accs, acc[j][v])
			addrs = append(addrs, rowAddr(gb[j/3], ldg, j%3, 32*v))
			if masked && v == nv-1 {
				masks = append(masks, mask)
			} else {
				masks = append(masks, nil)
			}
		}
	}
	scaledStores(l, accs, addrs, masks)
}

// scaledStores writes α·acc + β·G to each address, or α·acc without reading
// when β is ±0, with α and β the function's arguments alpha and beta.
func scaledStores(l string, accs []VecVirtual, addrs []Mem, masks []VecVirtual) {
	ya := YMM()
	VBROADCASTSS(addr(Param("alpha")), ya)
	bits := GP32()
	MOVL(addr(Param("beta")), bits)
	ANDL(U32(0x7fffffff), bits)
	JZ(LabelRef(l + "_beta0"))
	yb := YMM()
	VBROADCASTSS(addr(Param("beta")), yb)
	for i, a := range accs {
		t := YMM()
		load(addrs[i], masks[i], t)
		VMULPS(yb, t, t)
		VFMADD231PS(a, ya, t)
		store(t, masks[i], addrs[i])
	}
	JMP(LabelRef(l + "_stored"))
	Label(l + "_beta0")
	for i, a := range accs {
		VMULPS(ya, a, a)
		store(a, masks[i], addrs[i])
	}
	Label(l + "_stored")
}

// genColSums emits colSumsAVX2: 32, 8 or fewer columns at a time, each summed
// down all m rows into two sets of accumulators (even and odd rows) so that
// consecutive adds are independent.
func genColSums() {
	const name = "colSumsAVX2"
	TEXT(name, NOSPLIT, "func(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32)")
	Pragma("noescape")
	Doc(name+" computes g = α·(column sums of R) + β·g for R m×n (m ≥ 0, n ≥ 1) with",
		"row stride ldr, not reading g when β is ±0: Impl.ColSums's loop, summed",
		"in another order.")
	j0 := GP64()
	XORQ(j0, j0)
	nrem := func() Register {
		r := Load(Param("n"), GP64())
		SUBQ(j0, r)
		return r
	}
	Label(name + "_c32")
	nr := nrem()
	CMPQ(nr, U8(32))
	JB(LabelRef(name + "_c8"))
	colSumsBlock(name+"_b32", 4, false, j0, nrem)
	ADDQ(U8(32), j0)
	JMP(LabelRef(name + "_c32"))
	Label(name + "_c8")
	nr = nrem()
	CMPQ(nr, U8(8))
	JB(LabelRef(name + "_cm"))
	colSumsBlock(name+"_b8", 1, false, j0, nrem)
	ADDQ(U8(8), j0)
	JMP(LabelRef(name + "_c8"))
	Label(name + "_cm")
	nr = nrem()
	TESTQ(nr, nr)
	JZ(LabelRef(name + "_done"))
	colSumsBlock(name+"_bm", 1, true, j0, nrem)
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

func colSumsBlock(l string, nv int, masked bool, j0 Register, nrem func() Register) {
	even, odd := ymms(nv), ymms(nv)
	for v := 0; v < nv; v++ {
		VXORPS(even[v], even[v], even[v])
		VXORPS(odd[v], odd[v], odd[v])
	}
	var mask VecVirtual
	if masked {
		mask = YMM()
		loadMask(nrem(), mask)
	}
	ri := Load(Param("r").Base(), GP64())
	LEAQ(Mem{Base: ri, Index: j0, Scale: 4}, ri)
	ldr := Load(Param("ldr"), GP64())
	SHLQ(U8(2), ldr)
	cnt := Load(Param("m"), GP64())
	add := func(a Mem, acc VecVirtual) {
		if masked {
			t := YMM()
			VMASKMOVPS(a, mask, t)
			VADDPS(t, acc, acc)
		} else {
			VADDPS(a, acc, acc)
		}
	}
	Label(l + "_i2")
	CMPQ(cnt, U8(2))
	JB(LabelRef(l + "_i1"))
	for v := 0; v < nv; v++ {
		add(Mem{Base: ri, Disp: 32 * v}, even[v])
		add(Mem{Base: ri, Index: ldr, Scale: 1, Disp: 32 * v}, odd[v])
	}
	LEAQ(Mem{Base: ri, Index: ldr, Scale: 2}, ri)
	SUBQ(U8(2), cnt)
	JMP(LabelRef(l + "_i2"))
	Label(l + "_i1")
	TESTQ(cnt, cnt)
	JZ(LabelRef(l + "_sum"))
	for v := 0; v < nv; v++ {
		add(Mem{Base: ri, Disp: 32 * v}, even[v])
	}
	Label(l + "_sum")
	gp := Load(Param("g").Base(), GP64())
	LEAQ(Mem{Base: gp, Index: j0, Scale: 4}, gp)
	var addrs []Mem
	var masks []VecVirtual
	for v := 0; v < nv; v++ {
		VADDPS(odd[v], even[v], even[v])
		addrs = append(addrs, Mem{Base: gp, Disp: 32 * v})
		masks = append(masks, mask)
	}
	scaledStores(l, even, addrs, masks)
}

// streamLoop emits the usual shape of the one-pass kernels over n elements:
// body(u, nil, true) for u < unroll on full vectors while unroll·8 elements
// remain, then body(0, nil, false) per vector, then body(0, mask, false) once
// for the last 1…7.
// body must advance nothing: offsets are 32·u from the pointers, which
// streamLoop advances.
func streamLoop(name string, n Register, ptrs []Register, unroll int, body func(u int, mask VecVirtual, big bool)) {
	streamLoopTail(name, n, ptrs, unroll, body, true)
}

// streamLoopTail is streamLoop, leaving the last n < 8 elements to the caller
// when masked is false.
func streamLoopTail(name string, n Register, ptrs []Register, unroll int, body func(u int, mask VecVirtual, big bool), masked bool) {
	Label(name + "_big")
	CMPQ(n, U32(lanes*unroll))
	JB(LabelRef(name + "_one"))
	for u := 0; u < unroll; u++ {
		body(u, nil, true)
	}
	for _, p := range ptrs {
		ADDQ(U32(32*unroll), p)
	}
	SUBQ(U32(lanes*unroll), n)
	JMP(LabelRef(name + "_big"))

	Label(name + "_one")
	CMPQ(n, U8(lanes))
	JB(LabelRef(name + "_tail"))
	body(0, nil, false)
	for _, p := range ptrs {
		ADDQ(U8(32), p)
	}
	SUBQ(U8(lanes), n)
	JMP(LabelRef(name + "_one"))

	Label(name + "_tail")
	if !masked {
		return
	}
	TESTQ(n, n)
	JZ(LabelRef(name + "_end"))
	mask := YMM()
	loadMask(n, mask)
	body(0, mask, false)
	Label(name + "_end")
}

// scalarTail emits a loop running one(), then advancing ptrs by one element,
// for each of the n < 8 elements left: for kernels that store, where a masked
// VMASKMOVPS store is slow on some CPUs (tens of cycles on AMD's) and stalls
// the next loads of the same bytes, which it cannot forward to.
func scalarTail(name string, n Register, ptrs []Register, one func()) {
	TESTQ(n, n)
	JZ(LabelRef(name + "_tailend"))
	Label(name + "_tail1")
	one()
	for _, p := range ptrs {
		ADDQ(U8(4), p)
	}
	DECQ(n)
	JNZ(LabelRef(name + "_tail1"))
	Label(name + "_tailend")
}

// load reads the vector at a, or its masked lanes (the others read as 0 and do
// not fault) when mask is not nil.
func load(a Mem, mask, dst VecVirtual) {
	if mask == nil {
		VMOVUPS(a, dst)
	} else {
		VMASKMOVPS(a, mask, dst)
	}
}

func store(src VecVirtual, mask VecVirtual, a Mem) {
	if mask == nil {
		VMOVUPS(src, a)
	} else {
		VMASKMOVPS(src, mask, a)
	}
}

// sqErr kernels: Σ (p − t)² only, also writing r = p − t, or writing r with
// non-temporal stores.
const (
	sumOnly = iota
	writeR
	writeRStream
)

func genSqErr(mode int) {
	switch mode {
	case sumOnly:
		const name = "sqErrSumAVX2"
		TEXT(name, NOSPLIT, "func(p, t []float32) float32")
		Pragma("noescape")
		Doc(name + " returns Σ (p − t)², for len(p) ≥ 1 and t at least as long.")
		sqErrBody(name, sumOnly)
	default:
		const name = "sqErrAVX2"
		TEXT(name, NOSPLIT, "func(r, p, t []float32) float32")
		Pragma("noescape")
		Doc(name+" writes r = p − t and returns Σ r², for len(r) ≥ 1 and p and t at least",
			"as long. From 2²⁰ elements, when r is neither p nor t, it writes r with",
			"non-temporal stores, which bypass the caches: there, writing r through",
			"them would evict p and t and read r's old contents from memory first.",
			"When r is p or t its lines are in cache, just read, and ordinary stores",
			"are faster.")
		n := Load(Param("r").Len(), GP64())
		CMPQ(n, U32(sqErrStreamMin))
		JB(LabelRef(name + "_cached"))
		rp := Load(Param("r").Base(), GP64())
		pp := Load(Param("p").Base(), GP64())
		CMPQ(rp, pp)
		JEQ(LabelRef(name + "_cached"))
		tp := Load(Param("t").Base(), GP64())
		CMPQ(rp, tp)
		JEQ(LabelRef(name + "_cached"))
		sqErrBody(name+"_nt", writeRStream)
		Label(name + "_cached")
		sqErrBody(name, writeR)
	}
}

// sqErrStreamMin is the length from which sqErrAVX2 may stream r: 4 MiB per
// operand, beyond any core's L2.
const sqErrStreamMin = 1 << 20

// sqErrBody emits one complete path (ending in RET) of the sqErr kernels.
func sqErrBody(name string, mode int) {
	const unroll = 8
	var rp Register
	ptrs := []Register{}
	if mode != sumOnly {
		rp = Load(Param("r").Base(), GP64())
		ptrs = append(ptrs, rp)
	}
	pp := Load(Param("p").Base(), GP64())
	tp := Load(Param("t").Base(), GP64())
	ptrs = append(ptrs, pp, tp)
	var n Register
	if mode != sumOnly {
		n = Load(Param("r").Len(), GP64())
	} else {
		n = Load(Param("p").Len(), GP64())
	}
	// Fewer than 16 elements (the tutorial's 5×2 residuals): a scalar loop
	// over two accumulators, without the vector set-up and reduction, which
	// cost more than the work there.
	CMPQ(n, U8(16))
	JAE(LabelRef(name + "_vector"))
	{
		a := []VecVirtual{XMM(), XMM()}
		for _, x := range a {
			VXORPS(x, x, x)
		}
		one := func(off int, into VecVirtual) {
			d := XMM()
			VMOVSS(Mem{Base: pp, Disp: off}, d)
			VSUBSS(Mem{Base: tp, Disp: off}, d, d)
			if mode != sumOnly {
				VMOVSS(d, Mem{Base: rp, Disp: off})
			}
			VFMADD231SS(d, d, into)
		}
		Label(name + "_small2")
		CMPQ(n, U8(2))
		JB(LabelRef(name + "_small1"))
		one(0, a[0])
		one(4, a[1])
		for _, p := range ptrs {
			ADDQ(U8(8), p)
		}
		SUBQ(U8(2), n)
		JMP(LabelRef(name + "_small2"))
		Label(name + "_small1")
		TESTQ(n, n)
		JZ(LabelRef(name + "_smalldone"))
		one(0, a[0])
		Label(name + "_smalldone")
		VADDSS(a[1], a[0], a[0])
		VZEROUPPER()
		Store(a[0], ReturnIndex(0))
		RET()
	}
	Label(name + "_vector")
	acc := ymms(unroll)
	for _, a := range acc {
		VXORPS(a, a, a)
	}
	body := func(u int, mask VecVirtual, big bool) {
		d, t := YMM(), YMM()
		load(Mem{Base: pp, Disp: 32 * u}, mask, d)
		if mask == nil {
			VSUBPS(Mem{Base: tp, Disp: 32 * u}, d, d)
		} else {
			load(Mem{Base: tp}, mask, t)
			VSUBPS(t, d, d)
		}
		switch {
		case mode == writeRStream && big:
			VMOVNTPS(d, Mem{Base: rp, Disp: 32 * u})
		case mode != sumOnly:
			store(d, mask, Mem{Base: rp, Disp: 32 * u})
		}
		VFMADD231PS(d, d, acc[u])
	}
	if mode == writeRStream {
		// VMOVNTPS needs r 32-byte aligned: first do the h < 8 elements
		// up to the next boundary, masked, when there are more than h.
		h := GP64()
		MOVQ(rp, h)
		NEGQ(h)
		ANDQ(U8(31), h)
		SHRQ(U8(2), h)
		JZ(LabelRef(name + "_aligned"))
		CMPQ(n, h)
		JBE(LabelRef(name + "_aligned"))
		mask := YMM()
		loadMask(h, mask)
		body(0, mask, false)
		for _, p := range ptrs {
			LEAQ(Mem{Base: p, Index: h, Scale: 4}, p)
		}
		SUBQ(h, n)
		Label(name + "_aligned")
	}
	if mode == sumOnly {
		streamLoop(name, n, ptrs, unroll, body)
	} else {
		// Separate accumulator: writing an XMM register would clear the
		// upper lanes of acc[0].
		tail := XMM()
		VXORPS(tail, tail, tail)
		streamLoopTail(name, n, ptrs, unroll, body, false)
		scalarTail(name, n, ptrs, func() {
			d := XMM()
			VMOVSS(Mem{Base: pp}, d)
			VSUBSS(Mem{Base: tp}, d, d)
			VMOVSS(d, Mem{Base: rp})
			VFMADD231SS(d, d, tail)
		})
		// VEX scalar ops keep tail's lanes 1-7 zero.
		VADDPS(tail.AsY(), acc[1], acc[1])
	}
	if mode == writeRStream {
		// Order the non-temporal stores before whatever the caller does next.
		SFENCE()
	}
	sumTree(acc)
	hsum(acc[0])
	// VZEROUPPER keeps the low 128 bits: clear the upper halves before
	// Store's legacy-SSE MOVSS so that it pays no AVX-SSE transition.
	VZEROUPPER()
	Store(acc[0].AsX(), ReturnIndex(0))
	RET()
}

func genAxpy() {
	const unroll = 8
	TEXT("axpyAVX2", NOSPLIT, "func(alpha float32, x, y []float32)")
	Pragma("noescape")
	Doc("axpyAVX2 computes y += alpha·x with fused multiply-adds, for len(y) ≥ 1 and x at",
		"least as long.")
	a := YMM()
	VBROADCASTSS(addr(Param("alpha")), a)
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("y").Len(), GP64())
	ptrs := []Register{xp, yp}
	streamLoopTail("axpyAVX2", n, ptrs, unroll, func(u int, _ VecVirtual, _ bool) {
		yv := YMM()
		VMOVUPS(Mem{Base: yp, Disp: 32 * u}, yv)
		VFMADD231PS(Mem{Base: xp, Disp: 32 * u}, a, yv)
		VMOVUPS(yv, Mem{Base: yp, Disp: 32 * u})
	}, false)
	scalarTail("axpyAVX2", n, ptrs, func() {
		yv := XMM()
		VMOVSS(Mem{Base: yp}, yv)
		VFMADD231SS(Mem{Base: xp}, a.AsX(), yv)
		VMOVSS(yv, Mem{Base: yp})
	})
	VZEROUPPER()
	RET()
}

func genDot() {
	const unroll = 8
	TEXT("dotAVX2", NOSPLIT, "func(x, y []float32) float32")
	Pragma("noescape")
	Doc("dotAVX2 returns Σ x[i]·y[i], for len(x) ≥ 1 and y at least as long.")
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	acc := ymms(unroll)
	for _, a := range acc {
		VXORPS(a, a, a)
	}
	streamLoop("dotAVX2", n, []Register{xp, yp}, unroll, func(u int, mask VecVirtual, _ bool) {
		xv, yv := YMM(), YMM()
		load(Mem{Base: xp, Disp: 32 * u}, mask, xv)
		if mask == nil {
			VFMADD231PS(Mem{Base: yp, Disp: 32 * u}, xv, acc[u])
		} else {
			load(Mem{Base: yp}, mask, yv)
			VFMADD231PS(yv, xv, acc[u])
		}
	})
	sumTree(acc)
	hsum(acc[0])
	// VZEROUPPER keeps the low 128 bits: clear the upper halves before
	// Store's legacy-SSE MOVSS so that it pays no AVX-SSE transition.
	VZEROUPPER()
	Store(acc[0].AsX(), ReturnIndex(0))
	RET()
}

// genPeakFMA emits peakFMAAVX2: 16 VFMADD231PS (256 flops) per iteration,
// acc += c·c with c = 0 so that nothing overflows or goes subnormal. Fifteen
// accumulators (the sixteenth register holds c) take them in turn, and the
// loop runs two iterations per pass, so that no chain has more than three
// dependent FMAs (12 cycles of latency) in a pass that needs 16 cycles for its
// 32 FMAs at two per cycle: the loop is bound by the FMA units' throughput,
// not by any chain's latency.
func genPeakFMA() {
	const chains, fmas = 15, 16
	const name = "peakFMAAVX2"
	TEXT(name, NOSPLIT, "func(iters int)")
	Doc(name+" runs iters ≥ 1 iterations of 16 VFMADD231PS on YMM registers (256",
		"flops each) and nothing else.")
	n := Load(Param("iters"), GP64())
	c := YMM()
	acc := ymms(chains)
	VXORPS(c, c, c)
	for _, a := range acc {
		VXORPS(a, a, a)
	}
	Label(name + "_two")
	CMPQ(n, U8(2))
	JB(LabelRef(name + "_one"))
	for i := 0; i < 2*fmas; i++ {
		VFMADD231PS(c, c, acc[i%chains])
	}
	SUBQ(U8(2), n)
	JMP(LabelRef(name + "_two"))
	Label(name + "_one")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	for i := 0; i < fmas; i++ {
		VFMADD231PS(c, c, acc[i%chains])
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// genPeakLoad emits peakLoadAVX2: every loaded vector costs one
// floating-point operation, x's an add and y's a multiply-add by 1 (exact, so
// the result is still Σ x + Σ y). Adds and FMAs run on different units, so
// neither limits the loop before the loads do (two adds per cycle would
// otherwise cap it at two loads per cycle on CPUs that issue three); 6 + 8
// accumulators cover both latencies.
func genPeakLoad() {
	const unroll, nAdd, nFMA = 16, 6, 8
	const name = "peakLoadAVX2"
	TEXT(name, NOSPLIT, "func(x, y []float32) float32")
	Pragma("noescape")
	Doc(name+" returns Σ x[i] + Σ y[i] doing one arithmetic operation per vector",
		"loaded, for len(x) ≥ 1 and y at least as long.")
	xp := Load(Param("x").Base(), GP64())
	yp := Load(Param("y").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	one := YMM()
	{
		t := GP32()
		MOVL(U32(0x3f800000), t) // 1.0
		VMOVD(t, one.AsX())
		VBROADCASTSS(one.AsX(), one)
	}
	sx, sy := ymms(nAdd), ymms(nFMA)
	for _, a := range append(append([]VecVirtual{}, sx...), sy...) {
		VXORPS(a, a, a)
	}
	streamLoop(name, n, []Register{xp, yp}, unroll, func(u int, mask VecVirtual, _ bool) {
		if mask == nil {
			VADDPS(Mem{Base: xp, Disp: 32 * u}, sx[u%nAdd], sx[u%nAdd])
			VFMADD231PS(Mem{Base: yp, Disp: 32 * u}, one, sy[u%nFMA])
			return
		}
		xv, yv := YMM(), YMM()
		load(Mem{Base: xp}, mask, xv)
		load(Mem{Base: yp}, mask, yv)
		VADDPS(xv, sx[0], sx[0])
		VADDPS(yv, sy[0], sy[0])
	})
	acc := append(sx, sy...)
	sumTree(acc)
	hsum(acc[0])
	VZEROUPPER()
	Store(acc[0].AsX(), ReturnIndex(0))
	RET()
}
