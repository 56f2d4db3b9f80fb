package goasm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// body records lines for a Func, as an emitter does.
type body struct {
	lines []Line
	uses  map[string]int
	frame int
}

func (b *body) get() Body { return Body{Lines: b.lines, Uses: b.uses, Frame: b.frame} }

func (b *body) inst(op, args string) { b.lines = append(b.lines, Line{Op: op, Args: args}) }

// target is an architecture with the mnemonics that move a word and a
// float32 between a register and the frame.
type target struct {
	arch         Arch
	mov, movf    string
	reg, freg    string
	word, wordTy string // bytes in a word; an explicitly sized integer of a word
}

var targets = []target{
	{Arch{"arm", []string{"RET", "B"}}, "MOVW", "MOVF", "R0", "F0", "4", "int32"},
	{Arch{"arm64", []string{"RET", "B"}}, "MOVD", "FMOVS", "R0", "F0", "8", "int64"},
	{Arch{"riscv64", []string{"RET", "JMP"}}, "MOV", "MOVF", "X10", "F0", "8", "int64"},
}

// TestFrameVet lays out the arguments of every supported kind, loads each
// and stores each result, and has go vet's asmdecl, which knows gc's frame
// layout of each architecture, check every offset, name, move size and the
// argument size; a declaration that no longer matches the layout must make
// it complain.
func TestFrameVet(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run go vet: %v", err)
	}
	for _, tg := range targets {
		f := NewFile(tg.arch, "p", tg.arch.GOARCH, "test")
		for _, k := range []struct {
			name, sig     string
			loads, stores []string // arguments and results; float32 ones start with f
		}{
			{"k", "func(fa float32, x []float32, n int, u uint, p uintptr, w " + tg.wordTy + ", fb float32) (fs float32, m int)",
				[]string{"fa", "x.base", "x.len", "x.cap", "n", "u", "p", "w", "fb"}, []string{"fs", "m"}},
			{"j", "func(fc float32, y []uint32) (float32, int, float32)",
				[]string{"fc", "y.base", "y.len", "y.cap"}, []string{"ret", "ret1", "ret2"}},
		} {
			var b body
			fn := f.Func(k.name, k.sig, k.name+" is a test.", b.get)
			for _, arg := range k.loads {
				if a, ok := fn.Arg(arg, arg[0] == 'f'); !ok {
					t.Fatalf("%s: no argument %s", tg.arch.GOARCH, arg)
				} else if arg[0] == 'f' {
					b.inst(tg.movf, a+", "+tg.freg)
				} else {
					b.inst(tg.mov, a+", "+tg.reg)
				}
			}
			for i, res := range k.stores {
				float := res == "fs" || res == "ret" || res == "ret2"
				if a, ok := fn.Arg(res, float); !ok {
					t.Fatalf("%s: no result %s (%d)", tg.arch.GOARCH, res, i)
				} else if float {
					b.inst(tg.movf, tg.freg+", "+a)
				} else {
					b.inst(tg.mov, tg.reg+", "+a)
				}
			}
			b.inst("RET", "")
		}
		s, d := outputs(t, f)
		if out := vet(t, goTool, tg.arch.GOARCH, s, d); out != "" {
			t.Errorf("%s: go vet: %s\n%s", tg.arch.GOARCH, out, s)
		}
		swapped := strings.Replace(string(d), "func k(fa float32, x []float32", "func k(x []float32, fa float32", 1)
		if out := vet(t, goTool, tg.arch.GOARCH, s, []byte(swapped)); !strings.Contains(out, "k:") {
			t.Errorf("%s: go vet accepted arguments in another order: %q", tg.arch.GOARCH, out)
		}
	}
}

func outputs(t *testing.T, f *File) (s, d []byte) {
	t.Helper()
	s, err := f.Assembly()
	if err != nil {
		t.Fatal(err)
	}
	d, err = f.Declarations()
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

// vet runs go vet for goarch on a module of the one package in s and d and
// returns what it reports.
func vet(t *testing.T, goTool, goarch string, s, d []byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string][]byte{"go.mod": []byte("module p\n\ngo 1.22\n"), "k.s": s, "k.go": d} {
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goTool, "vet", "-asmdecl", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=", "GOTOOLCHAIN=local", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return ""
	}
	if len(out) == 0 {
		t.Fatalf("go vet: %v", err)
	}
	return string(out)
}

