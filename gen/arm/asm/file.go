// Package asm is a small emitter of Go assembly for 32-bit ARM (GOARCH=arm),
// built like gen/arm64/asm: functions are declared with their Go signatures,
// registers are typed values and instructions are methods, and it writes the
// .s file and the Go file declaring its functions; the frame layout, labels,
// checks and file text it shares with the arm64 and riscv64 emitters are in
// gen/internal/goasm.
//
// Go's arm assembler has no NEON instruction at all. Those are encoded here
// from their fields and written as WORD $0x… with the GNU spelling as a
// comment; golang.org/x/arch/arm/armasm cannot decode NEON, so the tests
// check every encoder against encodings LLVM's assembler gave for the same
// GNU text (testdata/golden.txt), and assemble one instruction of every
// method with Go's own assembler.
package asm

import (
	"fmt"
	"strings"

	"github.com/edgefit/edgefit/gen/internal/goasm"
)

// arch is what the shared machinery needs of arm: 4-byte words, and a body
// ends in RET or a branch.
var arch = goasm.Arch{GOARCH: "arm", Ends: []string{"RET", "B"}}

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
	frame  int            // bytes of locals; 0 for NOFRAME
}

// line is one line of the function body.
type line struct {
	label   string // "name:" when set
	comment string // "// …" when set and op is empty
	op      string
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
// trailing comment, after the check only arm has: a function without a
// frame must leave the link register R14 alone.
func (fn *Func) body() goasm.Body {
	b := goasm.Body{Lines: make([]goasm.Line, len(fn.lines)), Uses: fn.labels, Frame: fn.frame}
	r14 := false
	for i, l := range fn.lines {
		b.Lines[i] = goasm.Line{Label: l.label, Comment: l.comment, Op: l.op, Args: l.args}
		if l.word != nil {
			b.Lines[i].Args, b.Lines[i].Note = fmt.Sprintf("$0x%08x", l.word.Bits), l.word.GNU
		}
		if fn.frame == 0 && !r14 && strings.Contains(l.args, "R14") {
			fn.errorf("R14 used without a frame: %s %s", l.op, l.args)
			r14 = true
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

// Frame gives the function n words of locals (Local, SetLocal). A function
// with a frame has its link register saved by the prologue, so R14 is free
// in its body; without one it is NOFRAME and must leave R14 alone.
func (fn *Func) Frame(n int) { fn.frame = 4 * n }

// Local loads local word i into r.
func (fn *Func) Local(i int, r Reg) { fn.inst("MOVW", fmt.Sprintf("%d(R13), %s", fn.local(i), r)) }

// SetLocal stores r into local word i.
func (fn *Func) SetLocal(r Reg, i int) { fn.inst("MOVW", fmt.Sprintf("%s, %d(R13)", r, fn.local(i))) }

// local returns the offset from the stack pointer of local word i: the
// saved link register is at 0(R13).
func (fn *Func) local(i int) int {
	if i < 0 || 4*i >= fn.frame {
		fn.errorf("no local word %d in a frame of %d bytes", i, fn.frame)
	}
	return 4 + 4*i
}

func (fn *Func) inst(op, args string) {
	fn.lines = append(fn.lines, line{op: op, args: args})
}

// Load loads the integer, pointer or slice-field argument name into r.
func (fn *Func) Load(name string, r Reg) {
	if a, ok := fn.g.Arg(name, false); ok {
		fn.inst("MOVW", fmt.Sprintf("%s, %s", a, r))
	}
}

// LoadBits loads the bits of the float32 argument name into r, for tests
// of its value that need no floating-point comparison.
func (fn *Func) LoadBits(name string, r Reg) {
	if a, ok := fn.g.Arg(name, true); ok {
		fn.inst("MOVW", fmt.Sprintf("%s, %s", a, r))
	}
}

// LoadF loads the float32 argument name into lane 0 of d (D0-D15).
func (fn *Func) LoadF(name string, d DReg) {
	f, ok := d.F()
	if !ok {
		fn.errorf("LoadF %s: d%d has no single-precision view", name, d)
		return
	}
	if a, ok := fn.g.Arg(name, true); ok {
		fn.inst("MOVF", fmt.Sprintf("%s, %s", a, f))
	}
}

// StoreF stores lane 0 of d (D0-D15) into the float32 result name.
func (fn *Func) StoreF(d DReg, name string) {
	f, ok := d.F()
	if !ok {
		fn.errorf("StoreF %s: d%d has no single-precision view", name, d)
		return
	}
	if a, ok := fn.g.Arg(name, true); ok {
		fn.inst("MOVF", fmt.Sprintf("%s, %s", f, a))
	}
}

// Assembly returns the text of the .s file.
func (f *File) Assembly() ([]byte, error) { return f.g.Assembly() }

// Declarations returns the Go file declaring every function, gofmt-ed.
func (f *File) Declarations() ([]byte, error) { return f.g.Declarations() }
