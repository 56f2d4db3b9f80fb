package asm

import (
	"strings"
	"testing"
)

// TestFrame checks argument offsets and the frame size against what asmdecl
// expects for gc on arm64 (8-byte words, float32 taking 4 bytes, results
// starting at the next multiple of 8) and the move mnemonics; go vet checks
// every kind of argument in gen/internal/goasm's tests.
func TestFrame(t *testing.T) {
	f := NewFile("p", "arm64", "test")
	fn := f.Func("k", "func(alpha float32, x []float32, n int) float32", "k is a test.")
	fn.LoadF("alpha", V(0).F())
	fn.Load("x.base", R0)
	fn.Load("x.len", R1)
	fn.Load("n", R2)
	fn.StoreF(V(0).F(), "ret")
	fn.RET()
	s, err := f.Assembly()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"TEXT ·k(SB), NOSPLIT|NOFRAME, $0-44\n",
		"FMOVS\talpha+0(FP), F0\n",
		"MOVD\tx_base+8(FP), R0\n",
		"MOVD\tx_len+16(FP), R1\n",
		"MOVD\tn+32(FP), R2\n",
		"FMOVS\tF0, ret+40(FP)\n",
	} {
		if !strings.Contains(string(s), want) {
			t.Errorf("assembly lacks %q:\n%s", want, s)
		}
	}
}

// TestErrors checks that generator mistakes the assembler would reject, or
// worse accept, are refused with a message naming them: arm64's own, and
// that branches and the end of a body reach gen/internal/goasm's checks
// (tested there with the other shared ones).
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		body func(fn *Func)
		want string
	}{
		{"unbound label", func(fn *Func) { fn.B(fn.NewLabel("x")); fn.RET() }, "never bound"},
		{"no RET", func(fn *Func) { fn.MOVD(Imm(1), R0) }, "does not end in RET or B"},
		{"post-increment size", func(fn *Func) { fn.VLD1(R0.Post(16), Seq(V(0), 2, S4)); fn.RET() }, "must be the 32 bytes"},
		{"VLD1 offset", func(fn *Func) { fn.VLD1(R0.Off(16), Seq(V(0), 1, S4)); fn.RET() }, "needs post-indexing"},
		{"bad word", func(fn *Func) { fn.VFADD(V(0).S4(), V(1).S2(), V(2).S4()); fn.RET() }, "arrangement"},
		{"VLD1 register offset", func(fn *Func) { fn.VLD1(R0.Index(R1), Seq(V(0), 1, S4)); fn.RET() }, "register offset needs post-indexing"},
		{"FMOVS register offset", func(fn *Func) { fn.FMOVS(R0.Index(R1), V(0).F()); fn.RET() }, "no register offset"},
		{"FLDPQ register offset", func(fn *Func) { fn.FLDPQ(R0.Index(R1), V(0).F(), V(1).F()); fn.RET() }, "no register offset"},
		{"MOVDLoad register post-increment", func(fn *Func) { fn.MOVDLoad(R0.PostBy(R1), R2); fn.RET() }, "no register post-increment"},
		{"MOVDLoad post-increment range", func(fn *Func) { fn.MOVDLoad(R0.Post(256), R2); fn.RET() }, "-256…255"},
		{"MOVDStore register post-increment", func(fn *Func) { fn.MOVDStore(R2, R0.PostBy(R1)); fn.RET() }, "no register post-increment"},
		{"MOVDStore post-increment range", func(fn *Func) { fn.MOVDStore(R2, R0.Post(-264)); fn.RET() }, "-256…255"},
		{"PRFM post-indexed", func(fn *Func) { fn.PRFM(R0.Post(64), PLDL1KEEP); fn.RET() }, "no post-indexing"},
		{"PRFM unaligned offset", func(fn *Func) { fn.PRFM(R0.Off(4), PLDL1KEEP); fn.RET() }, "multiple of 8"},
		{"PRFM negative offset", func(fn *Func) { fn.PRFM(R0.Off(-8), PLDL1KEEP); fn.RET() }, "multiple of 8"},
		{"PRFM unknown operation", func(fn *Func) { fn.PRFM(R0.Mem(), Prefetch(1)); fn.RET() }, "unknown operation"},
		{"mixed VFMLA", func(fn *Func) { fn.VFMLA(V(0).S4(), V(1).S2(), V(2).S4()); fn.RET() }, "mixed arrangements"},
	} {
		f := NewFile("p", "arm64", "test")
		fn := f.Func("k", "func(a float32, x []float32)", "k.")
		tc.body(fn)
		_, err := f.Assembly()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
