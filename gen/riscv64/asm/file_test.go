package asm

import (
	"strings"
	"testing"
)

// TestFrame checks argument offsets and the frame size against what asmdecl
// expects for gc on riscv64 (8-byte words, float32 taking 4 bytes, results
// starting at the next multiple of 8) and the move mnemonics; go vet checks
// every kind of argument in gen/internal/goasm's tests.
func TestFrame(t *testing.T) {
	f := NewFile("p", "riscv64", "test")
	fn := f.Func("k", "func(alpha float32, x []float32, n int) float32", "k is a test.")
	fn.LoadF("alpha", 0)
	fn.Load("x.base", X10)
	fn.Load("x.len", X11)
	fn.Load("n", X12)
	fn.StoreF(0, "ret")
	fn.RET()
	s, err := f.Assembly()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"TEXT ·k(SB), NOSPLIT|NOFRAME, $0-44\n",
		"MOVF\talpha+0(FP), F0\n",
		"MOV\tx_base+8(FP), X10\n",
		"MOV\tx_len+16(FP), X11\n",
		"MOV\tn+32(FP), X12\n",
		"MOVF\tF0, ret+40(FP)\n",
	} {
		if !strings.Contains(string(s), want) {
			t.Errorf("assembly lacks %q:\n%s", want, s)
		}
	}
}

// TestChecks: what the assembler cannot see is refused when the file is
// written: a register group not aligned to the LMUL in force, a vector
// instruction before any VSETVLI, an offset out of range; and branches and
// the end of a body reach gen/internal/goasm's checks (tested there with the
// other shared ones: labels bound twice, arguments that do not exist or
// have the wrong kind).
func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		emit func(fn *Func)
		want string
	}{
		{"group", func(fn *Func) { fn.VSETVLI(Zero, E32, M8, TA, X5); fn.VLE32V(X10, 4) }, "not a register group of LMUL 8"},
		{"group3", func(fn *Func) { fn.VSETVLI(Zero, E32, M4, TA, X5); fn.VFMACCVV(0, 8, 6) }, "V6 is not a register group of LMUL 4"},
		{"novtype", func(fn *Func) { fn.VLE32V(X10, 0) }, "before any VSETVLI"},
		{"label", func(fn *Func) { fn.JMP(fn.NewLabel("x")) }, "used but never bound"},
		{"offset", func(fn *Func) { fn.MOVFLoad(X10.Off(4096), 0) }, "12-bit"},
	} {
		f := NewFile("p", "riscv64", "test")
		fn := f.Func("k", "func(n int)", "k is a test.")
		tc.emit(fn)
		fn.RET()
		if _, err := f.Assembly(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	f := NewFile("p", "riscv64", "test")
	f.Func("k", "func()", "k is a test.").VSETVLI(Zero, E32, M1, TA, X5)
	if _, err := f.Assembly(); err == nil || !strings.Contains(err.Error(), "does not end in RET or JMP") {
		t.Errorf("a body without RET: error %v", err)
	}
}
