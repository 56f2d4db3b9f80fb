// Package asm is a small emitter of Go assembly for 32-bit ARM (GOARCH=arm),
// built like gen/arm64/asm: functions are declared with their Go signatures,
// registers are typed values and instructions are methods, and it writes the
// .s file and the Go file declaring its functions.
//
// Go's arm assembler has no NEON instruction at all. Those are encoded here
// from their fields and written as WORD $0x… with the GNU spelling as a
// comment; golang.org/x/arch/arm/armasm cannot decode NEON, so the tests
// check every encoder against encodings LLVM's assembler gave for the same
// GNU text (testdata/golden.txt), and assemble one instruction of every
// method with Go's own assembler.
package asm

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"go/types"
	"strings"
)

// File is a set of assembly functions for one Go package.
type File struct {
	pkg        string
	constraint string
	command    string
	funcs      []*Func
}

// NewFile starts a file for package pkg under the build constraint (without
// "//go:build"); command is the command that regenerates it, named in the
// "Code generated" headers.
func NewFile(pkg, constraint, command string) *File {
	return &File{pkg: pkg, constraint: constraint, command: command}
}

// param is one word (or float32) of a function's argument frame as asmdecl
// names it: x, x_base, x_len, x_cap, ret.
type param struct {
	name  string
	off   int
	float bool // float32
}

// Func is one assembly function being emitted.
type Func struct {
	name, doc string
	sigText   string
	params    map[string]param
	argSize   int
	frame     int // bytes of locals; 0 for NOFRAME
	lines     []line
	labels    map[string]int // uses
	bound     map[string]bool
	nlabel    int
	errs      []string
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
	fn := &Func{name: name, doc: doc, sigText: sig, params: map[string]param{}, labels: map[string]int{}, bound: map[string]bool{}}
	f.funcs = append(f.funcs, fn)
	tv, err := types.Eval(token.NewFileSet(), nil, token.NoPos, sig)
	if err != nil {
		fn.errorf("signature %q: %v", sig, err)
		return fn
	}
	s, ok := tv.Type.(*types.Signature)
	if !ok {
		fn.errorf("signature %q is not a function type", sig)
		return fn
	}
	sizes := types.SizesFor("gc", "arm")
	off := 0
	add := func(v *types.Var, name string) {
		t := v.Type()
		off = align(off, int(sizes.Alignof(t)))
		switch u := t.Underlying().(type) {
		case *types.Slice:
			fn.params[name+".base"] = param{name: name + "_base", off: off}
			fn.params[name+".len"] = param{name: name + "_len", off: off + 4}
			fn.params[name+".cap"] = param{name: name + "_cap", off: off + 8}
		case *types.Basic:
			switch u.Kind() {
			case types.Int, types.Int32, types.Uint, types.Uint32, types.Uintptr:
				fn.params[name] = param{name: name, off: off}
			case types.Float32:
				fn.params[name] = param{name: name, off: off, float: true}
			default:
				fn.errorf("parameter %s: type %s not supported", name, t)
			}
		default:
			fn.errorf("parameter %s: type %s not supported", name, t)
		}
		off += int(sizes.Sizeof(t))
	}
	for i := 0; i < s.Params().Len(); i++ {
		v := s.Params().At(i)
		if v.Name() == "" || v.Name() == "_" {
			fn.errorf("parameter %d has no name", i)
		}
		add(v, v.Name())
	}
	off = align(off, 4)
	for i := 0; i < s.Results().Len(); i++ {
		v := s.Results().At(i)
		name := v.Name()
		if name == "" {
			name = "ret"
			if i > 0 {
				name = fmt.Sprintf("ret%d", i)
			}
		}
		add(v, name)
	}
	fn.argSize = off
	return fn
}

func align(x, a int) int { return (x + a - 1) / a * a }

func (fn *Func) errorf(format string, args ...any) {
	fn.errs = append(fn.errs, fmt.Sprintf("%s: ", fn.name)+fmt.Sprintf(format, args...))
}

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

// Comment adds a comment line to the body.
func (fn *Func) Comment(format string, args ...any) {
	fn.lines = append(fn.lines, line{comment: fmt.Sprintf(format, args...)})
}

// NewLabel returns a label unique in this function, named after prefix.
func (fn *Func) NewLabel(prefix string) Label {
	fn.nlabel++
	return Label{fmt.Sprintf("%s_%d", prefix, fn.nlabel)}
}

// Bind places label l at the current position.
func (fn *Func) Bind(l Label) {
	if fn.bound[l.name] {
		fn.errorf("label %s bound twice", l)
	}
	fn.bound[l.name] = true
	fn.lines = append(fn.lines, line{label: l.name})
}

func (fn *Func) inst(op, args string) {
	fn.lines = append(fn.lines, line{op: op, args: args})
}

// arg returns the frame slot of parameter or result name ("x.base" and
// "x.len" for a slice's fields, "ret" for an unnamed result).
func (fn *Func) arg(name string, float bool) (param, bool) {
	p, ok := fn.params[name]
	if !ok {
		fn.errorf("no argument %q", name)
		return p, false
	}
	if p.float != float {
		fn.errorf("argument %q is float32: %v, used as float32: %v", name, p.float, float)
		return p, false
	}
	return p, true
}

