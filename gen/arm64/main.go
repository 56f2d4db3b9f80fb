// Command arm64 generates edgefit's NEON kernels: the Go assembly file
// linalg_arm64.s and the Go file declaring its functions, both for
// GOARCH=arm64 built with gc and without the purego tag.
//
// Run from the gen module, as the go:generate line in the root package does:
//
//	go run ./arm64 -out ../linalg_arm64.s -stubs ../linalg_arm64.go
//
// Every kernel trusts its arguments: the Go wrappers in dispatch_arm64.go
// check lengths and strides first. Each kernel reads and writes exactly the
// elements its Go reference does, handling every tail with narrower loads, so
// none depends on memory past the end of a slice.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/edgefit/edgefit/gen/arm64/asm"
)

// command is how the files are regenerated, named in their headers.
const command = "go run -C gen ./arm64 -out ../linalg_arm64.s -stubs ../linalg_arm64.go"

func main() {
	out := flag.String("out", "linalg_arm64.s", "assembly `file` to write")
	stubs := flag.String("stubs", "linalg_arm64.go", "Go declarations `file` to write")
	pkg := flag.String("pkg", "edgefit", "Go package `name`")
	flag.Parse()
	s, d, err := generate(*pkg)
	if err == nil {
		err = os.WriteFile(*out, s, 0o644)
	}
	if err == nil {
		err = os.WriteFile(*stubs, d, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "arm64:", err)
		os.Exit(1)
	}
}

// generate returns the assembly and the Go declarations.
func generate(pkg string) (s, d []byte, err error) {
	f := asm.NewFile(pkg, "arm64 && gc && !purego", command)
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
	if s, err = f.Assembly(); err != nil {
		return nil, nil, err
	}
	if d, err = f.Declarations(); err != nil {
		return nil, nil, err
	}
	return s, d, nil
}
