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

// gradW emits gradWAVX2. G is produced in blocks of mr ≤ 6 rows (outputs
// j) by 16, 8 or fewer columns (inputs p); each block runs down all m rows of
// R and X, broadcasting R[i, j] (contiguous in R's row i) against the vector
// X[i, p:p+16]: the outer-product form, with no packing, as R and X are both
// read along their rows.
func gradW() {
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
	CMPQ(kr, U8(gradWTileK))
	JB(LabelRef(name + "_p8"))
	gradWCols(name+"_c16", gradWTileK/lanes, false, p0, krem)
	ADDQ(U8(gradWTileK), p0)
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
	const mr = gradWTileN
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

// colSums emits colSumsAVX2: 32, 8 or fewer columns at a time, each summed
// down all m rows into two sets of accumulators (even and odd rows) so that
// consecutive adds are independent.
func colSums() {
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
	CMPQ(nr, U8(colSumsTileN))
	JB(LabelRef(name + "_c8"))
	colSumsBlock(name+"_b32", colSumsTileN/lanes, false, j0, nrem)
	ADDQ(U8(colSumsTileN), j0)
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
