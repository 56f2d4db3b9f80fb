// Package goasm is what the Go-assembly emitters gen/arm/asm, gen/arm64/asm
// and gen/riscv64/asm share: a function's argument frame worked out from its
// Go signature (the names and offsets go vet's asmdecl checks), labels, the
// checks run before a file is written (errors recorded while emitting,
// labels used but never bound or bound twice, a body that falls off its
// end), and the text of the .s file and of the Go file declaring its
// functions.
//
// An emitter keeps what its architecture changes: the instructions and their
// checks, the mnemonics that move arguments, the mnemonics a body may end in,
// and how its lines read (WORD with a GNU comment, trailing notes). It
// records a function's body itself and hands it over as a Body when the file
// is written, so the three emitters write their files in one form and the
// frame layout is worked out in one place.
package goasm

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"
)

// Arch is what the shared machinery needs to know of an architecture.
type Arch struct {
	GOARCH string   // the gc sizes and alignments of the argument frame
	Ends   []string // mnemonics a body may end in: "RET" and the jump
}

// File is a set of assembly functions for one Go package.
type File struct {
	arch       Arch
	pkg        string
	constraint string
	command    string
	funcs      []*Func
}

// NewFile starts a file for package pkg under the build constraint (without
// "//go:build"); command is the command that regenerates it, named in the
// "Code generated" headers.
func NewFile(arch Arch, pkg, constraint, command string) *File {
	return &File{arch: arch, pkg: pkg, constraint: constraint, command: command}
}

// Line is one line of a function body: a label, a comment, or an
// instruction with an optional trailing comment.
type Line struct {
	Label   string // written "Label:" when set
	Comment string // written "// Comment" when set and Op is empty
	Op      string // mnemonic
	Args    string // operands, as the assembler reads them
	Note    string // written "// Note" after the instruction when set
}

// Body is what an emitter recorded for one function.
type Body struct {
	Lines []Line
	Uses  map[string]int // branches to each label
	Frame int            // bytes of locals; 0 for a NOFRAME function
}

// Func is one assembly function being emitted.
type Func struct {
	name, doc, sig string
	body           func() Body
	ends           []string
	params         map[string]param
	argSize        int
	nlabel         int
	errs           []string
}

// param is one word (or float32) of a function's argument frame as asmdecl
// names it: x, x_base, x_len, x_cap, ret.
type param struct {
	name  string
	off   int
	float bool // float32
}

// Func declares the function name with the Go signature sig (a function type
// such as "func(x, y []float32) float32", parameters named) and the
// documentation doc, which goes above both declarations. body returns what
// the emitter recorded; it is called when the file is written.
func (f *File) Func(name, sig, doc string, body func() Body) *Func {
	fn := &Func{name: name, doc: doc, sig: sig, body: body, ends: f.arch.Ends, params: map[string]param{}}
	f.funcs = append(f.funcs, fn)
	tv, err := types.Eval(token.NewFileSet(), nil, token.NoPos, sig)
	if err != nil {
		fn.Errorf("signature %q: %v", sig, err)
		return fn
	}
	s, ok := tv.Type.(*types.Signature)
	if !ok {
		fn.Errorf("signature %q is not a function type", sig)
		return fn
	}
	fn.frame(s, types.SizesFor("gc", f.arch.GOARCH))
	return fn
}

// frame lays out the arguments then the results of s as gc does: each at
// its alignment, the results from the next word.
func (fn *Func) frame(s *types.Signature, sizes types.Sizes) {
	word := int(sizes.Sizeof(types.Typ[types.Uintptr]))
	off := 0
	for i := 0; i < s.Params().Len(); i++ {
		v := s.Params().At(i)
		if v.Name() == "" || v.Name() == "_" {
			fn.Errorf("parameter %d has no name", i)
		}
		off = fn.add(v.Name(), v.Type(), off, sizes)
	}
	off = align(off, word)
	for i := 0; i < s.Results().Len(); i++ {
		v := s.Results().At(i)
		name := v.Name()
		if name == "" {
			name = "ret"
			if i > 0 {
				name = fmt.Sprintf("ret%d", i)
			}
		}
		off = fn.add(name, v.Type(), off, sizes)
	}
	fn.argSize = off
}

// add places argument name of type t at the first offset from off that its
// alignment allows and returns the offset past it. A slice is three words
// (name.base, name.len, name.cap); a scalar is an integer of one word or a
// float32.
func (fn *Func) add(name string, t types.Type, off int, sizes types.Sizes) int {
	word := int(sizes.Sizeof(types.Typ[types.Uintptr]))
	off = align(off, int(sizes.Alignof(t)))
	switch u := t.Underlying().(type) {
	case *types.Slice:
		fn.params[name+".base"] = param{name: name + "_base", off: off}
		fn.params[name+".len"] = param{name: name + "_len", off: off + word}
		fn.params[name+".cap"] = param{name: name + "_cap", off: off + 2*word}
	case *types.Basic:
		switch {
		case u.Info()&types.IsInteger != 0 && int(sizes.Sizeof(t)) == word:
			fn.params[name] = param{name: name, off: off}
		case u.Kind() == types.Float32:
			fn.params[name] = param{name: name, off: off, float: true}
		default:
			fn.Errorf("parameter %s: type %s not supported", name, t)
		}
	default:
		fn.Errorf("parameter %s: type %s not supported", name, t)
	}
	return off + int(sizes.Sizeof(t))
}

