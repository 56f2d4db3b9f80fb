// Package gen holds edgefit's assembly generators, one command per
// architecture (amd64 with avo, arm64, arm and riscv64 with their own emitters
// in arm64/asm, arm/asm and riscv64/asm), and the test that the files they wrote into the
// root package are up to date.
//
// The generators are laid out alike, so that a kernel is found under one
// name everywhere: matmul.go (matMulBias), gradw.go (gradW, colSums),
// vector.go (sqErr, sqErrSum, axpy, dot, peakFMA, peakLoad), gather.go
// (gatherRows), prefetch.go (prefetchRows), standardize.go (standardize;
// amd64 and arm64), loops.go (shared loop shapes) and main.go; gen/amd64 emits each kernel for avx2 and avx512 from one
// function taking an isa (isa.go): matMulBias and matMulBias512, and so on; which also writes the constants the assembly depends on into
// a Go file (package consts).
package gen
