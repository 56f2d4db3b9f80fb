//go:build arm64 && gc && !purego

package edgefit

// The NEON kernels: Go wrappers around the generated assembly in
// linalg_arm64.s (see gen/arm64). The Impl methods have checked every length
// and stride; the wrappers cut the slices to what the assembly reads, report
// that memory to the race detector (which cannot see into assembly) and call
// it.
//
// Every shape goes to the assembly, tiny ones included. The NEON kernels do
// not pack their operands, so there is no set-up to amortise: a 5×3×2
// MatMulBias is two tiles of multiply-adds and a handful of stores, no more
// work than the Go loop, and every size the tests sweep runs the assembly
// path a caller would get.

var neon = &Impl{name: "neon", k: kernels{
	matMulBias: matMulBiasNEONChecked,
	sqErr:      sqErrNEONChecked,
	sqErrSum:   sqErrSumNEONChecked,
	gradW:      gradWNEONChecked,
	colSums:    colSumsNEONChecked,
	axpy:       axpyNEONChecked,
	dot:        dotNEONChecked,
	peakFMA:    peakFMANEON,
	peakLoad:   peakLoadNEONChecked,
}}

// matMulBiasNEONChecked passes a nil b through: its length, 0, is how the
// assembly knows there is no bias.
func matMulBiasNEONChecked(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	raceReadMatrix(x, m, k, ldx)
	raceReadMatrix(w, n, k, ldw)
	if b != nil {
		b = b[:n]
		raceRead(b)
	}
	raceWriteMatrix(y, m, n, ldy)
	matMulBiasNEON(m, n, k, x, ldx, w, ldw, b, y, ldy)
}

func sqErrNEONChecked(r, p, t []float32) float32 {
	p, t = p[:len(r)], t[:len(r)]
	raceRead(p)
	raceRead(t)
	raceWrite(r)
	return sqErrNEON(r, p, t)
}

func sqErrSumNEONChecked(p, t []float32) float32 {
	t = t[:len(p)]
	raceRead(p)
	raceRead(t)
	return sqErrSumNEON(p, t)
}

func gradWNEONChecked(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	raceReadMatrix(r, m, n, ldr)
	raceReadMatrix(x, m, k, ldx)
	if beta != 0 {
		raceReadMatrix(g, n, k, ldg)
	}
	raceWriteMatrix(g, n, k, ldg)
	gradWNEON(m, n, k, alpha, r, ldr, x, ldx, beta, g, ldg)
}

func colSumsNEONChecked(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	g = g[:n]
	raceReadMatrix(r, m, n, ldr)
	if beta != 0 {
		raceRead(g)
	}
	raceWrite(g)
	colSumsNEON(m, n, alpha, r, ldr, beta, g)
}

func axpyNEONChecked(alpha float32, x, y []float32) {
	x = x[:len(y)]
	raceRead(x)
	raceRead(y)
	raceWrite(y)
	axpyNEON(alpha, x, y)
}

func dotNEONChecked(x, y []float32) float32 {
	y = y[:len(x)]
	raceRead(x)
	raceRead(y)
	return dotNEON(x, y)
}

func peakLoadNEONChecked(x, y []float32) float32 {
	y = y[:len(x)]
	raceRead(x)
	raceRead(y)
	return peakLoadNEON(x, y)
}
