package edgefit

import (
	"math"
	"math/bits"

	"github.com/edgefit/edgefit/internal/fmtlite"
)

// kernels is one implementation's set of unchecked kernels. Every function
// trusts its arguments: the methods of Impl check them first.
type kernels struct {
	matMulBias   func(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int)
	sqErr        func(r, p, t []float32) float32
	sqErrSum     func(p, t []float32) float32
	gradW        func(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int)
	colSums      func(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32)
	axpy         func(alpha float32, x, y []float32)
	dot          func(x, y []float32) float32
	gatherRows   func(k int, idx []int, x []float32, ldx int, y []float32, ldy int)
	prefetchRows func(k int, idx []int, x []float32, ldx int)
	standardize  func(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int)

	// Calibration loops for benchmarks: the machine's ceilings, measured in
	// the same run as the kernels they are compared with.
	peakFMA  func(iters int)
	peakLoad func(x, y []float32) float32
}

// Impl is one implementation of every kernel: "generic" (the Go versions),
// "avx2" (AVX2+FMA on amd64), "avx512" (AVX-512 on amd64), "neon" (arm64, and
// 32-bit ARM with NEON) or "rvv" (RISC-V Vector 1.0 on riscv64). Its methods
// check their arguments exactly as the package-level functions do.
type Impl struct {
	name string
	k    kernels
	// flushes is set for a set whose arithmetic is not IEEE 754's in two
	// ways (ARMv7 NEON, doc.go): subnormal operands and results are
	// flushed to zero, and a NaN result is the default NaN.
	flushes bool
}

// Name is the implementation's name: "generic", "avx2", "avx512", "neon" or "rvv".
func (im *Impl) Name() string { return im.name }

func (im *Impl) String() string { return im.name }

// MatMulBias computes Y = X·Wᵀ + b for X m×k, W n×k and Y m×n, each row-major
// with row strides ldx, ldw and ldy. b may be nil for no bias. In Go:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			s := float32(0)
//			for p := 0; p < k; p++ {
//				s += X[i*ldx+p] * W[j*ldw+p]
//			}
//			if b != nil {
//				s += b[j]
//			}
//			Y[i*ldy+j] = s
//		}
//	}
//
// Only the m×n elements of Y are written; the gaps between rows are not
// touched. The SIMD versions sum in another order and fuse multiply-adds (32-bit
// ARM's NEON set rounds each product instead), so each element may differ
// from the loop above by at most (k+1)·2⁻²³·(|b[j]| + Σₚ|X[i,p]·W[j,p]|) with
// a bias and k·2⁻²³·Σₚ|X[i,p]·W[j,p]| without: the usual bound for a sum of
// that many terms. Every bound here assumes IEEE 754 arithmetic, which
// 32-bit ARM's NEON set departs from near zero and for NaN payloads (see the
// package documentation, "32-bit ARM").
func (im *Impl) MatMulBias(m, n, k int, X []float32, ldx int, W []float32, ldw int, b []float32, Y []float32, ldy int) {
	checkMatrix("MatMulBias", "X", X, m, k, ldx)
	checkMatrix("MatMulBias", "W", W, n, k, ldw)
	checkMatrix("MatMulBias", "Y", Y, m, n, ldy)
	if b != nil && len(b) < n {
		panic(fmtlite.Sprintf("edgefit: MatMulBias: len(b) = %d, want at least n = %d", len(b), n))
	}
	if m == 0 || n == 0 {
		return
	}
	im.k.matMulBias(m, n, k, X, ldx, W, ldw, b, Y, ldy)
}