// TestErrors checks that what an emitter's generator got wrong is refused
// when the file is written, with a message naming the function and the
// mistake, by Assembly and Declarations alike.
func TestErrors(t *testing.T) {
	arm64 := targets[1].arch
	riscv := targets[2].arch
	ret := []Line{{Op: "RET"}}
	for _, tc := range []struct {
		name string
		arch Arch
		sig  string
		emit func(fn *Func) Body
		want string
	}{
		{"unbound label", arm64, "func()", func(fn *Func) Body {
			l := fn.NewLabel("loop")
			return Body{Lines: []Line{{Op: "B", Args: l}}, Uses: map[string]int{l: 1}}
		}, "k: label loop_1 used but never bound"},
		{"label bound twice", arm64, "func()", func(fn *Func) Body {
			return Body{Lines: []Line{{Label: "x_1"}, {Label: "x_1"}, {Op: "RET"}}}
		}, "k: label x_1 bound twice"},
		{"empty body", arm64, "func()", func(fn *Func) Body { return Body{} }, "k: body does not end in RET or B"},
		{"label last", arm64, "func()", func(fn *Func) Body { return Body{Lines: []Line{{Op: "RET"}, {Label: "x_1"}}} }, "does not end"},
		{"comment last", arm64, "func()", func(fn *Func) Body { return Body{Lines: []Line{{Op: "RET"}, {Comment: "c"}}} }, "does not end"},
		{"another arch's jump", riscv, "func()", func(fn *Func) Body { return Body{Lines: []Line{{Op: "B", Args: "x"}}} }, "does not end in RET or JMP"},
		{"recorded", arm64, "func()", func(fn *Func) Body { fn.Errorf("bad %d", 1); return Body{Lines: ret} }, "k: bad 1"},
		{"unknown argument", arm64, "func(x []float32)", func(fn *Func) Body { fn.Arg("x", false); return Body{Lines: ret} }, `no argument "x"`},
		{"float as word", arm64, "func(a float32)", func(fn *Func) Body { fn.Arg("a", false); return Body{Lines: ret} }, `argument "a" is float32: true`},
		{"word as float", arm64, "func(n int)", func(fn *Func) Body { fn.Arg("n", true); return Body{Lines: ret} }, `argument "n" is float32: false`},
		{"unnamed parameter", arm64, "func(int)", func(fn *Func) Body { return Body{Lines: ret} }, "parameter 0 has no name"},
		{"blank parameter", arm64, "func(_ int)", func(fn *Func) Body { return Body{Lines: ret} }, "parameter 0 has no name"},
		{"byte", arm64, "func(c byte)", func(fn *Func) Body { return Body{Lines: ret} }, "parameter c: type byte not supported"},
		{"int32 on arm64", arm64, "func(c int32)", func(fn *Func) Body { return Body{Lines: ret} }, "type int32 not supported"},
		{"int64 on arm", targets[0].arch, "func(c int64)", func(fn *Func) Body { return Body{Lines: ret} }, "type int64 not supported"},
		{"float64", arm64, "func(c float64)", func(fn *Func) Body { return Body{Lines: ret} }, "type float64 not supported"},
		{"pointer", arm64, "func(c *float32)", func(fn *Func) Body { return Body{Lines: ret} }, "type *float32 not supported"},
		{"string result", arm64, "func() string", func(fn *Func) Body { return Body{Lines: ret} }, "parameter ret: type string not supported"},
		{"not a function", arm64, "[]int", func(fn *Func) Body { return Body{Lines: ret} }, "is not a function type"},
		{"syntax", arm64, "func(x int", func(fn *Func) Body { return Body{Lines: ret} }, `signature "func(x int"`},
	} {
		f := NewFile(tc.arch, "p", tc.arch.GOARCH, "test")
		var b Body
		fn := f.Func("k", tc.sig, "k.", func() Body { return b })
		b = tc.emit(fn)
		if _, err := f.Assembly(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Assembly: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if _, err := f.Declarations(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Declarations: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestText checks the form of both files: headers, each function's
// documentation and Go declaration above its TEXT line, NOFRAME without
// locals, and every kind of body line.
func TestText(t *testing.T) {
	f := NewFile(targets[1].arch, "p", "arm64 && !purego", "gen/x")
	loop := ""
	k := f.Func("k", "func(x []float32) float32", "k is a test.\n\nIt has  \ntwo paragraphs.\n", func() Body {
		return Body{Lines: []Line{
			{Comment: "a comment"},
			{Label: loop},
			{Op: "WORD", Args: "$0x4e20cc00", Note: "fmla v0.4s, v0.4s, v0.4s"},
			{Op: "SUBS", Args: "$1, R0"},
			{Op: "BNE", Args: loop},
			{Op: "RET"},
		}, Uses: map[string]int{loop: 1}}
	})
	loop = k.NewLabel("loop")
	f.Func("j", "func(n int)", "j has locals.", func() Body { return Body{Lines: []Line{{Op: "RET"}}, Frame: 16} })
	s, d := outputs(t, f)
	wantS := "// Code generated by gen/x. DO NOT EDIT.\n\n//go:build arm64 && !purego\n\n#include \"textflag.h\"\n\n" +
		"// k is a test.\n//\n// It has\n// two paragraphs.\n//\n// func k(x []float32) float32\n" +
		"TEXT ·k(SB), NOSPLIT|NOFRAME, $0-28\n" +
		"\t// a comment\n\nloop_1:\n\tWORD\t$0x4e20cc00 // fmla v0.4s, v0.4s, v0.4s\n\tSUBS\t$1, R0\n\tBNE\tloop_1\n\tRET\n" +
		"\n// j has locals.\n//\n// func j(n int)\nTEXT ·j(SB), NOSPLIT, $16-8\n\tRET\n"
	if string(s) != wantS {
		t.Errorf("assembly:\n%s\nwant:\n%s", s, wantS)
	}
	wantD := "// Code generated by gen/x. DO NOT EDIT.\n\n//go:build arm64 && !purego\n\npackage p\n\n" +
		"// k is a test.\n//\n// It has\n// two paragraphs.\n//\n//go:noescape\nfunc k(x []float32) float32\n\n" +
		"// j has locals.\n//\n//go:noescape\nfunc j(n int)\n"
	if string(d) != wantD {
		t.Errorf("declarations:\n%s\nwant:\n%s", d, wantD)
	}
}

// TestNewLabel checks that labels are unique in a function whatever their
// prefixes.
func TestNewLabel(t *testing.T) {
	fn := NewFile(targets[1].arch, "p", "arm64", "test").Func("k", "func()", "k.", nil)
	seen := map[string]bool{}
	for _, p := range []string{"loop", "loop", "tail", "loop"} {
		l := fn.NewLabel(p)
		if seen[l] || !strings.HasPrefix(l, p+"_") {
			t.Errorf("NewLabel(%q) = %q after %v", p, l, seen)
		}
		seen[l] = true
	}
}
