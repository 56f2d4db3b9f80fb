package asm

import (
	"strings"
	"testing"
)

// TestFrame checks argument offsets and the frame size against what asmdecl
// expects for gc on arm (4-byte words, slices of three words, results at
// the next word) and the move mnemonics; go vet checks every kind of
// argument in gen/internal/goasm's tests.
func TestFrame(t *testing.T) {
	f := NewFile("p", "arm", "test")
	fn := f.Func("k", "func(alpha float32, x []float32, n int) float32", "k is a test.")
	fn.LoadF("alpha", D(0))
	fn.Load("x.base", R0)
	fn.Load("x.len", R1)
	fn.Load("n", R2)
	fn.StoreF(D(0), "ret")
	fn.RET()
	s, err := f.Assembly()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"TEXT ·k(SB), NOSPLIT|NOFRAME, $0-24\n",
		"MOVF\talpha+0(FP), F0\n",
		"MOVW\tx_base+4(FP), R0\n",
		"MOVW\tx_len+8(FP), R1\n",
		"MOVW\tn+16(FP), R2\n",
		"MOVF\tF0, ret+20(FP)\n",
	} {
		if !strings.Contains(string(s), want) {
			t.Errorf("assembly lacks %q:\n%s", want, s)
		}
	}
}

// TestErrors checks that generator mistakes the assembler would reject, or
// worse accept, are refused with a message naming them: arm's own, and
// that branches and the end of a body reach gen/internal/goasm's checks
// (tested there with the other shared ones).
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		body func(fn *Func)
		want string
	}{
		{"unbound label", func(fn *Func) { fn.B(fn.NewLabel("x")); fn.RET() }, "never bound"},
		{"no RET", func(fn *Func) { fn.MOVW(Imm(1), R0) }, "does not end in RET or B"},
		{"R14 without a frame", func(fn *Func) { fn.MOVW(Imm(1), R14); fn.RET() }, "R14 used without a frame"},
		{"local without a frame", func(fn *Func) { fn.Local(0, R0); fn.RET() }, "no local word 0"},
		{"MOVF of d16", func(fn *Func) { fn.LoadF("a", D(16)); fn.RET() }, "no single-precision view"},
		{"mixed sizes", func(fn *Func) { fn.VADD(Q(0).V(), D(1).V(), Q(2).V()); fn.RET() }, "mixed Q and D"},
		{"scalar of d16", func(fn *Func) { fn.VMLAScalar(Q(0).V(), Q(1).V(), D(16).L(0)); fn.RET() }, "D0-D15"},
		{"PC as index", func(fn *Func) { fn.VLD1(Regs(D(0), 1), R0.PostBy(Reg{15})); fn.RET() }, "cannot be an index"},
		{"offset range", func(fn *Func) { fn.Ld(R0.Off(5000), R1); fn.RET() }, "-4095…4095"},
	} {
		f := NewFile("p", "arm", "test")
		fn := f.Func("k", "func(a float32, x []float32)", "k.")
		tc.body(fn)
		_, err := f.Assembly()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
