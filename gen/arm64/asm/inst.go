package asm

import "fmt"

// Instructions Go's arm64 assembler knows, with its mnemonics and operand
// order: sources first, destination last.

func (fn *Func) branch(op string, l Label, pre string) {
	fn.labels[l.name]++
	fn.inst(op, pre+l.name)
}

// RET returns.
func (fn *Func) RET() { fn.inst("RET", "") }

// B branches to l.
func (fn *Func) B(l Label) { fn.branch("B", l, "") }

// BEQ branches to l if the last comparison found equality.
func (fn *Func) BEQ(l Label) { fn.branch("BEQ", l, "") }

// BNE branches to l if the last comparison found inequality.
func (fn *Func) BNE(l Label) { fn.branch("BNE", l, "") }

// BLT branches to l if the last signed comparison found less than.
func (fn *Func) BLT(l Label) { fn.branch("BLT", l, "") }

// BGE branches to l if the last signed comparison found greater or equal.
func (fn *Func) BGE(l Label) { fn.branch("BGE", l, "") }

// BGT branches to l if the last signed comparison found greater than.
func (fn *Func) BGT(l Label) { fn.branch("BGT", l, "") }

// BLE branches to l if the last signed comparison found less or equal.
func (fn *Func) BLE(l Label) { fn.branch("BLE", l, "") }

// CBZ branches to l if r is zero.
func (fn *Func) CBZ(r Reg, l Label) { fn.branch("CBZ", l, r.String()+", ") }

// CBNZ branches to l if r is not zero.
func (fn *Func) CBNZ(r Reg, l Label) { fn.branch("CBNZ", l, r.String()+", ") }

// MOVD sets d to src (a register or an immediate).
func (fn *Func) MOVD(src Operand, d Reg) { fn.inst("MOVD", src.operand()+", "+d.String()) }

// ADD sets d += x.
func (fn *Func) ADD(x Operand, d Reg) { fn.inst("ADD", x.operand()+", "+d.String()) }

// ADD3 sets d = n + x.
func (fn *Func) ADD3(x Operand, n, d Reg) {
	fn.inst("ADD", x.operand()+", "+n.String()+", "+d.String())
}

// SUB sets d -= x.
func (fn *Func) SUB(x Operand, d Reg) { fn.inst("SUB", x.operand()+", "+d.String()) }

// SUBS sets d -= x and the flags from the result.
func (fn *Func) SUBS(x Operand, d Reg) { fn.inst("SUBS", x.operand()+", "+d.String()) }

// CMP sets the flags from n − x.
func (fn *Func) CMP(x Operand, n Reg) { fn.inst("CMP", x.operand()+", "+n.String()) }

// AND3 sets d = n & x.
func (fn *Func) AND3(x Operand, n, d Reg) {
	fn.inst("AND", x.operand()+", "+n.String()+", "+d.String())
}

// LSL3 sets d = n << s.
func (fn *Func) LSL3(s uint8, n, d Reg) { fn.inst("LSL", fmt.Sprintf("$%d, %s, %s", s, n, d)) }

// LSR3 sets d = n >> s (logical).
func (fn *Func) LSR3(s uint8, n, d Reg) { fn.inst("LSR", fmt.Sprintf("$%d, %s, %s", s, n, d)) }

// MUL3 sets d = n · m.
func (fn *Func) MUL3(m, n, d Reg) { fn.inst("MUL", fmt.Sprintf("%s, %s, %s", m, n, d)) }

// MOVDLoad loads the 64-bit word at m into d (Go's MOVD from memory, ldr):
// at an immediate or register offset, or post-indexed by an immediate.
func (fn *Func) MOVDLoad(m Mem, d Reg) { fn.inst(fn.movdOp(m), m.String()+", "+d.String()) }

// MOVDStore stores s to the 64-bit word at m (Go's MOVD to memory, str), with
// the addresses MOVDLoad takes.
func (fn *Func) MOVDStore(s Reg, m Mem) { fn.inst(fn.movdOp(m), s.String()+", "+m.String()) }

