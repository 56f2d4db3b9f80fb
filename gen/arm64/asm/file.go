// Package asm is a small emitter of Go arm64 assembly, in the manner of avo
// (which emits amd64 only): functions are declared with their Go signatures,
// registers are typed values and instructions are methods, so a generator
// reads as the algorithm it emits. It writes the .s file and the Go file
// declaring its functions; the frame layout, labels, checks and file text it
// shares with the arm and riscv64 emitters are in gen/internal/goasm.
//
// Instructions Go's arm64 assembler knows are written with its mnemonics, so
// the assembler validates them. What it lacks up to Go 1.26, the vector
// floating-point arithmetic (golang.org/issue/41092) and PRFM with a register
// offset, is encoded here from the instruction's fields and written as
// WORD $0x… with the GNU spelling as a comment; the package's tests decode
// every such word with golang.org/x/arch/arm64/arm64asm and compare it with
// that comment.
package asm

import (
	"fmt"

	"github.com/edgefit/edgefit/gen/internal/goasm"
)

// arch is what the shared machinery needs of arm64: 8-byte words, and a
// body ends in RET or a branch.
var arch = goasm.Arch{GOARCH: "arm64", Ends: []string{"RET", "B"}}

// File is a set of assembly functions for one Go package.
type File struct{ g *goasm.File }

// NewFile starts a file for package pkg under the build constraint (without
// "//go:build"); command is the command that regenerates it, named in the
// "Code generated" headers.
func NewFile(pkg, constraint, command string) *File {
	return &File{goasm.NewFile(arch, pkg, constraint, command)}
}

// Func is one assembly function being emitted.
type Func struct {
	g      *goasm.Func
	lines  []line
	labels map[string]int // uses
}

// line is one line of the function body.
type line struct {
	label   string // "name:" when set
	comment string // "// …" when set and op is empty
	op      string // Go mnemonic, with .P when post-indexed
	args    string
	word    *Word
}

// Func declares the function name with the Go signature sig (a function type
// such as "func(x, y []float32) float32", parameters named) and the
// documentation doc, which goes above the Go declaration.
func (f *File) Func(name, sig, doc string) *Func {
	fn := &Func{labels: map[string]int{}}
	fn.g = f.g.Func(name, sig, doc, fn.body)
	return fn
}

// body hands the recorded body to goasm, a WORD with its GNU spelling as the
// trailing comment.
func (fn *Func) body() goasm.Body {
	b := goasm.Body{Lines: make([]goasm.Line, len(fn.lines)), Uses: fn.labels}
	for i, l := range fn.lines {
		b.Lines[i] = goasm.Line{Label: l.label, Comment: l.comment, Op: l.op, Args: l.args}
		if l.word != nil {
			b.Lines[i].Args, b.Lines[i].Note = fmt.Sprintf("$0x%08x", l.word.Bits), l.word.GNU
		}
	}
	return b
}

func (fn *Func) errorf(format string, args ...any) { fn.g.Errorf(format, args...) }

// Comment adds a comment line to the body.
func (fn *Func) Comment(format string, args ...any) {
	fn.lines = append(fn.lines, line{comment: fmt.Sprintf(format, args...)})
}

// NewLabel returns a label unique in this function, named after prefix.
func (fn *Func) NewLabel(prefix string) Label { return Label{fn.g.NewLabel(prefix)} }

// Bind places label l at the current position.
func (fn *Func) Bind(l Label) { fn.lines = append(fn.lines, line{label: l.name}) }

func (fn *Func) inst(op, args string) {
	fn.lines = append(fn.lines, line{op: op, args: args})
}

// Load loads the integer, pointer or slice-field argument name into r.
func (fn *Func) Load(name string, r Reg) {
	if a, ok := fn.g.Arg(name, false); ok {
		fn.inst("MOVD", fmt.Sprintf("%s, %s", a, r))
	}
}

// LoadF loads the float32 argument name into the scalar register f (zeroing
// the rest of its vector register).
func (fn *Func) LoadF(name string, f FReg) {
	if a, ok := fn.g.Arg(name, true); ok {
		fn.inst("FMOVS", fmt.Sprintf("%s, %s", a, f))
	}
}

// StoreF stores f into the float32 result name.
func (fn *Func) StoreF(f FReg, name string) {
	if a, ok := fn.g.Arg(name, true); ok {
		fn.inst("FMOVS", fmt.Sprintf("%s, %s", f, a))
	}
}

// Assembly returns the text of the .s file.
func (f *File) Assembly() ([]byte, error) { return f.g.Assembly() }

// Declarations returns the Go file declaring every function, gofmt-ed.
func (f *File) Declarations() ([]byte, error) { return f.g.Declarations() }