// Load loads the integer, pointer or slice-field argument name into r.
func (fn *Func) Load(name string, r Reg) {
	if p, ok := fn.arg(name, false); ok {
		fn.inst("MOVW", fmt.Sprintf("%s+%d(FP), %s", p.name, p.off, r))
	}
}

// LoadBits loads the bits of the float32 argument name into r, for tests
// of its value that need no floating-point comparison.
func (fn *Func) LoadBits(name string, r Reg) {
	if p, ok := fn.arg(name, true); ok {
		fn.inst("MOVW", fmt.Sprintf("%s+%d(FP), %s", p.name, p.off, r))
	}
}

// LoadF loads the float32 argument name into lane 0 of d (D0-D15).
func (fn *Func) LoadF(name string, d DReg) {
	f, ok := d.F()
	if !ok {
		fn.errorf("LoadF %s: d%d has no single-precision view", name, d)
		return
	}
	if p, ok := fn.arg(name, true); ok {
		fn.inst("MOVF", fmt.Sprintf("%s+%d(FP), %s", p.name, p.off, f))
	}
}

// StoreF stores lane 0 of d (D0-D15) into the float32 result name.
func (fn *Func) StoreF(d DReg, name string) {
	f, ok := d.F()
	if !ok {
		fn.errorf("StoreF %s: d%d has no single-precision view", name, d)
		return
	}
	if p, ok := fn.arg(name, true); ok {
		fn.inst("MOVF", fmt.Sprintf("%s, %s+%d(FP)", f, p.name, p.off))
	}
}

func (fn *Func) check() error {
	for name := range fn.labels {
		if !fn.bound[name] {
			fn.errorf("label %s used but never bound", name)
		}
	}
	if len(fn.lines) == 0 || fn.lines[len(fn.lines)-1].op != "RET" && fn.lines[len(fn.lines)-1].op != "B" {
		fn.errorf("body does not end in RET or B")
	}
	if fn.frame == 0 {
		for _, l := range fn.lines {
			if strings.Contains(l.args, "R14") {
				fn.errorf("R14 used without a frame: %s %s", l.op, l.args)
				break
			}
		}
	}
	if len(fn.errs) > 0 {
		return fmt.Errorf("%s", strings.Join(fn.errs, "\n"))
	}
	return nil
}

// Assembly returns the text of the .s file.
func (f *File) Assembly() ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by %s. DO NOT EDIT.\n\n", f.command)
	fmt.Fprintf(&b, "//go:build %s\n\n", f.constraint)
	b.WriteString("#include \"textflag.h\"\n")
	for _, fn := range f.funcs {
		if err := fn.check(); err != nil {
			return nil, err
		}
		b.WriteString("\n")
		for _, l := range strings.Split(strings.TrimSpace(fn.doc), "\n") {
			b.WriteString(strings.TrimRight("// "+l, " ") + "\n")
		}
		fmt.Fprintf(&b, "//\n// %s\n", goDecl(fn.name, fn.sigText))
		if fn.frame == 0 {
			fmt.Fprintf(&b, "TEXT ·%s(SB), NOSPLIT|NOFRAME, $0-%d\n", fn.name, fn.argSize)
		} else {
			fmt.Fprintf(&b, "TEXT ·%s(SB), NOSPLIT, $%d-%d\n", fn.name, fn.frame, fn.argSize)
		}
		for _, l := range fn.lines {
			switch {
			case l.label != "":
				fmt.Fprintf(&b, "\n%s:\n", l.label)
			case l.word != nil:
				fmt.Fprintf(&b, "\tWORD\t$0x%08x // %s\n", l.word.Bits, l.word.GNU)
			case l.op != "":
				if l.args == "" {
					fmt.Fprintf(&b, "\t%s\n", l.op)
				} else {
					fmt.Fprintf(&b, "\t%s\t%s\n", l.op, l.args)
				}
			default:
				fmt.Fprintf(&b, "\t// %s\n", l.comment)
			}
		}
	}
	return b.Bytes(), nil
}

func goDecl(name, sig string) string { return "func " + name + strings.TrimPrefix(sig, "func") }

// Declarations returns the Go file declaring every function, gofmt-ed.
func (f *File) Declarations() ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by %s. DO NOT EDIT.\n\n", f.command)
	fmt.Fprintf(&b, "//go:build %s\n\n", f.constraint)
	fmt.Fprintf(&b, "package %s\n", f.pkg)
	for _, fn := range f.funcs {
		if err := fn.check(); err != nil {
			return nil, err
		}
		b.WriteString("\n")
		for _, l := range strings.Split(strings.TrimSpace(fn.doc), "\n") {
			b.WriteString(strings.TrimRight("// "+l, " ") + "\n")
		}
		b.WriteString("//\n//go:noescape\n")
		b.WriteString(goDecl(fn.name, fn.sigText) + "\n")
	}
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("declarations: %v", err)
	}
	return out, nil
}
