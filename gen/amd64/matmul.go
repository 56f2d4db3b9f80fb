package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The panels of matMulBias: matMulBiasKC inputs at most per call (the size
// of the packed panel in the stack frame), matMulBiasTileN columns with
// micro-kernels of 6 rows, or at most 8 columns with micro-kernels of 12
// rows; matMulBiasTileM is a multiple of both.
const (
	matMulBiasKC    = 256
	matMulBiasTileN = 16
	matMulBiasTileM = 12
)

// matMulBias emits the two panels the Go wrapper runs Y = X·Wᵀ + b with:
// matMulBias16AVX2 for 9 to 16 columns and matMulBias8AVX2 for up to 8.
func matMulBias() {
	matMulPanel(avx2, matMulBiasTileN, 6)
	matMulPanel(avx2, lanes, matMulBiasTileM)
}

// The panels of matMulBias512: at most matMulBias512TileN columns, with
// micro-kernels of matMulBiasTileM rows (24 of the 32 ZMM registers
// accumulate 12×32 floats, so each FMA needs 7/12 of a load, against 8/12 for
// avx2's 6×16); the inputs per call are matMulBiasKC as for avx2.
const matMulBias512TileN = 32

// matMulBias512 emits the AVX-512 panels: matMulBias32AVX512 for 17 to 32
// columns and matMulBias16AVX512 for up to 16 (the Go wrapper runs avx2's
// 8-column panel on 8 or fewer, where a ZMM would be half empty). Partial
// rows of Y are read and written with opmasks, not lane by lane.
func matMulBias512() {
	matMulPanel(avx512, matMulBias512TileN, matMulBiasTileM)
	matMulPanel(avx512, avx512.lanes, matMulBiasTileM)
}

// matMulPanel emits matMulBias<nr><suffix>: one panel of nr output columns of
// Y = X·Wᵀ + b over one block of at most matMulBiasKC inputs.
//
// The panel's W columns are packed transposed into the function's own stack
// frame (kc×nr floats, padded with zeros up to nr columns), so that the
// micro-kernel, mr rows of Y at a time, reads one contiguous vector of nr
// weights per input and multiplies it by a broadcast X element for each row:
// mr·nr/lanes independent accumulators, all of them FMAs from registers but one
// operand. Packing into the frame costs no allocation and no zeroing by Go.
func matMulPanel(s isa, nr, mr int) {
	nv := nr / s.lanes
	vb := s.bytes()
	name := fmt.Sprintf("matMulBias%d%s", nr, s.suffix)
	TEXT(name, 0, "func(m, kc, nc int, x []float32, ldx int, w []float32, ldw int, b []float32, y []float32, ldy int, accum bool)")
	Pragma("noescape")
	lo := (nv-1)*s.lanes + 1
	Doc(
		fmt.Sprintf("%s computes nc columns (%d ≤ nc ≤ %d) of Y = X·Wᵀ + b over a block of", name, lo, nr),
		fmt.Sprintf("kc inputs (1 ≤ kc ≤ %d), for m ≥ 1 rows: for i < m and j < nc,", matMulBiasKC),
		"",
		"\tY[i*ldy+j] = Y0 + Σ_{p<kc} X[i*ldx+p]·W[j*ldw+p]",
		"",
		"where Y0 is Y[i*ldy+j] itself when accum is true (a later block of inputs),",
		"else b[j], or 0 when b is nil. x, w and y start at the block's first",
		"element; nothing outside the m×nc elements of Y is written.",
	)

	// Frame: a vector's bytes of alignment slack, the bias row (nr floats),
	// then the packed panel, kc rows of nr floats.
	frame := AllocLocal(vb + 4*nr + 4*nr*matMulBiasKC)
	biasRow := GP64()
	LEAQ(frame, biasRow)
	ADDQ(U8(vb-1), biasRow)
	ANDQ(I8(-vb), biasRow)
	panel := Mem{Base: biasRow, Disp: 4 * nr}

	kc := Load(Param("kc"), GP64())
	nc := Load(Param("nc"), GP64())

	// Zero the bias row and, when the panel is narrower than nr, the panel.
	z := s.vec()
	s.zero(z)
	for v := 0; v < nv; v++ {
		VMOVAPS(z, Mem{Base: biasRow, Disp: vb * v})
	}
	CMPQ(nc, U8(nr))
	JEQ(LabelRef(name + "_pack"))
	{
		p, cnt := GP64(), GP64()
		LEAQ(panel, p)
		MOVQ(kc, cnt)
		Label(name + "_zero")
		for v := 0; v < nv; v++ {
			VMOVAPS(z, Mem{Base: p, Disp: vb * v})
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
		// a full one, the inputs left after 8×8 blocks moved by transposes
		// (YMM registers: the panel's nr columns are nr/8 groups of 8 rows
		// of W).
		w := Load(Param("w").Base(), GP64())
		ldw := Load(Param("ldw"), GP64())
		SHLQ(U8(2), ldw)
		p0 := GP64()
		XORQ(p0, p0)
		CMPQ(nc, U8(nr))
		JNE(LabelRef(name + "_packs"))
		MOVQ(kc, p0)
		ANDQ(I8(-8), p0)
		for h := 0; h < nr/lanes; h++ {
			l := fmt.Sprintf("%s_packt%d", name, h)
			wb := []Register{GP64(), GP64(), GP64()}
			MOVQ(w, wb[0])
			if h > 0 { // 8·h rows down
				LEAQ(Mem{Base: w, Index: ldw, Scale: 8}, wb[0])
				for i := 1; i < h; i++ {
					LEAQ(Mem{Base: wb[0], Index: ldw, Scale: 8}, wb[0])
				}
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
	matMulMicro(s, name, mr, nv, xrow, yrow, biasRow, panel, kc, nc)
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
		matMulMicro(s, name, r, nv, xrow, yrow, biasRow, panel, kc, nc)
		JMP(LabelRef(name + "_done"))
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// matMulMicro emits the mr×(lanes·nv) micro-kernel at rows xrow (of X) and yrow
// (of Y): initialise the accumulators from Y or the bias row, run the kc
// inputs of the packed panel, store.
func matMulMicro(s isa, name string, mr, nv int, xrow, yrow, biasRow Register, panel Mem, kc, nc Register) {
	l := fmt.Sprintf("%s_m%d", name, mr)
	nr := nv * s.lanes
	vb := s.bytes()
	Commentf("%d×%d micro-kernel", mr, nr)
	acc := make([][]VecVirtual, mr)
	for i := range acc {
		acc[i] = s.vecs(nv)
	}
	// With fewer than 8 accumulators the FMAs' latency (4 cycles, 2 per
	// cycle) would bound the loop: odd inputs then go to a second set, added
	// in before the store.
	var acc2 [][]VecVirtual
	if mr*nv < 8 {
		acc2 = make([][]VecVirtual, mr)
		for i := range acc2 {
			acc2[i] = s.vecs(nv)
			for _, a := range acc2[i] {
				s.zero(a)
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
			VMOVAPS(Mem{Base: biasRow, Disp: vb * v}, acc[i][v])
		}
	}
	JMP(LabelRef(l + "_k"))

	Label(l + "_loady")
	{
		ldy, ys := yBases()
		CMPQ(nc, U8(nr))
		JEQ(LabelRef(l + "_loadyfull"))
		n := GP64()
		MOVQ(nc, n)
		SUBQ(U8(nr-s.lanes), n)
		mask := s.mask(n)
		for i := 0; i < mr; i++ {
			for v := 0; v < nv; v++ {
				a := rowAddr(ys[i/3], ldy, i%3, vb*v)
				if v == nv-1 {
					s.load(a, mask, acc[i][v])
				} else {
					VMOVUPS(a, acc[i][v])
				}
			}
		}
		JMP(LabelRef(l + "_k"))
		Label(l + "_loadyfull")
		for i := 0; i < mr; i++ {
			for v := 0; v < nv; v++ {
				VMOVUPS(rowAddr(ys[i/3], ldy, i%3, vb*v), acc[i][v])
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
			w := s.vecs(nv)
			for v := 0; v < nv; v++ {
				VMOVAPS(Mem{Base: wp, Disp: 4*nr*u + vb*v}, w[v])
			}
			for i := 0; i < mr; i++ {
				xa := rowAddr(xs[i/3], ldx, i%3, 4*u)
				if s.wide() && nv == 1 {
					// The broadcast folded into the FMA ({1to16}): one
					// instruction less for the same load.
					VFMADD231PS_BCST(xa, w[0], into[i][0])
					continue
				}
				xb := s.vec()
				VBROADCASTSS(xa, xb)
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
	if s.wide() {
		// One masked store per row: AVX-512's are as fast as plain ones.
		n := GP64()
		MOVQ(nc, n)
		SUBQ(U8(nr-s.lanes), n)
		mask := s.mask(n)
		for i := 0; i < mr; i++ {
			for v := 0; v < nv; v++ {
				a := rowAddr(ys[i/3], ldy, i%3, vb*v)
				if v == nv-1 {
					s.store(acc[i][v], mask, a)
				} else {
					VMOVUPS(acc[i][v], a)
				}
			}
		}
		JMP(LabelRef(l + "_end"))
	} else {
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
			VMOVUPS(acc[i][v], rowAddr(ys[i/3], ldy, i%3, vb*v))
		}
	}
	Label(l + "_end")
}
