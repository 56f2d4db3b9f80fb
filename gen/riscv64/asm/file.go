// Package asm is a small emitter of Go riscv64 assembly with the RISC-V
// Vector extension (RVV 1.0), of the same design as gen/arm64/asm:
// functions are declared with their Go signatures, registers are typed
// values and instructions are methods, so a generator reads as the
// algorithm it emits. It writes the .s file and the Go file declaring its
// functions.
//
// Every instruction is written with the mnemonic Go's riscv64 assembler
// knows (Go 1.26 has the vector instructions), so the assembler validates
// it; the package's tests assemble one of every form and decode the machine
// code with golang.org/x/arch/riscv64/riscv64asm. The emitter checks what
// the assembler cannot: that every vector register names a group aligned to
// the LMUL of the VSETVLI in force, and that labels are bound.
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
	lines     []line
	labels    map[string]int // uses
	bound     map[string]bool
	nlabel    int
	errs      []string
	lmul      int // LMUL of the last VSETVLI emitted; 0 before any
}

// line is one line of the function body.
type line struct {
	label   string // "name:" when set
	comment string // "// …" when set and op is empty
	op      string // Go mnemonic
	args    string
	note    string // trailing comment, when set
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
	sizes := types.SizesFor("gc", "riscv64")
	off := 0
	add := func(v *types.Var, name string) {
		t := v.Type()
		off = align(off, int(sizes.Alignof(t)))
		switch u := t.Underlying().(type) {
		case *types.Slice:
			fn.params[name+".base"] = param{name: name + "_base", off: off}
			fn.params[name+".len"] = param{name: name + "_len", off: off + 8}
			fn.params[name+".cap"] = param{name: name + "_cap", off: off + 16}
		case *types.Basic:
			switch u.Kind() {
			case types.Int, types.Int64, types.Uint, types.Uint64, types.Uintptr:
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
	off = align(off, 8)
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
		fn.inst("MOV", fmt.Sprintf("%s+%d(FP), %s", p.name, p.off, r))
	}
}

// LoadF loads the float32 argument name into the register f.
func (fn *Func) LoadF(name string, f FReg) {
	if p, ok := fn.arg(name, true); ok {
		fn.inst("MOVF", fmt.Sprintf("%s+%d(FP), %s", p.name, p.off, f))
	}
}

// StoreF stores f into the float32 result name.
func (fn *Func) StoreF(f FReg, name string) {
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
	if len(fn.lines) == 0 || fn.lines[len(fn.lines)-1].op != "RET" && fn.lines[len(fn.lines)-1].op != "JMP" {
		fn.errorf("body does not end in RET or JMP")
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
		fmt.Fprintf(&b, "TEXT ·%s(SB), NOSPLIT|NOFRAME, $0-%d\n", fn.name, fn.argSize)
		for _, l := range fn.lines {
			switch {
			case l.label != "":
				fmt.Fprintf(&b, "\n%s:\n", l.label)
			case l.op != "" && l.note != "":
				fmt.Fprintf(&b, "\t%s\t%s // %s\n", l.op, l.args, l.note)
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

// Store stores r into the integer result name.
func (fn *Func) Store(name string, r Reg) {
	if p, ok := fn.arg(name, false); ok {
		fn.inst("MOV", fmt.Sprintf("%s, %s+%d(FP)", r, p.name, p.off))
	}
}
