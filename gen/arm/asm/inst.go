package asm

import "fmt"

// Instructions Go's arm assembler knows, with its mnemonics and operand
// order: sources first, destination last.

func (fn *Func) branch(op string, l Label) {
	fn.labels[l.name]++
	fn.inst(op, l.name)
}

// RET returns.
func (fn *Func) RET() { fn.inst("RET", "") }

// B branches to l.
func (fn *Func) B(l Label) { fn.branch("B", l) }

// BEQ branches to l if the last comparison found equality.
func (fn *Func) BEQ(l Label) { fn.branch("BEQ", l) }

// BNE branches to l if the last comparison found inequality.
func (fn *Func) BNE(l Label) { fn.branch("BNE", l) }

// BLT branches to l if the last signed comparison found less than.
func (fn *Func) BLT(l Label) { fn.branch("BLT", l) }

// BGE branches to l if the last signed comparison found greater or equal.
func (fn *Func) BGE(l Label) { fn.branch("BGE", l) }

// BGT branches to l if the last signed comparison found greater than.
func (fn *Func) BGT(l Label) { fn.branch("BGT", l) }

// BLE branches to l if the last signed comparison found less or equal.
func (fn *Func) BLE(l Label) { fn.branch("BLE", l) }

// MOVW sets d to src: a register, a shifted register or an immediate.
func (fn *Func) MOVW(src Operand, d Reg) { fn.inst("MOVW", src.operand()+", "+d.String()) }

// Ld loads the word at a into d (ldr), post-indexed when a is.
func (fn *Func) Ld(a Addr, d Reg) { fn.inst(fn.movw(a), a.String()+", "+d.String()) }

// St stores s to the word at a (str), post-indexed when a is.
func (fn *Func) St(s Reg, a Addr) { fn.inst(fn.movw(a), s.String()+", "+a.String()) }

func (fn *Func) movw(a Addr) string {
	if a.off < -4095 || a.off > 4095 {
		fn.errorf("MOVW %s: the offset must be in -4095…4095", a)
	}
	if a.post {
		return "MOVW.P"
	}
	return "MOVW"
}

// ADD sets d += x.
func (fn *Func) ADD(x Operand, d Reg) { fn.inst("ADD", x.operand()+", "+d.String()) }

// ADD3 sets d = n + x.
func (fn *Func) ADD3(x Operand, n, d Reg) {
	fn.inst("ADD", x.operand()+", "+n.String()+", "+d.String())
}

// SUB sets d -= x.
func (fn *Func) SUB(x Operand, d Reg) { fn.inst("SUB", x.operand()+", "+d.String()) }

// SUB3 sets d = n − x.
func (fn *Func) SUB3(x Operand, n, d Reg) {
	fn.inst("SUB", x.operand()+", "+n.String()+", "+d.String())
}

// SUBS sets d -= x and the flags from the result.
func (fn *Func) SUBS(x Operand, d Reg) { fn.inst("SUB.S", x.operand()+", "+d.String()) }

// CMP sets the flags from n − x.
func (fn *Func) CMP(x Operand, n Reg) { fn.inst("CMP", x.operand()+", "+n.String()) }

// AND3 sets d = n & x.
func (fn *Func) AND3(x Operand, n, d Reg) {
	fn.inst("AND", x.operand()+", "+n.String()+", "+d.String())
}

// MUL3 sets d = n · m.
func (fn *Func) MUL3(m, n, d Reg) { fn.inst("MUL", fmt.Sprintf("%s, %s, %s", m, n, d)) }

// PLD hints that the line holding the byte at r will soon be loaded. It never
// faults, whatever the address.
func (fn *Func) PLD(r Reg) { fn.inst("PLD", "("+r.String()+")") }

// emitWord adds a NEON instruction as a WORD.
func (fn *Func) emitWord(w Word, err error) {
	if err != nil {
		fn.errorf("%v", err)
		return
	}
	fn.lines = append(fn.lines, line{op: "WORD", word: &w})
}

// VADD sets d = n + m lane by lane (vadd.f32).
func (fn *Func) VADD(d, n, m Vec) { fn.emitWord(EncodeVADD(d, n, m)) }

// VSUB sets d = n − m (vsub.f32).
func (fn *Func) VSUB(d, n, m Vec) { fn.emitWord(EncodeVSUB(d, n, m)) }

// VMUL sets d = n · m (vmul.f32).
func (fn *Func) VMUL(d, n, m Vec) { fn.emitWord(EncodeVMUL(d, n, m)) }

// VMLA sets d += n · m, the product rounded before the sum (vmla.f32).
func (fn *Func) VMLA(d, n, m Vec) { fn.emitWord(EncodeVMLA(d, n, m)) }

// VFMA sets d += n · m, fused (vfma.f32, VFPv4 cores only).
func (fn *Func) VFMA(d, n, m Vec) { fn.emitWord(EncodeVFMA(d, n, m)) }

// VPADD sets d = [n0+n1, m0+m1] (vpadd.f32).
func (fn *Func) VPADD(d, n, m DReg) { fn.emitWord(EncodeVPADD(d, n, m)) }

// VMOV copies s to d (vorr d, s, s).
func (fn *Func) VMOV(d, s Vec) { fn.emitWord(EncodeVORR(d, s)) }

// VMLAScalar sets d += n · s (vmla.f32 by scalar, rounded twice).
func (fn *Func) VMLAScalar(d, n Vec, s Lane) { fn.emitWord(EncodeVMLAScalar(d, n, s)) }

// VMULScalar sets d = n · s (vmul.f32 by scalar).
func (fn *Func) VMULScalar(d, n Vec, s Lane) { fn.emitWord(EncodeVMULScalar(d, n, s)) }

// VDUP sets every lane of d to s (vdup.32).
func (fn *Func) VDUP(d Vec, s Lane) { fn.emitWord(EncodeVDUP(d, s)) }

// Zero zeroes every listed register (vmov.i32 #0).
func (fn *Func) Zero(vs ...Vec) {
	for _, v := range vs {
		fn.emitWord(EncodeVMOVZero(v))
	}
}

// VLD1 loads the list from m (vld1.32).
func (fn *Func) VLD1(l List, m Mem) { fn.emitWord(EncodeVLD1(l, m)) }

// VST1 stores the list to m (vst1.32).
func (fn *Func) VST1(l List, m Mem) { fn.emitWord(EncodeVST1(l, m)) }

// VLD1Lane loads one float32 from m into lane s, leaving the other lane.
func (fn *Func) VLD1Lane(s Lane, m Mem) { fn.emitWord(EncodeVLD1Lane(s, m)) }

// VST1Lane stores lane s to m.
func (fn *Func) VST1Lane(s Lane, m Mem) { fn.emitWord(EncodeVST1Lane(s, m)) }

// VMOVImm sets every lane of d to v, one of the values EncodeVMOVImm takes.
func (fn *Func) VMOVImm(d Vec, v float64) { fn.emitWord(EncodeVMOVImm(d, v)) }
