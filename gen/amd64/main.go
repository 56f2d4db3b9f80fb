// Command amd64 generates edgefit's AVX2+FMA and AVX-512 kernels
// (linalg_amd64.s), their
// Go declarations with avo, and (-consts) the Go file of the constants the Go
// wrappers take from the kernels. Run it through the go:generate line in the
// root package:
//
//	go generate ./...
//
// Every function here trusts its arguments: the Impl methods check shapes
// first, and the Go wrappers in kernels_avx2_amd64.go and
// kernels_avx512_amd64.go route each call. The *AVX2 functions use only AVX,
// AVX2 and FMA instructions (the prefetches are SSE's); the *AVX512 ones
// (each kernel's emitter takes an isa, isa.go) add AVX512F and AVX512VL's
// EVEX forms on ZMM and opmask registers. Every function that uses YMM or
// ZMM registers clears their upper halves (VZEROUPPER) before returning.
// Nothing outside the slices is touched: partial vectors are read with
// VMASKMOVPS, or under an opmask, whose masked-off lanes neither read nor
// fault, and written the same way or, in the AVX2 kernels where a store is
// frequent (rows of Y, SqErr's tail), with plain stores of exactly the valid
// elements, as VMASKMOVPS stores are slow on AMD's CPUs (AVX-512's masked
// stores are not).
package main

import (
	"flag"
	"fmt"
	"os"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"

	"github.com/edgefit/edgefit/gen/consts"
)

// lanes is the number of float32 in a YMM register.
const lanes = 8

// maskTable holds eight all-ones words followed by eight zeros: the 32 bytes
// at offset 4·(8−r) are a VMASKMOVPS mask selecting the first r lanes.
var maskTable Mem

// constraint is the build constraint of every file written.
const constraint = "amd64 && gc && !purego"

func main() {
	constsOut := flag.String("consts", "", "Go `file` to write the constants the assembly depends on to")
	flag.Parse()
	ConstraintExpr("amd64,gc,!purego")

	maskTable = GLOBL("lanemask", RODATA|NOPTR)
	for i := 0; i < 2*lanes; i++ {
		v := uint32(0)
		if i < lanes {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}

	kmaskData()

	matMulBias()
	gradW()
	colSums()
	sqErr()
	sqErrSum()
	axpy()
	dot()
	gatherRows()
	prefetchRows()
	peakFMA()
	peakLoad()
	standardize()

	matMulBias512()
	gradW512()
	colSums512()
	sqErr512()
	sqErrSum512()
	axpy512()
	dot512()
	peakFMA512()
	peakLoad512()
	standardize512()

	if *constsOut != "" {
		src, err := consts.File("edgefit", constraint, "go run -C gen ./amd64", constants())
		if err == nil {
			err = os.WriteFile(*constsOut, src, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "amd64:", err)
			os.Exit(1)
		}
	}
	Generate()
}

// constants are the values the Go wrappers in kernels_avx2_amd64.go need.
func constants() []consts.Const {
	return []consts.Const{
		{Name: "matMulBiasKC", Value: matMulBiasKC, Doc: "matMulBiasKC is the most inputs one call of matMulBias16AVX2 or\nmatMulBias8AVX2 takes: their stack frame holds that many rows of a panel."},
		{Name: "matMulBiasTileN", Value: matMulBiasTileN, Doc: "matMulBiasTileN is the most columns of Y one call computes."},
		{Name: "matMulBiasTileM", Value: matMulBiasTileM, Doc: "matMulBiasTileM is a multiple of both micro-kernels' rows: splitting\nrows on it keeps every call on whole micro-kernels."},
		{Name: "gradWTileN", Value: gradWTileN, Doc: "gradWTileN is the rows of G gradWAVX2 computes together."},
		{Name: "gradWTileK", Value: gradWTileK, Doc: "gradWTileK is the widest block of columns of G gradWAVX2 computes together."},
		{Name: "colSumsTileN", Value: colSumsTileN, Doc: "colSumsTileN is the widest block of columns colSumsAVX2 sums together."},
		{Name: "sqErrStreamMin", Value: sqErrStreamMin, Doc: "sqErrStreamMin is the length from which sqErrAVX2 may write r with\nnon-temporal stores."},
		{Name: "gatherAheadBytes", Value: gatherAheadBytes, Doc: "gatherAheadBytes is how many bytes of rows ahead of its copy\ngatherRowsAVX2 should prefetch, within gatherMinAhead…gatherMaxAhead rows."},
		{Name: "gatherMinAhead", Value: gatherMinAhead, Doc: "gatherMinAhead is the shortest prefetch distance, in rows."},
		{Name: "gatherMaxAhead", Value: gatherMaxAhead, Doc: "gatherMaxAhead is the longest prefetch distance, in rows."},
		{Name: "prefetchMaxLines", Value: prefetchMaxLines, Doc: "prefetchMaxLines is the most 64-byte lines prefetched of one row."},
		{Name: "matMulBias512TileN", Value: matMulBias512TileN, Doc: "matMulBias512TileN is the most columns of Y one call of\nmatMulBias32AVX512 computes; its micro-kernels have matMulBiasTileM rows."},
		{Name: "gradW512TileN", Value: gradW512TileN, Doc: "gradW512TileN is the rows of G gradWAVX512 computes together."},
		{Name: "gradW512TileK", Value: gradW512TileK, Doc: "gradW512TileK is the widest block of columns of G gradWAVX512 computes together."},
		{Name: "colSums512TileN", Value: colSums512TileN, Doc: "colSums512TileN is the widest block of columns colSumsAVX512 sums together."},
	}
}
