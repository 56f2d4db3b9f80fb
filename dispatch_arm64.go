//go:build arm64 && gc && !purego

package edgefit

import "golang.org/x/sys/cpu"

// The NEON kernels are generated assembly (linalg_arm64.s, from gen/arm64).
// Advanced SIMD is architecturally required on ARMv8-A application
// processors, so every arm64 board running Linux has it; the test is there
// for the cores and kernels that do not report it.
var neon = &Impl{name: "neon", k: kernels{
	matMulBias: matMulBiasNEON, // a nil b has length 0, which is how the assembly tells there is no bias
	sqErr:      func(r, p, t []float32) float32 { return sqErrNEON(r, p[:len(r)], t[:len(r)]) },
	sqErrSum:   func(p, t []float32) float32 { return sqErrSumNEON(p, t[:len(p)]) },
	gradW:      gradWNEON,
	colSums:    colSumsNEON,
	axpy:       func(alpha float32, x, y []float32) { axpyNEON(alpha, x[:len(y)], y) },
	dot:        func(x, y []float32) float32 { return dotNEON(x, y[:len(x)]) },
	peakFMA:    peakFMANEON,
	peakLoad:   func(x, y []float32) float32 { return peakLoadNEON(x, y[:len(x)]) },
}}

func simdImpls() []*Impl {
	if cpu.ARM64.HasASIMD {
		return []*Impl{neon}
	}
	return nil
}

func simdReason() string {
	return "the CPU has Advanced SIMD (ASIMD)"
}

func simdUnavailable() string {
	return "generic: the CPU does not report Advanced SIMD (ASIMD), which the NEON kernels need"
}
