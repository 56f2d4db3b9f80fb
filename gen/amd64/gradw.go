package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The widest blocks of gradWAVX2 (gradWTileN rows of G by gradWTileK columns)
// and of colSumsAVX2 (colSumsTileN columns).
const (
	gradWTileN   = 6
	gradWTileK   = 16
	colSumsTileN = 32
)

// The widest blocks of gradWAVX512 (12 rows of G by 32 columns: 24 of the 32
// ZMM registers accumulate, 14 loads per 24 FMAs against avx2's 8 per 12)
// and of colSumsAVX512 (64 columns, four ZMM).
const (
	gradW512TileN   = 12
	gradW512TileK   = 32
	colSums512TileN = 64
)

// gradW emits gradWAVX2. G is produced in blocks of mr ≤ 6 rows (outputs
// j) by 16, 8 or fewer columns (inputs p); each block runs down all m rows of
// R and X, broadcasting R[i, j] (contiguous in R's row i) against the vector
// X[i, p:p+16]: the outer-product form, with no packing, as R and X are both
// read along their rows.
func gradW() { gradWKernel(avx2, gradWTileN, gradWTileK) }

// gradW512 emits gradWAVX512, gradW's loops on ZMM registers with blocks of
// gradW512TileN rows by 32, 16 or fewer columns, the last ones read and
// written under an opmask.
func gradW512() { gradWKernel(avx512, gradW512TileN, gradW512TileK) }