func (fn *Func) movdOp(m Mem) string {
	op := "MOVD"
	if m.post {
		if m.byReg {
			fn.errorf("%s %s: no register post-increment", op, m)
		}
		if m.off < -256 || m.off > 255 {
			fn.errorf("%s %s: a post-increment must be in -256…255", op, m)
		}
		op += ".P"
	}
	return op
}

// Prefetch is the operation of a PRFM, its Rt field: what the line is wanted
// for (PLD a load, PST a store), the cache level to bring it to, and KEEP,
// for data expected to be used normally (rather than streamed once).
type Prefetch uint8

// The prefetch operations the emitter can write.
const (
	PLDL1KEEP Prefetch = 0
	PLDL2KEEP Prefetch = 2
	PSTL1KEEP Prefetch = 16
)

var prefetchNames = map[Prefetch]string{PLDL1KEEP: "PLDL1KEEP", PLDL2KEEP: "PLDL2KEEP", PSTL1KEEP: "PSTL1KEEP"}

func (p Prefetch) String() string {
	if s, ok := prefetchNames[p]; ok {
		return s
	}
	return fmt.Sprintf("Prefetch(%d)", uint8(p))
}

// PRFM hints that the line holding m will soon be accessed as op says. It
// never faults, whatever the address. m is an immediate offset (a multiple
// of 8 in 0…32760, one instruction) or a register offset (Index; Go's
// assembler lacks that form, so it is written as a WORD).
func (fn *Func) PRFM(m Mem, op Prefetch) {
	if _, ok := prefetchNames[op]; !ok {
		fn.errorf("PRFM: unknown operation %d", uint8(op))
		return
	}
	switch {
	case m.post:
		fn.errorf("PRFM %s: no post-indexing", m)
	case m.byReg:
		fn.emitWord(EncodePRFMReg(op, m.base, m.index))
	case m.off < 0 || m.off > 32760 || m.off%8 != 0:
		fn.errorf("PRFM %s: the offset must be a multiple of 8 in 0…32760", m)
	default:
		fn.inst("PRFM", m.String()+", "+op.String())
	}
}

// memOp checks a vector load or store address: VLD1 and VST1 take no
// offset, and a post-increment by an immediate must equal the bytes moved.
func (fn *Func) memOp(op string, m Mem, bytes int) string {
	if !m.post && m.byReg {
		fn.errorf("%s %s: a register offset needs post-indexing", op, m)
	}
	if !m.post && m.off != 0 {
		fn.errorf("%s %s: an offset needs post-indexing", op, m)
	}
	if m.post && !m.byReg && m.off != bytes {
		fn.errorf("%s %s: post-increment must be the %d bytes moved", op, m, bytes)
	}
	if m.post {
		return op + ".P"
	}
	return op
}

// VLD1 loads the consecutive registers l from m.
func (fn *Func) VLD1(m Mem, l VList) {
	fn.inst(fn.memOp("VLD1", m, l.bytes()), m.String()+", "+l.String())
}

// VST1 stores the consecutive registers l to m.
func (fn *Func) VST1(l VList, m Mem) {
	fn.inst(fn.memOp("VST1", m, l.bytes()), l.String()+", "+m.String())
}

// VLD1Lane loads one lane from m, leaving the other lanes unchanged.
func (fn *Func) VLD1Lane(m Mem, d Lane) {
	fn.inst(fn.memOp("VLD1", m, d.bytes()), m.String()+", "+d.String())
}

// VST1Lane stores one lane to m.
func (fn *Func) VST1Lane(s Lane, m Mem) {
	fn.inst(fn.memOp("VST1", m, s.bytes()), s.String()+", "+m.String())
}

