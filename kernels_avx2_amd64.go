//go:build amd64 && gc && !purego

package edgefit

// The AVX2+FMA kernels: Go wrappers that route each call to the generated
// assembly in linalg_amd64.s (see gen/amd64) or, for shapes too small for
// vectors to pay, to the Go versions. The Impl methods have checked every
// length and stride; the assembly trusts them.

var avx2 = &Impl{name: "avx2", k: kernels{
	matMulBias: matMulBiasAVX2,
	sqErr:      ifRace(sqErrAVX2Checked, sqErrAVX2),
	sqErrSum:   ifRace(sqErrSumAVX2Checked, sqErrSumAVX2),
	gradW:      gradWAVX2Checked,
	colSums:    colSumsAVX2Checked,
	axpy:       ifRace(axpyAVX2Checked, axpyAVX2),
	dot:        ifRace(dotAVX2Checked, dotAVX2),
	gatherRows: gatherRowsGeneric, // until the assembly exists
	peakFMA:    peakFMAAVX2,
	peakLoad:   ifRace(peakLoadAVX2Checked, peakLoadAVX2),
}}

// ifRace picks the wrapper that reports memory to the race detector in race
// builds and the assembly itself otherwise: the one-pass kernels take no
// routing decision in Go, and on L1-sized operands each extra call level
// costs a few percent.
func ifRace[F any](checked, asm F) F {
	if raceEnabled {
		return checked
	}
	return asm
}

// matMulKC is the largest block of inputs the matMulPanel kernels take: their
// stack frame holds a 16×matMulKC panel of W (16 KiB, half of L1) and the
// panel is reused for every row of X. It must not exceed kcMax in
// gen/amd64/main.go, the size of that frame.
const matMulKC = 256

// tinyMatMul is the size (m·n·k) under which MatMulBias and GradW run Go
// loops: packing a panel of W, or setting up the blocks of G, costs more than
// the whole product there, as for the tutorial's 5×3×2.
const tinyMatMul = 256

// matMulBiasAVX2 runs Y = X·Wᵀ + b as panels of 16 (or, for the last one, at
// most 8) output columns, each over blocks of at most matMulKC inputs; blocks
// after the first accumulate into Y.
func matMulBiasAVX2(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	if k == 0 || m*n*k < tinyMatMul {
		if matMulBiasTiny(m, n, k, x, ldx, w, ldw, b, y, ldy) {
			return
		}
		matMulBiasGeneric(m, n, k, x, ldx, w, ldw, b, y, ldy)
		return
	}
	raceReadMatrix(x, m, k, ldx)
	raceReadMatrix(w, n, k, ldw)
	if b != nil {
		raceRead(b[:n])
	}
	raceWriteMatrix(y, m, n, ldy)
	for j0 := 0; j0 < n; j0 += 16 {
		nc := min(16, n-j0)
		var bj []float32
		if b != nil {
			bj = b[j0:]
		}
		for p0 := 0; p0 < k; p0 += matMulKC {
			kc := min(matMulKC, k-p0)
			if nc > 8 {
				matMulPanel16(m, kc, nc, x[p0:], ldx, w[j0*ldw+p0:], ldw, bj, y[j0:], ldy, p0 > 0)
			} else {
				matMulPanel8(m, kc, nc, x[p0:], ldx, w[j0*ldw+p0:], ldw, bj, y[j0:], ldy, p0 > 0)
			}
		}
	}
}

func sqErrAVX2Checked(r, p, t []float32) float32 {
	raceWrite(r)
	raceRead(p[:len(r)])
	raceRead(t[:len(r)])
	return sqErrAVX2(r, p, t)
}

func sqErrSumAVX2Checked(p, t []float32) float32 {
	raceRead(p)
	raceRead(t[:len(p)])
	return sqErrSumAVX2(p, t)
}

func gradWAVX2Checked(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	if m*n*k < tinyMatMul {
		gradWGeneric(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
		return
	}
	raceReadMatrix(r, m, n, ldr)
	raceReadMatrix(x, m, k, ldx)
	if beta != 0 {
		raceReadMatrix(g, n, k, ldg)
	}
	raceWriteMatrix(g, n, k, ldg)
	gradWAVX2(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

// tinyColSums is the size (m·n) under which ColSums runs the Go loop: for
// the tutorial's 5×2 residuals the masks and the final reduction of the
// vector code cost more than the ten adds.
const tinyColSums = 64

func colSumsAVX2Checked(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	if m*n < tinyColSums {
		colSumsGeneric(m, n, alpha, r, ldr, beta, g)
		return
	}
	raceReadMatrix(r, m, n, ldr)
	if beta != 0 {
		raceRead(g[:n])
	}
	raceWrite(g[:n])
	colSumsAVX2(m, n, alpha, r, ldr, beta, g)
}

func axpyAVX2Checked(alpha float32, x, y []float32) {
	raceRead(x[:len(y)])
	raceRead(y)
	raceWrite(y)
	axpyAVX2(alpha, x, y)
}

func dotAVX2Checked(x, y []float32) float32 {
	raceRead(x)
	raceRead(y[:len(x)])
	return dotAVX2(x, y)
}

func peakLoadAVX2Checked(x, y []float32) float32 {
	raceRead(x)
	raceRead(y[:len(x)])
	return peakLoadAVX2(x, y)
}