// SqErr writes the residuals R = P − T and returns their sum of squares, the
// numerator of the mean squared error, in one pass over memory. In Go:
//
//	var s float32
//	for i := range R {
//		R[i] = P[i] - T[i]
//		s += R[i] * R[i]
//	}
//	return s
//
// R, P and T must have the same length; R may be P or T itself. R is exact
// (on 32-bit ARM's NEON set, but for subnormals flushed to zero);
// the sum is accumulated in several float32 partial sums, so it may differ from
// the loop above by at most len(R)·2⁻²³·Σ R[i]².
func (im *Impl) SqErr(R, P, T []float32) float32 {
	if len(P) != len(R) || len(T) != len(R) {
		panic(fmtlite.Sprintf("edgefit: SqErr: len(R) = %d, len(P) = %d, len(T) = %d, want equal", len(R), len(P), len(T)))
	}
	if len(R) == 0 {
		return 0
	}
	return im.k.sqErr(R, P, T)
}

// SqErrSum returns Σ (P[i] − T[i])², writing nothing: the loss for evaluation.
// In Go:
//
//	var s float32
//	for i := range P {
//		d := P[i] - T[i]
//		s += d * d
//	}
//	return s
//
// P and T must have the same length. The accuracy is that of SqErr.
func (im *Impl) SqErrSum(P, T []float32) float32 {
	if len(P) != len(T) {
		panic(fmtlite.Sprintf("edgefit: SqErrSum: len(P) = %d, len(T) = %d, want equal", len(P), len(T)))
	}
	if len(P) == 0 {
		return 0
	}
	return im.k.sqErrSum(P, T)
}

// GradW computes G = α·Rᵀ·X + β·G for R m×n, X m×k and G n×k, each row-major
// with row strides ldr, ldx and ldg: the gradient of a linear layer's weights,
// in the nn.Linear layout, from the residuals R of a batch of inputs X. In Go:
//
//	for j := 0; j < n; j++ {
//		for p := 0; p < k; p++ {
//			s := float32(0)
//			for i := 0; i < m; i++ {
//				s += R[i*ldr+j] * X[i*ldx+p]
//			}
//			if beta == 0 {
//				G[j*ldg+p] = alpha * s
//			} else {
//				G[j*ldg+p] = alpha*s + beta*G[j*ldg+p]
//			}
//		}
//	}
//
// As in the BLAS, G is not read when β is 0, so whatever it held (even NaN)
// does not reach the result. Each element may differ from the loop above by at
// most (m+2)·2⁻²³·(|α|·Σᵢ|R[i,j]·X[i,p]| + |β·G[j,p]|).
func (im *Impl) GradW(m, n, k int, alpha float32, R []float32, ldr int, X []float32, ldx int, beta float32, G []float32, ldg int) {
	checkMatrix("GradW", "R", R, m, n, ldr)
	checkMatrix("GradW", "X", X, m, k, ldx)
	checkMatrix("GradW", "G", G, n, k, ldg)
	if n == 0 || k == 0 {
		return
	}
	im.k.gradW(m, n, k, alpha, R, ldr, X, ldx, beta, G, ldg)
}

// ColSums computes g = α·(column sums of R) + β·g for R m×n with row stride
// ldr: the gradient of a linear layer's bias. In Go:
//
//	for j := 0; j < n; j++ {
//		s := float32(0)
//		for i := 0; i < m; i++ {
//			s += R[i*ldr+j]
//		}
//		if beta == 0 {
//			g[j] = alpha * s
//		} else {
//			g[j] = alpha*s + beta*g[j]
//		}
//	}
//
// g must have length at least n; as with GradW, it is not read when β is 0.
// The accuracy is that of GradW with X all ones.
func (im *Impl) ColSums(m, n int, alpha float32, R []float32, ldr int, beta float32, g []float32) {
	checkMatrix("ColSums", "R", R, m, n, ldr)
	if len(g) < n {
		panic(fmtlite.Sprintf("edgefit: ColSums: len(g) = %d, want at least n = %d", len(g), n))
	}
	if n == 0 {
		return
	}
	im.k.colSums(m, n, alpha, R, ldr, beta, g)
}