// VLD1R loads one element from m into every lane of d.
func (fn *Func) VLD1R(m Mem, d Vec) {
	fn.inst(fn.memOp("VLD1R", m, arrangementBytes[d.A]/lanes(d.A)), m.String()+", ["+d.String()+"]")
}

func lanes(a Arrangement) int {
	switch a {
	case S4:
		return 4
	case S2, D2:
		return 2
	}
	return 16
}

// VFMLA sets d += n·m, lane by lane, fused.
func (fn *Func) VFMLA(m, n, d Vec) {
	fn.sameArr("VFMLA", m, n, d)
	fn.inst("VFMLA", fmt.Sprintf("%s, %s, %s", m, n, d))
}

// VEOR sets d = n ^ m; VEOR(v, v, v) zeroes v.
func (fn *Func) VEOR(m, n, d Vec) {
	fn.sameArr("VEOR", m, n, d)
	fn.inst("VEOR", fmt.Sprintf("%s, %s, %s", m, n, d))
}

// Zero zeroes every listed register (VEOR v, v, v).
func (fn *Func) Zero(vs ...VReg) {
	for _, v := range vs {
		fn.VEOR(v.B16(), v.B16(), v.B16())
	}
}

// VDUP copies lane s into every lane of d.
func (fn *Func) VDUP(s Lane, d Vec) { fn.inst("VDUP", s.String()+", "+d.String()) }

// VDUPR copies general register r into every lane of d (its low 32 bits for
// S4: a float32's bit pattern).
func (fn *Func) VDUPR(r Reg, d Vec) { fn.inst("VDUP", r.String()+", "+d.String()) }

// VMOV copies vector s to d.
func (fn *Func) VMOV(s, d Vec) {
	fn.sameArr("VMOV", s, d)
	fn.inst("VMOV", s.String()+", "+d.String())
}

// VMOVLane copies lane s into lane d, leaving d's other lanes unchanged.
func (fn *Func) VMOVLane(s, d Lane) { fn.inst("VMOV", s.String()+", "+d.String()) }

func (fn *Func) sameArr(op string, vs ...Vec) {
	for _, v := range vs[1:] {
		if v.A != vs[0].A {
			fn.errorf("%s: mixed arrangements %s and %s", op, vs[0], v)
		}
	}
}

func (fn *Func) fmov(op string, s, d FOperand) {
	sm, sMem := s.(Mem)
	dm, dMem := d.(Mem)
	switch {
	case sMem && dMem:
		fn.errorf("%s: memory to memory", op)
	case sMem && sm.byReg, dMem && dm.byReg:
		fn.errorf("%s %s, %s: no register offset or post-increment", op, s.foperand(), d.foperand())
	case sMem && sm.post, dMem && dm.post:
		op += ".P"
	}
	fn.inst(op, s.foperand()+", "+d.foperand())
}

// FMOVS moves 32 bits: register to register, load or store. Writing a
// register zeroes the rest of its vector register.
func (fn *Func) FMOVS(s, d FOperand) { fn.fmov("FMOVS", s, d) }

// FMOVD moves 64 bits (two float32 lanes).
func (fn *Func) FMOVD(s, d FOperand) { fn.fmov("FMOVD", s, d) }

// FMOVQ moves 128 bits (four float32 lanes).
func (fn *Func) FMOVQ(s, d FOperand) { fn.fmov("FMOVQ", s, d) }

// FLDPQ loads 32 bytes from m into a and b.
func (fn *Func) FLDPQ(m Mem, a, b FReg) {
	op := "FLDPQ"
	if m.byReg {
		fn.errorf("%s %s: no register offset or post-increment", op, m)
	}
	if m.post {
		op += ".P"
	}
	fn.inst(op, fmt.Sprintf("%s, (%s, %s)", m, a, b))
}

// FSTPQ stores a and b, 32 bytes, to m.
func (fn *Func) FSTPQ(a, b FReg, m Mem) {
	op := "FSTPQ"
	if m.byReg {
		fn.errorf("%s %s: no register offset or post-increment", op, m)
	}
	if m.post {
		op += ".P"
	}
	fn.inst(op, fmt.Sprintf("(%s, %s), %s", a, b, m))
}

