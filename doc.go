// Package edgefit holds the float32 kernels that edgefit's linear models run
// on, their portable Go versions, and the run-time choice between them.
//
// The model behind every kernel is the one of torch.nn.Linear: a batch of m
// input rows X (m×k) maps to m output rows
//
//	Y = X·Wᵀ + b
//
// where W (n×k, one row per output) and b (n) are the parameters. Training by
// gradient descent on the squared error needs, per batch,
//
//	R   = P − T                 residuals of the predictions P against targets T
//	L   = Σ R²                  the loss numerator (MSE divides by m·n)
//	∂W  = α·Rᵀ·X                gradient of the weights (α = 2/(m·n) for MSE)
//	∂b  = α·Σᵢ Rᵢ               gradient of the bias (column sums of R)
//	W  ← W − lr·∂W              the update, an axpy
//
// and these are exactly the kernels here: MatMulBias, SqErr and SqErrSum,
// GradW, ColSums, Axpy and Dot, and Standardize, X' = (X − mean)/scale, for
// inputs put on one scale before them.
//
// # Layout
//
// Matrices are row-major float32 slices with an explicit row stride (the
// leading dimension, ld ≥ the number of columns), so a row range or a
// sub-matrix of a larger buffer is passed without copying. W is stored n×k,
// the nn.Linear layout, so each output's weights are contiguous.
//
// # Implementations
//
// Every kernel has a Go version that is always compiled: the fallback on every
// platform and the reference the others are tested against. On amd64 an
// AVX2+FMA set and an AVX-512 set (AVX512F and AVX512VL), on arm64 and 32-bit
// ARM (GOARCH=arm) a NEON set and on riscv64 a RISC-V Vector 1.0 set (vector-length agnostic), all
// generated assembly, are used when the CPU has the features
// (golang.org/x/sys/cpu decides once, at start-up). Where both amd64 sets run,
// avx512 is the default only if 512-bit FMAs measure at least 1.5× the rate
// of 256-bit ones in a few microseconds at start-up: CPUs that execute them
// at full width (Intel's, AMD's Zen 5) gain up to twice the arithmetic, while
// those that split them into two 256-bit halves (Zen 4) gain nothing on the
// compute-bound kernels and keep avx2 (bench/results/NOTES.md has the side by
// side figures). The measurement needs no table of CPU models, which
// x/sys/cpu could not identify anyway.
// Active names the set in use and Selection says why it was chosen. The
// SIMD sets cut long calls into assembly calls short enough not to hold up
// the runtime's preemption (the garbage collector's stop-the-world phases).
// Outputs are cut on whole tiles, computed as in one call; a sum too long for
// one call is cut into pieces whose results are added, within the documented
// error bounds.
//
// The build tag purego compiles no assembly at all (what tinygo and gccgo
// need). Setting the environment variable EDGEFIT_KERNELS=generic before the
// program starts forces the Go versions at run time, for debugging in the
// field; EDGEFIT_KERNELS=avx2, avx512, neon or rvv asks for a set by name and falls back,
// saying so in Selection, when the machine lacks it. Implementations lists
// every set this machine can run so that tests and benchmarks compare them
// side by side.
//
// # 32-bit ARM
//
// The NEON set for GOARCH=arm multiplies and adds with vmla, which rounds the
// product before the sum: Cortex-A8 and A9 lack the fused vfma of VFPv4, and
// one set serves every ARMv7 core with NEON. The accuracy bounds of the
// kernels hold as documented. ARMv7 NEON arithmetic is not IEEE 754's in two
// ways, which the Go kernels on the same board do not share: subnormal
// operands and results (magnitudes below 2⁻¹²⁶) are flushed to zero, so a sum
// or difference that small comes out as 0 (and SqErr's R is then not exact),
// and a NaN result is always the default NaN, 0x7fc00000, without the
// payload of the NaN that caused it. NaN and Inf still propagate as
// documented. TestSubnormalsAndNaNs states what each implementation does.
//
// # Errors
//
// The kernels are the bottom layer: like the BLAS they check every length and
// stride in Go before any assembly runs and panic, with a message naming the
// argument, on a mismatch, because a mismatch here is a bug in the caller.
// The size checks cannot overflow: a shape or stride so large that a matrix's
// extent, (rows−1)·ld + cols, does not fit in an int panics like a short
// slice, whatever its length (even with no columns: each row's offset must
// be computable).
// Package linalg, above them, turns user-facing shape mistakes into errors.
package edgefit