// Axpy computes y ← y + α·x, the update of gradient descent. In Go:
//
//	for i := range y {
//		y[i] += alpha * x[i]
//	}
//
// x and y must have the same length. The SIMD versions fuse the multiply and
// add, so each element may differ from the loop above by one rounding.
func (im *Impl) Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic(fmtlite.Sprintf("edgefit: Axpy: len(x) = %d, len(y) = %d, want equal", len(x), len(y)))
	}
	if len(y) == 0 {
		return
	}
	im.k.axpy(alpha, x, y)
}

// Dot returns Σ x[i]·y[i]. In Go:
//
//	var s float32
//	for i := range x {
//		s += x[i] * y[i]
//	}
//	return s
//
// x and y must have the same length. The result may differ from the loop
// above by at most len(x)·2⁻²³·Σ|x[i]·y[i]|.
func (im *Impl) Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(fmtlite.Sprintf("edgefit: Dot: len(x) = %d, len(y) = %d, want equal", len(x), len(y)))
	}
	if len(x) == 0 {
		return 0
	}
	return im.k.dot(x, y)
}

// GatherRows copies rows idx of X into consecutive rows of Y, k elements
// each, X and Y row-major with row strides ldx and ldy: how a shuffled
// mini-batch is assembled from a dataset. In Go:
//
//	for i, r := range idx {
//		copy(Y[i*ldy:i*ldy+k], X[r*ldx:r*ldx+k])
//	}
//
// Every index must name a row X holds: 0 ≤ idx[i] and idx[i]·ldx + k ≤
// len(X). Only the len(idx)×k elements of Y are written, and the copy is
// exact, bit for bit (NaN payloads too). Y must not overlap X.
//
// The rows are usually scattered over a dataset far larger than the caches,
// so the time goes in waiting for memory, not in copying. The SIMD versions
// ask for the rows some positions ahead of the one they copy (software
// prefetch), so that many rows' cache misses are in flight at once instead
// of one row's at a time.
func (im *Impl) GatherRows(k int, idx []int, X []float32, ldx int, Y []float32, ldy int) {
	checkRows("GatherRows", k, idx, X, ldx)
	checkMatrix("GatherRows", "Y", Y, len(idx), k, ldy)
	if len(idx) == 0 || k == 0 {
		return
	}
	im.k.gatherRows(k, idx, X, ldx, Y, ldy)
}

// PrefetchRows asks the memory system to bring rows idx of X (k elements
// each, row stride ldx) into the core's caches, and returns without waiting
// for them: a GatherRows of the same rows a few microseconds later finds
// them there. It changes no value. The Go version does nothing (Go has no
// prefetch instruction); the SIMD versions issue one prefetch per cache line
// of each row (for rows of more than 8 lines, of their first 8: the hardware
// prefetcher streams the rest), towards the second-level cache.
//
// Why the second level: a prefetch into L1 is dropped when the core's few
// L1 miss buffers are full, so a batch's worth of them issued at once mostly
// does nothing, while prefetches into L2 queue in its larger set. The call
// does not wait for the rows but can wait for room in the miss queues, so it
// pays where other work follows it before the gather (BenchmarkPrefetchRows;
// figures in bench/results/NOTES.md).
//
// Every index must name a row X holds, as for GatherRows.
func (im *Impl) PrefetchRows(k int, idx []int, X []float32, ldx int) {
	checkRows("PrefetchRows", k, idx, X, ldx)
	if len(idx) == 0 || k == 0 {
		return
	}
	im.k.prefetchRows(k, idx, X, ldx)
}