// FMADDS sets d = a + n·m in single precision, fused (zeroing the rest of
// d's vector register).
func (fn *Func) FMADDS(m, a, n, d FReg) {
	fn.inst("FMADDS", fmt.Sprintf("%s, %s, %s, %s", m, a, n, d))
}

// FADDS sets d = n + m in single precision.
func (fn *Func) FADDS(m, n, d FReg) { fn.inst("FADDS", fmt.Sprintf("%s, %s, %s", m, n, d)) }

// FSUBS sets d = n − m in single precision.
func (fn *Func) FSUBS(m, n, d FReg) { fn.inst("FSUBS", fmt.Sprintf("%s, %s, %s", m, n, d)) }

// FMULS sets d = n · m in single precision.
func (fn *Func) FMULS(m, n, d FReg) { fn.inst("FMULS", fmt.Sprintf("%s, %s, %s", m, n, d)) }

// FDIVS sets d = n / m in single precision, correctly rounded.
func (fn *Func) FDIVS(m, n, d FReg) { fn.inst("FDIVS", fmt.Sprintf("%s, %s, %s", m, n, d)) }

// FCMPSZero compares f with 0: equal for ±0, unordered (so not equal) for
// NaN.
func (fn *Func) FCMPSZero(f FReg) { fn.inst("FCMPS", "$(0.0), "+f.String()) }

// emitWord adds an instruction the assembler lacks as a WORD.
func (fn *Func) emitWord(w Word, err error) {
	if err != nil {
		fn.errorf("%v", err)
		return
	}
	fn.lines = append(fn.lines, line{op: "WORD", word: &w})
}

// VFADD sets d = n + m lane by lane (fadd).
func (fn *Func) VFADD(m, n, d Vec) { fn.emitWord(EncodeFADD(m, n, d)) }

// VFSUB sets d = n − m lane by lane (fsub).
func (fn *Func) VFSUB(m, n, d Vec) { fn.emitWord(EncodeFSUB(m, n, d)) }

// VFMUL sets d = n · m lane by lane (fmul).
func (fn *Func) VFMUL(m, n, d Vec) { fn.emitWord(EncodeFMUL(m, n, d)) }

// VFDIV sets d = n / m lane by lane (fdiv), each correctly rounded.
func (fn *Func) VFDIV(m, n, d Vec) { fn.emitWord(EncodeFDIV(m, n, d)) }

// VFADDP adds adjacent pairs (faddp): d = [n0+n1, n2+n3, m0+m1, m2+m3] for
// S4.
func (fn *Func) VFADDP(m, n, d Vec) { fn.emitWord(EncodeFADDP(m, n, d)) }

// FADDPS sets the scalar d = n0 + n1 for n an S2 (faddp s, v.2s).
func (fn *Func) FADDPS(n Vec, d FReg) { fn.emitWord(EncodeFADDPScalar(n, d)) }

// VFMLAElem sets d += n·m, m one lane broadcast to every lane of n (fmla by
// element).
func (fn *Func) VFMLAElem(m Lane, n, d Vec) { fn.emitWord(EncodeFMLAElem(m, n, d)) }

// VFMULElem sets d = n·m, m one lane (fmul by element).
func (fn *Func) VFMULElem(m Lane, n, d Vec) { fn.emitWord(EncodeFMULElem(m, n, d)) }

// LDURQ loads the 128 bits at m, an immediate offset of −256…255 bytes from
// its base, into d, as the one-micro-op LDUR (see opLDURQ).
func (fn *Func) LDURQ(m Mem, d VReg) {
	if m.post || m.byReg {
		fn.errorf("LDURQ %s: want an immediate offset", m)
		return
	}
	fn.emitWord(EncodeLDURQ(m.base, m.off, d))
}
