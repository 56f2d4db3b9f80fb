// Package gen holds edgefit's assembly generators, one command per
// architecture (amd64 with avo, arm64 and arm with their own emitters in
// arm64/asm and arm/asm), and the test that the files they wrote into the
// root package are up to date.
//
// The generators are laid out alike, so that a kernel is found under one
// name everywhere: matmul.go (matMulBias), gradw.go (gradW, colSums),
// vector.go (sqErr, sqErrSum, axpy, dot, peakFMA, peakLoad), gather.go
// (gatherRows), prefetch.go (prefetchRows), loops.go (shared loop shapes)
// and main.go, which also writes the constants the assembly depends on into
// a Go file (package consts).
package gen