// gradWKernel emits gradW<suffix> with blocks of at most mr rows of G by kr
// columns (two vectors), then one vector, then one masked vector.
func gradWKernel(s isa, mr, kr int) {
	name := "gradW" + s.suffix
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
	k := krem()
	CMPQ(k, U8(kr))
	JB(LabelRef(name + "_p8"))
	gradWCols(s, name+"_c16", mr, kr/s.lanes, false, p0, krem)
	ADDQ(U8(kr), p0)
	JMP(LabelRef(name + "_p16"))

	Label(name + "_p8")
	k = krem()
	CMPQ(k, U8(s.lanes))
	JB(LabelRef(name + "_pm"))
	gradWCols(s, name+"_c8", mr, 1, false, p0, krem)
	ADDQ(U8(s.lanes), p0)

	Label(name + "_pm")
	k = krem()
	TESTQ(k, k)
	JZ(LabelRef(name + "_done"))
	gradWCols(s, name+"_cm", mr, 1, true, p0, krem)

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// gradWCols emits the loop over all rows of G, mr at a time then the rest,
// for the lanes·nv columns from p0 (the last vector masked to k−p0 lanes when
// masked).
func gradWCols(s isa, l string, mr, nv int, masked bool, p0 Register, krem func() Register) {
	j0 := GP64()
	XORQ(j0, j0)
	Label(l + "_rows")
	nrem := Load(Param("n"), GP64())
	SUBQ(j0, nrem)
	CMPQ(nrem, U8(mr))
	JB(LabelRef(l + "_tail"))
	gradWBlock(s, fmt.Sprintf("%s_m%d", l, mr), mr, nv, masked, p0, j0, krem)
	ADDQ(U8(mr), j0)
	JMP(LabelRef(l + "_rows"))
	Label(l + "_tail")
	for r := mr - 1; r >= 1; r-- {
		CMPQ(nrem, U8(r))
		JEQ(LabelRef(fmt.Sprintf("%s_m%d", l, r)))
	}
	JMP(LabelRef(l + "_end"))
	for r := mr - 1; r >= 1; r-- {
		gradWBlock(s, fmt.Sprintf("%s_m%d", l, r), r, nv, masked, p0, j0, krem)
		JMP(LabelRef(l + "_end"))
	}
	Label(l + "_end")
}

func gradWBlock(s isa, l string, mr, nv int, masked bool, p0, j0 Register, krem func() Register) {
	Label(l)
	vb := s.bytes()
	acc := make([][]VecVirtual, mr)
	for i := range acc {
		acc[i] = s.vecs(nv)
		for _, a := range acc[i] {
			s.zero(a)
		}
	}
	var mask Register
	if masked {
		mask = s.mask(krem())
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
		xv := s.vecs(nv)
		for v := 0; v < nv; v++ {
			a := Mem{Base: xi, Disp: vb * v}
			if masked && v == nv-1 {
				s.load(a, mask, xv[v])
			} else {
				VMOVUPS(a, xv[v])
			}
		}
		for j := 0; j < mr; j++ {
			if s.wide() && nv == 1 {
				// The broadcast folded into the FMA, as in matMulBias512.
				VFMADD231PS_BCST(Mem{Base: ri, Disp: 4 * j}, xv[0], into[j][0])
				continue
			}
			rb := s.vec()
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
			acc2[j] = s.vecs(nv)
			for _, a := range acc2[j] {
				s.zero(a)
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
	var masks []Register
	for j := 0; j < mr; j++ {
		for v := 0; v < nv; v++ {
			accs = append(accs, acc[j][v])
			addrs = append(addrs, rowAddr(gb[j/3], ldg, j%3, vb*v))
			if masked && v == nv-1 {
				masks = append(masks, mask)
			} else {
				masks = append(masks, nil)
			}
		}
	}
	scaledStores(s, l, accs, addrs, masks)
}

// scaledStores writes α·acc + β·G to each address, or α·acc without reading
// when β is ±0, with α and β the function's arguments alpha and beta.
func scaledStores(s isa, l string, accs []VecVirtual, addrs []Mem, masks []Register) {
	ya := s.vec()
	VBROADCASTSS(addr(Param("alpha")), ya)
	bits := GP32()
	MOVL(addr(Param("beta")), bits)
	ANDL(U32(0x7fffffff), bits)
	JZ(LabelRef(l + "_beta0"))
	yb := s.vec()
	VBROADCASTSS(addr(Param("beta")), yb)
	for i, a := range accs {
		t := s.vec()
		s.load(addrs[i], masks[i], t)
		VMULPS(yb, t, t)
		VFMADD231PS(a, ya, t)
		s.store(t, masks[i], addrs[i])
	}
	JMP(LabelRef(l + "_stored"))
	Label(l + "_beta0")
	for i, a := range accs {
		VMULPS(ya, a, a)
		s.store(a, masks[i], addrs[i])
	}
	Label(l + "_stored")
}

// colSums emits colSumsAVX2: 32, 8 or fewer columns at a time, each summed
// down all m rows into two sets of accumulators (even and odd rows) so that
// consecutive adds are independent.
func colSums() { colSumsKernel(avx2, colSumsTileN) }

// colSums512 emits colSumsAVX512: colSums's loop on ZMM registers, the last
// block of columns read and written under an opmask.
func colSums512() { colSumsKernel(avx512, colSums512TileN) }

// colSumsKernel emits colSums<suffix> with blocks of at most nr columns, then
// of one vector, then of one masked vector.
func colSumsKernel(s isa, nr int) {
	name := "colSums" + s.suffix
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
	n := nrem()
	CMPQ(n, U8(nr))
	JB(LabelRef(name + "_c8"))
	colSumsBlock(s, name+"_b32", nr/s.lanes, false, j0, nrem)
	ADDQ(U8(nr), j0)
	JMP(LabelRef(name + "_c32"))
	Label(name + "_c8")
	n = nrem()
	CMPQ(n, U8(s.lanes))
	JB(LabelRef(name + "_cm"))
	colSumsBlock(s, name+"_b8", 1, false, j0, nrem)
	ADDQ(U8(s.lanes), j0)
	JMP(LabelRef(name + "_c8"))
	Label(name + "_cm")
	n = nrem()
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	colSumsBlock(s, name+"_bm", 1, true, j0, nrem)
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

func colSumsBlock(s isa, l string, nv int, masked bool, j0 Register, nrem func() Register) {
	vb := s.bytes()
	even, odd := s.vecs(nv), s.vecs(nv)
	for v := 0; v < nv; v++ {
		s.zero(even[v])
		s.zero(odd[v])
	}
	var mask Register
	if masked {
		mask = s.mask(nrem())
	}
	ri := Load(Param("r").Base(), GP64())
	LEAQ(Mem{Base: ri, Index: j0, Scale: 4}, ri)
	ldr := Load(Param("ldr"), GP64())
	SHLQ(U8(2), ldr)
	cnt := Load(Param("m"), GP64())
	add := func(a Mem, acc VecVirtual) {
		switch {
		case masked && s.wide():
			// A merge-masked add from memory: the masked-off lanes are
			// neither read nor changed.
			VADDPS(a, acc, mask, acc)
		case masked:
			t := s.vec()
			s.load(a, mask, t)
			VADDPS(t, acc, acc)
		default:
			VADDPS(a, acc, acc)
		}
	}
	Label(l + "_i2")
	CMPQ(cnt, U8(2))
	JB(LabelRef(l + "_i1"))
	for v := 0; v < nv; v++ {
		add(Mem{Base: ri, Disp: vb * v}, even[v])
		add(Mem{Base: ri, Index: ldr, Scale: 1, Disp: vb * v}, odd[v])
	}
	LEAQ(Mem{Base: ri, Index: ldr, Scale: 2}, ri)
	SUBQ(U8(2), cnt)
	JMP(LabelRef(l + "_i2"))
	Label(l + "_i1")
	TESTQ(cnt, cnt)
	JZ(LabelRef(l + "_sum"))
	for v := 0; v < nv; v++ {
		add(Mem{Base: ri, Disp: vb * v}, even[v])
	}
	Label(l + "_sum")
	gp := Load(Param("g").Base(), GP64())
	LEAQ(Mem{Base: gp, Index: j0, Scale: 4}, gp)
	var addrs []Mem
	var masks []Register
	for v := 0; v < nv; v++ {
		VADDPS(odd[v], even[v], even[v])
		addrs = append(addrs, Mem{Base: gp, Disp: vb * v})
		masks = append(masks, mask)
	}
	scaledStores(s, l, even, addrs, masks)
}
