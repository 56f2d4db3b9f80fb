package main

import "github.com/edgefit/edgefit/gen/arm64/asm"

// countDown emits a loop that runs body cnt times, nothing when cnt is zero;
// cnt is consumed.
func countDown(fn *asm.Func, name string, cnt asm.Reg, body func()) {
	loop, done := fn.NewLabel(name), fn.NewLabel(name+"_end")
	fn.CBZ(cnt, done)
	fn.Bind(loop)
	body()
	fn.SUBS(asm.Imm(1), cnt)
	fn.BNE(loop)
	fn.Bind(done)
}

// whileAtLeast emits: for cnt ≥ min { body(); cnt -= min }.
func whileAtLeast(fn *asm.Func, name string, cnt asm.Reg, min int, body func()) {
	loop, done := fn.NewLabel(name), fn.NewLabel(name+"_end")
	fn.CMP(asm.Imm(min), cnt)
	fn.BLT(done)
	fn.Bind(loop)
	body()
	fn.SUB(asm.Imm(min), cnt)
	fn.CMP(asm.Imm(min), cnt)
	fn.BGE(loop)
	fn.Bind(done)
}

// ifAtLeast emits: if cnt ≥ min { body(); cnt -= min }.
func ifAtLeast(fn *asm.Func, name string, cnt asm.Reg, min int, body func()) {
	skip := fn.NewLabel(name + "_skip")
	fn.CMP(asm.Imm(min), cnt)
	fn.BLT(skip)
	body()
	fn.SUB(asm.Imm(min), cnt)
	fn.Bind(skip)
}

// addMul emits d += x·c for a small constant c ≥ 0, as shifted adds, so that
// stepping a pointer by c rows needs no multiply.
func addMul(fn *asm.Func, x asm.Reg, c int, d asm.Reg) {
	for s := uint8(0); c > 0; s, c = s+1, c>>1 {
		if c&1 == 0 {
			continue
		}
		if s == 0 {
			fn.ADD(x, d)
		} else {
			fn.ADD(x.LSL(s), d)
		}
	}
}

// regs returns n consecutive vector registers from first.
func regs(first, n int) []asm.VReg {
	v := make([]asm.VReg, n)
	for i := range v {
		v[i] = asm.V(first + i)
	}
	return v
}

// s4 is the list of the registers as S4, for VLD1 and VST1 (consecutive).
func s4(vs []asm.VReg) asm.VList { return asm.Seq(vs[0], len(vs), asm.S4) }

// sumAcross emits the sum of the float32 lanes of every accumulator into the
// scalar accs[0].F(): pairwise vector adds, then pairwise lane adds. Scalar
// work may only follow it, since writing an S register zeroes the rest of its
// vector register.
func sumAcross(fn *asm.Func, accs []asm.VReg) asm.FReg {
	for len(accs) > 1 {
		h := len(accs) / 2
		for i := 0; i < h; i++ {
			fn.VFADD(accs[h+i].S4(), accs[i].S4(), accs[i].S4())
		}
		if len(accs)%2 == 1 {
			fn.VFADD(accs[len(accs)-1].S4(), accs[0].S4(), accs[0].S4())
		}
		accs = accs[:h]
	}
	a := accs[0]
	fn.VFADDP(a.S4(), a.S4(), a.S4())
	fn.FADDPS(a.S2(), a.F())
	return a.F()
}

// atMost emits: if r > max { r = max } (signed).
func atMost(fn *asm.Func, name string, r asm.Reg, max int) {
	ok := fn.NewLabel(name + "_ok")
	fn.CMP(asm.Imm(max), r)
	fn.BLE(ok)
	fn.MOVD(asm.Imm(max), r)
	fn.Bind(ok)
}
