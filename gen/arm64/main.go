// Command arm64 generates edgefit's NEON kernels: the Go assembly file
// linalg_arm64.s and the Go file declaring its functions, both for
// GOARCH=arm64 built with gc and without the purego tag.
//
// Run from the gen module, as the go:generate line in the root package does:
//
//	go run ./arm64 -out ../linalg_arm64.s -stubs ../linalg_arm64.go -consts ../linalg_consts_arm64.go
//
// The third file holds the constants the Go wrappers need (tile sizes, the
// prefetch plan's parameters). Every kernel trusts its arguments: the Impl
// methods check lengths and strides first. Each kernel reads and writes exactly the
// elements its Go reference does, handling every tail with narrower loads, so
// none depends on memory past the end of a slice.
package main

import (
	"github.com/edgefit/edgefit/gen/arm64/asm"
	"github.com/edgefit/edgefit/gen/consts"
	"github.com/edgefit/edgefit/gen/internal/emit"
)

// command is how the files are regenerated, named in their headers.
const command = "go run -C gen ./arm64 -out ../linalg_arm64.s -stubs ../linalg_arm64.go -consts ../linalg_consts_arm64.go"

// constraint is the build constraint of every file written.
const constraint = "arm64 && gc && !purego"

func main() { emit.Main("arm64", generate) }

// generate returns the assembly, the Go declarations and the constants.
func generate(pkg string) (s, d, c []byte, err error) {
	f := asm.NewFile(pkg, constraint, command)
	matMulBiasPanel(f)
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
	return emit.Files(f, pkg, constraint, command, constants())
}

// constants are the values the Go wrappers (kernels_neon*.go) need.
func constants() []consts.Const {
	return []consts.Const{
		{Name: "matMulBiasTileM", Value: matMulBiasTileM, Doc: "matMulBiasTileM is the rows of X matMulBiasNEON's widest tile takes."},
		{Name: "matMulBiasTileN", Value: matMulBiasTileN, Doc: "matMulBiasTileN is the columns of Y of one packed panel of matMulBiasNEON."},
		{Name: "matMulBiasKC", Value: matMulBiasKC, Doc: "matMulBiasKC is the most inputs one call of matMulBiasNEON takes: the\nwrapper's packed panel holds that many."},
		{Name: "matMulBiasPanelMin", Value: matMulBiasPanelMin, Doc: "matMulBiasPanelMin is the fewest columns that go to a panel; a narrower\nlast block of columns goes to matMulBiasDotNEON."},
		{Name: "matMulBiasPanelRows", Value: matMulBiasPanelRows, Doc: "matMulBiasPanelRows is the fewest rows of X that repay packing panels;\nshorter products go to matMulBiasDotNEON whole."},
		{Name: "matMulBiasDotTileM", Value: matMulBiasDotTileM, Doc: "matMulBiasDotTileM is the rows of X matMulBiasDotNEON's widest tile takes."},
		{Name: "matMulBiasDotTileN", Value: matMulBiasDotTileN, Doc: "matMulBiasDotTileN is the columns of Y matMulBiasDotNEON's widest tile takes."},
		{Name: "gradWTileN", Value: gradWTileN, Doc: "gradWTileN is the rows of G gradWNEON's widest tile takes."},
		{Name: "gradWTileK", Value: gradWTileK, Doc: "gradWTileK is the columns of G gradWNEON's widest tile takes."},
		{Name: "colSumsTileN", Value: colSumsTileN, Doc: "colSumsTileN is the widest block of columns colSumsNEON sums together."},
		{Name: "gatherAheadBytes", Value: gatherAheadBytes, Doc: "gatherAheadBytes is how many bytes of rows ahead of its copy\ngatherRowsNEON should prefetch, within gatherMinAhead…gatherMaxAhead rows."},
		{Name: "gatherMinAhead", Value: gatherMinAhead, Doc: "gatherMinAhead is the shortest prefetch distance, in rows."},
		{Name: "gatherMaxAhead", Value: gatherMaxAhead, Doc: "gatherMaxAhead is the longest prefetch distance, in rows."},
		{Name: "prefetchMaxLines", Value: prefetchMaxLines, Doc: "prefetchMaxLines is the most 64-byte lines prefetched of one row\n(prefetchRowsNEON stops there)."},
	}
}