// checkRows panics unless every index of idx names a row of k elements that
// X, with row stride ldx, holds.
func checkRows(kernel string, k int, idx []int, X []float32, ldx int) {
	if k < 0 {
		panic(fmtlite.Sprintf("edgefit: %s: k = %d, want at least 0", kernel, k))
	}
	if ldx < max(k, 1) {
		panic(fmtlite.Sprintf("edgefit: %s: X has row stride %d, want at least its %d columns (and at least 1)", kernel, ldx, k))
	}
	if len(idx) == 0 || k == 0 {
		return
	}
	// No index may exceed the last row X holds; a negative one, as a uint,
	// exceeds them all. Comparing indices cannot overflow, as idx[i]·ldx
	// could. The loop names nothing but its bound, so that it stays in
	// registers; badRow finds the index to report.
	if len(X) < k {
		badRow(kernel, k, idx, X, ldx)
	}
	last := uint((len(X) - k) / ldx)
	for _, r := range idx {
		if uint(r) > last {
			badRow(kernel, k, idx, X, ldx)
		}
	}
}

// badRow panics with the first index of idx that names no row of X.
//
//go:noinline
func badRow(kernel string, k int, idx []int, X []float32, ldx int) {
	last := -1
	if len(X) >= k {
		last = (len(X) - k) / ldx
	}
	for i, r := range idx {
		if r < 0 || r > last {
			panic(fmtlite.Sprintf("edgefit: %s: idx[%d] = %d, but X (len %d, %d columns, row stride %d) holds rows 0…%d", kernel, i, r, len(X), k, ldx, last))
		}
	}
}

// PeakFMA runs a loop of independent fused multiply-adds and nothing else,
// the ceiling for compute-bound kernels of this implementation, and returns
// the number of floating-point operations it performed (an FMA counts as 2).
// Benchmarks divide it by the time taken to get the machine's peak GFLOP/s in
// the same run as the kernels compared with it.
func (im *Impl) PeakFMA(iters int) (flops int64) {
	if iters <= 0 {
		return 0
	}
	im.k.peakFMA(iters)
	return int64(iters) * PeakFMAFlopsPerIter
}

// PeakFMAFlopsPerIter is the number of floating-point operations in one
// iteration of every implementation's PeakFMA loop.
const PeakFMAFlopsPerIter = 256

// PeakLoad reads every element of x and y and returns a value that depends on
// them all (so the loads cannot be skipped), doing as little arithmetic as
// possible: the ceiling for memory-bound kernels, in bytes read per second.
// x and y must have the same length.
func (im *Impl) PeakLoad(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(fmtlite.Sprintf("edgefit: PeakLoad: len(x) = %d, len(y) = %d, want equal", len(x), len(y)))
	}
	if len(x) == 0 {
		return 0
	}
	return im.k.peakLoad(x, y)
}

// checkMatrix panics unless a holds a rows×cols row-major matrix with row
// stride ld. The last row need not extend to a full stride. A shape whose
// extent (rows−1)·ld + cols does not fit in an int panics too, even with no
// columns.
func checkMatrix(kernel, name string, a []float32, rows, cols, ld int) {
	if rows < 0 || cols < 0 {
		panic(fmtlite.Sprintf("edgefit: %s: %s is %d×%d, want non-negative dimensions", kernel, name, rows, cols))
	}
	if ld < max(cols, 1) {
		panic(fmtlite.Sprintf("edgefit: %s: %s has row stride %d, want at least its %d columns (and at least 1)", kernel, name, ld, cols))
	}
	if rows == 0 {
		return
	}
	// need = (rows−1)·ld + cols, computed so that it cannot wrap round: a
	// wrapped size would let a huge matrix pass with a short slice, and the
	// assembly would then read and write outside it. It must fit even with
	// no columns, so that every row's offset i·ld can be computed.
	hi, lo := bits.Mul(uint(rows-1), uint(ld))
	if hi != 0 || lo > uint(math.MaxInt-cols) {
		panic(fmtlite.Sprintf("edgefit: %s: %s is %d×%d with row stride %d: (rows−1)·stride + cols overflows int (len(%s) = %d)", kernel, name, rows, cols, ld, name, len(a)))
	}
	if need := int(lo) + cols; cols > 0 && len(a) < need {
		panic(fmtlite.Sprintf("edgefit: %s: len(%s) = %d, want at least %d for %d×%d with row stride %d", kernel, name, len(a), need, rows, cols, ld))
	}
}
