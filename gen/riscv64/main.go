// Command riscv64 generates edgefit's RISC-V Vector (RVV 1.0) kernels: the
// Go assembly file linalg_riscv64.s and the Go file declaring its functions,
// both for GOARCH=riscv64 built with gc and without the purego tag.
//
// Run from the gen module, as the go:generate line in the root package does:
//
//	go run ./riscv64 -out ../linalg_riscv64.s -stubs ../linalg_riscv64.go -consts ../linalg_consts_riscv64.go
//
// The third file holds the constants the Go wrappers need. The kernels are
// vector-length agnostic: they read the vector length from VSETVLI and
// strip-mine every loop with it, so one binary runs on any VLEN. Every
// kernel trusts its arguments (the Impl methods check them) and reads and
// writes exactly the elements its Go reference does: a strip's length is
// never more than the elements left.
package main

import (
	"github.com/edgefit/edgefit/gen/consts"
	"github.com/edgefit/edgefit/gen/internal/emit"
	"github.com/edgefit/edgefit/gen/riscv64/asm"
)

// command is how the files are regenerated, named in their headers.
const command = "go run -C gen ./riscv64 -out ../linalg_riscv64.s -stubs ../linalg_riscv64.go -consts ../linalg_consts_riscv64.go"

// constraint is the build constraint of every file written.
const constraint = "riscv64 && gc && !purego"

func main() { emit.Main("riscv64", generate) }

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
	standardize(f)
	peakFMA(f)
	peakLoad(f)
	vlenBytes(f)
	return emit.Files(f, pkg, constraint, command, constants())
}

// constants are the values the Go wrappers in kernels_rvv_riscv64.go need.
func constants() []consts.Const {
	return []consts.Const{
		{Name: "matMulBiasTileM", Value: matMulBiasTileM, Doc: "matMulBiasTileM is the rows of X matMulBiasRVV's widest tile takes."},
		{Name: "matMulBiasTileN", Value: matMulBiasTileN, Doc: "matMulBiasTileN is the columns of Y matMulBiasRVV's widest tile takes."},
		{Name: "gradWTileN", Value: gradWTileN, Doc: "gradWTileN is the rows of G gradWRVV's widest tile takes."},
		{Name: "gradWTileK", Value: gradWTileK, Doc: "gradWTileK is the splitter's unit for blocks of columns of G (gradWRVV\ntakes any number)."},
		{Name: "gatherAheadBytes", Value: gatherAheadBytes, Doc: "gatherAheadBytes is how many bytes of rows ahead of its copy\ngatherRowsRVV should prefetch, within gatherMinAhead…gatherMaxAhead rows."},
		{Name: "gatherMinAhead", Value: gatherMinAhead, Doc: "gatherMinAhead is the shortest prefetch distance, in rows."},
		{Name: "gatherMaxAhead", Value: gatherMaxAhead, Doc: "gatherMaxAhead is the longest prefetch distance, in rows."},
		{Name: "prefetchMaxLines", Value: prefetchMaxLines, Doc: "prefetchMaxLines is the most 64-byte lines prefetched of one row."},
		{Name: "colSumsTileN", Value: colSumsTileN, Doc: "colSumsTileN is the splitter's unit for blocks of columns colSumsRVV\nsums (it takes any number)."},
	}
}
