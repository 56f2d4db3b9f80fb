package main

import "github.com/edgefit/edgefit/gen/arm/asm"

// countDown emits a loop that runs body cnt times, nothing when cnt is zero;
// cnt is consumed.
func countDown(fn *asm.Func, name string, cnt asm.Reg, body func()) {
	loop, done := fn.NewLabel(name), fn.NewLabel(name+"_end")
	fn.CMP(asm.Imm(0), cnt)
	fn.BEQ(done)
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

// addMul emits d += x·c for a small constant c ≥ 0 as shifted adds (sub
// when neg), so that stepping a pointer by c rows needs no multiply.
func addMul(fn *asm.Func, x asm.Reg, c int, d asm.Reg, neg bool) {
	for s := uint8(0); c > 0; s, c = s+1, c>>1 {
		if c&1 == 0 {
			continue
		}
		var o asm.Operand = x
		if s > 0 {
			o = x.LSL(s)
		}
		if neg {
			fn.SUB(o, d)
		} else {
			fn.ADD(o, d)
		}
	}
}

// qs returns n consecutive Q registers from first.
func qs(first, n int) []asm.QReg {
	v := make([]asm.QReg, n)
	for i := range v {
		v[i] = asm.Q(first + i)
	}
	return v
}

// sumAcross emits the sum of the float32 lanes of every accumulator into
// lane 0 of the returned D register (D0, which MOVF can store): vector adds
// in pairs, the halves of the last one, then a pairwise add.
func sumAcross(fn *asm.Func, accs []asm.QReg) asm.DReg {
	for len(accs) > 1 {
		h := len(accs) / 2
		for i := 0; i < h; i++ {
			fn.VADD(accs[i].V(), accs[i].V(), accs[h+i].V())
		}
		if len(accs)%2 == 1 {
			fn.VADD(accs[0].V(), accs[0].V(), accs[len(accs)-1].V())
		}
		accs = accs[:h]
	}
	a := accs[0]
	fn.VADD(a.Lo().V(), a.Lo().V(), a.Hi().V())
	fn.VPADD(asm.D(0), a.Lo(), a.Lo())
	return asm.D(0)
}
