package edgefit

// The package-level functions run the active implementation.

// MatMulBias computes Y = X·Wᵀ + b with the active implementation; see
// Impl.MatMulBias.
func MatMulBias(m, n, k int, X []float32, ldx int, W []float32, ldw int, b []float32, Y []float32, ldy int) {
	active.MatMulBias(m, n, k, X, ldx, W, ldw, b, Y, ldy)
}

// SqErr writes R = P − T and returns Σ R² with the active implementation; see
// Impl.SqErr.
func SqErr(R, P, T []float32) float32 { return active.SqErr(R, P, T) }

// SqErrSum returns Σ (P − T)² with the active implementation; see
// Impl.SqErrSum.
func SqErrSum(P, T []float32) float32 { return active.SqErrSum(P, T) }

// GradW computes G = α·Rᵀ·X + β·G with the active implementation; see
// Impl.GradW.
func GradW(m, n, k int, alpha float32, R []float32, ldr int, X []float32, ldx int, beta float32, G []float32, ldg int) {
	active.GradW(m, n, k, alpha, R, ldr, X, ldx, beta, G, ldg)
}

// ColSums computes g = α·(column sums of R) + β·g with the active
// implementation; see Impl.ColSums.
func ColSums(m, n int, alpha float32, R []float32, ldr int, beta float32, g []float32) {
	active.ColSums(m, n, alpha, R, ldr, beta, g)
}

// Axpy computes y ← y + α·x with the active implementation; see Impl.Axpy.
func Axpy(alpha float32, x, y []float32) { active.Axpy(alpha, x, y) }

// Dot returns Σ x·y with the active implementation; see Impl.Dot.
func Dot(x, y []float32) float32 { return active.Dot(x, y) }

// PrefetchRows asks for rows idx of X to be brought into cache with the
// active implementation; see Impl.PrefetchRows.
func PrefetchRows(k int, idx []int, X []float32, ldx int) { active.PrefetchRows(k, idx, X, ldx) }

// GatherRows copies rows idx of X into consecutive rows of Y with the active
// implementation; see Impl.GatherRows.
func GatherRows(k int, idx []int, X []float32, ldx int, Y []float32, ldy int) {
	active.GatherRows(k, idx, X, ldx, Y, ldy)
}

// Standardize writes D = (X − mean)/scale, row by row, with the active
// implementation; see Impl.Standardize.
func Standardize(m, k int, X []float32, ldx int, mean, scale []float32, D []float32, ldd int) {
	active.Standardize(m, k, X, ldx, mean, scale, D, ldd)
}