func align(x, a int) int { return (x + a - 1) / a * a }

// Errorf records an error in the function, reported when the file is
// written.
func (fn *Func) Errorf(format string, args ...any) {
	fn.errs = append(fn.errs, fmt.Sprintf("%s: ", fn.name)+fmt.Sprintf(format, args...))
}

// NewLabel returns a label name unique in this function, made of prefix.
func (fn *Func) NewLabel(prefix string) string {
	fn.nlabel++
	return fmt.Sprintf("%s_%d", prefix, fn.nlabel)
}

// Arg returns the frame operand ("x_base+8(FP)") of parameter or result
// name ("x.base" and "x.len" for a slice's fields, "ret" for an unnamed
// result), which must be a float32 if float is set and a word if not;
// otherwise it records an error and returns false.
func (fn *Func) Arg(name string, float bool) (string, bool) {
	p, ok := fn.params[name]
	if !ok {
		fn.Errorf("no argument %q", name)
		return "", false
	}
	if p.float != float {
		fn.Errorf("argument %q is float32: %v, used as float32: %v", name, p.float, float)
		return "", false
	}
	return fmt.Sprintf("%s+%d(FP)", p.name, p.off), true
}

// finish returns the function's body, or the errors recorded while emitting
// it and those its body shows.
func (fn *Func) finish() (Body, error) {
	b := fn.body()
	bound := map[string]int{}
	for _, l := range b.Lines {
		if l.Label == "" {
			continue
		}
		if bound[l.Label]++; bound[l.Label] == 2 {
			fn.Errorf("label %s bound twice", l.Label)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b.Uses)) {
		if b.Uses[name] > 0 && bound[name] == 0 {
			fn.Errorf("label %s used but never bound", name)
		}
	}
	if len(b.Lines) == 0 || !slices.Contains(fn.ends, b.Lines[len(b.Lines)-1].Op) {
		fn.Errorf("body does not end in %s", strings.Join(fn.ends, " or "))
	}
	if len(fn.errs) > 0 {
		return b, fmt.Errorf("%s", strings.Join(fn.errs, "\n"))
	}
	return b, nil
}

// header writes the "Code generated" and build constraint lines.
func (f *File) header(b *bytes.Buffer) {
	fmt.Fprintf(b, "// Code generated by %s. DO NOT EDIT.\n\n", f.command)
	fmt.Fprintf(b, "//go:build %s\n\n", f.constraint)
}

// writeDoc writes the function's documentation as comment lines.
func (fn *Func) writeDoc(b *bytes.Buffer) {
	for _, l := range strings.Split(strings.TrimSpace(fn.doc), "\n") {
		b.WriteString(strings.TrimRight("// "+l, " ") + "\n")
	}
}

// goDecl returns the Go declaration of the function.
func (fn *Func) goDecl() string { return "func " + fn.name + strings.TrimPrefix(fn.sig, "func") }

// Assembly returns the text of the .s file.
func (f *File) Assembly() ([]byte, error) {
	var b bytes.Buffer
	f.header(&b)
	b.WriteString("#include \"textflag.h\"\n")
	for _, fn := range f.funcs {
		body, err := fn.finish()
		if err != nil {
			return nil, err
		}
		b.WriteString("\n")
		fn.writeDoc(&b)
		fmt.Fprintf(&b, "//\n// %s\n", fn.goDecl())
		if body.Frame == 0 {
			fmt.Fprintf(&b, "TEXT ·%s(SB), NOSPLIT|NOFRAME, $0-%d\n", fn.name, fn.argSize)
		} else {
			fmt.Fprintf(&b, "TEXT ·%s(SB), NOSPLIT, $%d-%d\n", fn.name, body.Frame, fn.argSize)
		}
		for _, l := range body.Lines {
			l.write(&b)
		}
	}
	return b.Bytes(), nil
}

// write writes the line as the .s file has it.
func (l Line) write(b *bytes.Buffer) {
	switch {
	case l.Label != "":
		fmt.Fprintf(b, "\n%s:\n", l.Label)
	case l.Op != "":
		b.WriteString("\t" + l.Op)
		if l.Args != "" {
			b.WriteString("\t" + l.Args)
		}
		if l.Note != "" {
			b.WriteString(" // " + l.Note)
		}
		b.WriteString("\n")
	default:
		fmt.Fprintf(b, "\t// %s\n", l.Comment)
	}
}

// Declarations returns the Go file declaring every function, gofmt-ed.
func (f *File) Declarations() ([]byte, error) {
	var b bytes.Buffer
	f.header(&b)
	fmt.Fprintf(&b, "package %s\n", f.pkg)
	for _, fn := range f.funcs {
		if _, err := fn.finish(); err != nil {
			return nil, err
		}
		b.WriteString("\n")
		fn.writeDoc(&b)
		b.WriteString("//\n//go:noescape\n")
		b.WriteString(fn.goDecl() + "\n")
	}
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("declarations: %v", err)
	}
	return out, nil
}
