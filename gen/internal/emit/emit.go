// Package emit is what the arm, arm64 and riscv64 generators share around
// their kernels: the three files they write (the assembly, the Go file
// declaring its functions, the constants the Go wrappers depend on) and the
// command line that names them.
package emit

import (
	"flag"
	"fmt"
	"os"

	"github.com/edgefit/edgefit/gen/consts"
)

// File is an emitter's file of functions (gen/<arch>/asm.File).
type File interface {
	Assembly() ([]byte, error)
	Declarations() ([]byte, error)
}

// Files returns f's assembly and declarations and the constants file of cs,
// for package pkg under the build constraint, naming command as their maker.
func Files(f File, pkg, constraint, command string, cs []consts.Const) (s, d, c []byte, err error) {
	if s, err = f.Assembly(); err != nil {
		return nil, nil, nil, err
	}
	if d, err = f.Declarations(); err != nil {
		return nil, nil, nil, err
	}
	if c, err = consts.File(pkg, constraint, command, cs); err != nil {
		return nil, nil, nil, err
	}
	return s, d, c, nil
}

// Main is the generator for arch: it reads -out, -stubs, -consts and -pkg,
// writes the files generate returns for the package, and exits 1 with one
// line naming arch when it cannot.
func Main(arch string, generate func(pkg string) (s, d, c []byte, err error)) {
	out := flag.String("out", "linalg_"+arch+".s", "assembly `file` to write")
	stubs := flag.String("stubs", "linalg_"+arch+".go", "Go declarations `file` to write")
	constsOut := flag.String("consts", "linalg_consts_"+arch+".go", "Go `file` to write the constants the assembly depends on to")
	pkg := flag.String("pkg", "edgefit", "Go package `name`")
	flag.Parse()
	s, d, c, err := generate(*pkg)
	for _, f := range []struct {
		path string
		src  []byte
	}{{*out, s}, {*stubs, d}, {*constsOut, c}} {
		if err == nil {
			err = os.WriteFile(f.path, f.src, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, arch+":", err)
		os.Exit(1)
	}
}
