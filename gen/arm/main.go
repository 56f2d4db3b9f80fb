// Command arm generates edgefit's NEON kernels for 32-bit ARM: the Go
// assembly file linalg_arm.s, the Go file declaring its functions and the
// constants the Go wrappers need, all for GOARCH=arm built with gc and
// without the purego tag.
//
// Run from the gen module, as the go:generate line in the root package does:
//
//	go run ./arm -out ../linalg_arm.s -stubs ../linalg_arm.go -consts ../linalg_consts_arm.go
//
// Go's arm assembler has no NEON instruction, so every one is a WORD (see
// package asm). The kernels multiply and add with vmla.f32, which every
// ARMv7 core with NEON has (Cortex-A8 and A9 lack the fused vfma of VFPv4),
// so one set runs on all of them. Every kernel trusts its arguments: the
// Impl methods check lengths and strides first. Each reads and writes
// exactly the elements its Go reference does, handling every tail with
// narrower loads, so none depends on memory past the end of a slice.
package main

import (
	"github.com/edgefit/edgefit/gen/arm/asm"
	"github.com/edgefit/edgefit/gen/consts"
	"github.com/edgefit/edgefit/gen/internal/emit"
)

// command is how the files are regenerated, named in their headers.
const command = "go run -C gen ./arm -out ../linalg_arm.s -stubs ../linalg_arm.go -consts ../linalg_consts_arm.go"

// constraint is the build constraint of every file written.
const constraint = "arm && gc && !purego"

func main() { emit.Main("arm", generate) }

// generate returns the assembly, the Go declarations and the constants.
func generate(pkg string) (s, d, c []byte, err error) {
	f := asm.NewFile(pkg, constraint, command)
	matMulBias(f)
	sqErr(f)
	sqErrSum(f)
	gradW(f)
	colSums(f)
	axpy(f)
	dot(f)
	gatherRows(f)
	prefetchRows(f)
	peakFMA(f)
	peakLoad(f)
	return emit.Files(f, pkg, constraint, command, constants())
}

// constants are the values the Go wrappers (kernels_neon*.go) need.
func constants() []consts.Const {
	return []consts.Const{
		{Name: "matMulBiasTileM", Value: matMulBiasTileM, Doc: "matMulBiasTileM is the rows of X matMulBiasNEON's widest tile takes."},
		{Name: "matMulBiasTileN", Value: matMulBiasTileN, Doc: "matMulBiasTileN is the columns of Y matMulBiasNEON's widest tile takes."},
		{Name: "matMulBiasKStep", Value: 8 * mmChunks, Doc: "matMulBiasKStep is the elements of k one iteration of matMulBiasNEON's\nmain loop takes: a split of k in multiples of it stays in that loop."},
		{Name: "gradWTileN", Value: gradWTileN, Doc: "gradWTileN is the rows of G gradWNEON's widest tile takes."},
		{Name: "gradWTileK", Value: gradWTileK, Doc: "gradWTileK is the columns of G gradWNEON's widest tile takes."},
		{Name: "gatherAheadBytes", Value: gatherAheadBytes, Doc: "gatherAheadBytes is how many bytes of rows ahead of its copy\ngatherRowsNEON should prefetch, within gatherMinAhead…gatherMaxAhead rows."},
		{Name: "gatherMinAhead", Value: gatherMinAhead, Doc: "gatherMinAhead is the shortest prefetch distance, in rows."},
		{Name: "gatherMaxAhead", Value: gatherMaxAhead, Doc: "gatherMaxAhead is the longest prefetch distance, in rows."},
		{Name: "prefetchMaxLines", Value: prefetchMaxLines, Doc: "prefetchMaxLines is the most 64-byte lines prefetched of one row\n(prefetchRowsNEON stops there)."},
		{Name: "colSumsTileN", Value: colSumsTileN, Doc: "colSumsTileN is the widest block of columns colSumsNEON sums together."},
	}
}
