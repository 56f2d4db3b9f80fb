package asm

import (
	"fmt"
	"strconv"
	"strings"
)

// Word is one NEON instruction, which Go's arm assembler lacks, encoded: its
// 32 bits and its GNU spelling, which goes next to the WORD as a comment and
// is what LLVM's assembler reads back to check the bits (testdata/golden.txt).
type Word struct {
	Bits uint32
	GNU  string
}

// Base encodings, registers zero (Arm ARM, ARMv7-A, A1 encodings of the
// Advanced SIMD instructions). A register number goes in a 4-bit field and a
// fifth bit: Vd 12-15 and D 22, Vn 16-19 and N 7, Vm 0-3 and M 5. Q (bit 6)
// selects 128-bit operands, whose numbers are those of their even D half.
const (
	opVADD     = 0xF2000D00 // vadd.f32
	opVSUB     = 0xF2200D00 // vsub.f32
	opVMUL     = 0xF3000D10 // vmul.f32
	opVMLA     = 0xF2000D10 // vmla.f32 (multiply, round, add, round)
	opVFMA     = 0xF2000C10 // vfma.f32 (fused; VFPv4)
	opVPADD    = 0xF3000D00 // vpadd.f32 (D only)
	opVMLAS    = 0xF2A00140 // vmla.f32 by scalar (bit 24 for Q)
	opVMULS    = 0xF2A00940 // vmul.f32 by scalar (bit 24 for Q)
	opVDUP     = 0xF3B40C00 // vdup.32 from a scalar (index in bit 19)
	opVMOVZero = 0xF2800010 // vmov.i32 #0
	opVORR     = 0xF2200110 // vorr, vmov of a register
	opVLD1     = 0xF4200080 // vld1.32, multiple registers (type in 8-11)
	opVST1     = 0xF4000080 // vst1.32, multiple registers
	opVLD1Lane = 0xF4A00800 // vld1.32, one lane (index in bit 7)
	opVST1Lane = 0xF4800800 // vst1.32, one lane
	bitQ       = 1 << 6
)

// vd, vn and vm place a D register number in the d, n and m fields.
func vd(r uint8) uint32 { return uint32(r&15)<<12 | uint32(r>>4)<<22 }
func vn(r uint8) uint32 { return uint32(r&15)<<16 | uint32(r>>4)<<7 }
func vm(r uint8) uint32 { return uint32(r&15) | uint32(r>>4)<<5 }

// Vec is an operand of a three-register instruction: a Q or a D register.
type Vec struct {
	n uint8 // the D number (even for Q)
	q bool
}

// V is q as an operand.
func (q QReg) V() Vec { return Vec{uint8(2 * q), true} }

// V is d as an operand.
func (d DReg) V() Vec { return Vec{uint8(d), false} }

func (v Vec) gnu() string {
	if v.q {
		return fmt.Sprintf("q%d", v.n/2)
	}
	return fmt.Sprintf("d%d", v.n)
}

// threeSame encodes a float32 instruction on three registers of one size.
func threeSame(op uint32, name string, d, n, m Vec) (Word, error) {
	if d.q != n.q || n.q != m.q {
		return Word{}, fmt.Errorf("%s %s, %s, %s: mixed Q and D registers", name, d.gnu(), n.gnu(), m.gnu())
	}
	bits := op | vd(d.n) | vn(n.n) | vm(m.n)
	if d.q {
		bits |= bitQ
	}
	return Word{bits, fmt.Sprintf("%s %s, %s, %s", name, d.gnu(), n.gnu(), m.gnu())}, nil
}

// EncodeVADD encodes vadd.f32 d, n, m (d = n + m).
func EncodeVADD(d, n, m Vec) (Word, error) { return threeSame(opVADD, "vadd.f32", d, n, m) }

// EncodeVSUB encodes vsub.f32 d, n, m (d = n − m).
func EncodeVSUB(d, n, m Vec) (Word, error) { return threeSame(opVSUB, "vsub.f32", d, n, m) }

// EncodeVMUL encodes vmul.f32 d, n, m.
func EncodeVMUL(d, n, m Vec) (Word, error) { return threeSame(opVMUL, "vmul.f32", d, n, m) }

// EncodeVMLA encodes vmla.f32 d, n, m (d += n·m, rounded twice).
func EncodeVMLA(d, n, m Vec) (Word, error) { return threeSame(opVMLA, "vmla.f32", d, n, m) }

// EncodeVFMA encodes vfma.f32 d, n, m (d += n·m, fused).
func EncodeVFMA(d, n, m Vec) (Word, error) { return threeSame(opVFMA, "vfma.f32", d, n, m) }

// EncodeVPADD encodes vpadd.f32 d, n, m on D registers: [n0+n1, m0+m1].
func EncodeVPADD(d, n, m DReg) (Word, error) {
	return threeSame(opVPADD, "vpadd.f32", d.V(), n.V(), m.V())
}

// EncodeVORR encodes vorr d, s, s, the copy GNU spells vmov d, s.
func EncodeVORR(d, s Vec) (Word, error) {
	w, err := threeSame(opVORR, "vorr", d, s, s)
	return w, err
}

// byScalar encodes a float32 instruction by a scalar: the scalar's D
// register (D0-D15) in Vm and its index in M.
func byScalar(op uint32, name string, d, n Vec, s Lane) (Word, error) {
	if d.q != n.q || s.D > 15 {
		return Word{}, fmt.Errorf("%s %s, %s, %s: want one size and a scalar of D0-D15", name, d.gnu(), n.gnu(), s.gnu())
	}
	bits := op | vd(d.n) | vn(n.n) | uint32(s.D) | uint32(s.Index)<<5
	if d.q {
		bits |= 1 << 24
	}
	return Word{bits, fmt.Sprintf("%s %s, %s, %s", name, d.gnu(), n.gnu(), s.gnu())}, nil
}

// EncodeVMLAScalar encodes vmla.f32 d, n, s (d += n·s, rounded twice).
func EncodeVMLAScalar(d, n Vec, s Lane) (Word, error) { return byScalar(opVMLAS, "vmla.f32", d, n, s) }

// EncodeVMULScalar encodes vmul.f32 d, n, s.
func EncodeVMULScalar(d, n Vec, s Lane) (Word, error) { return byScalar(opVMULS, "vmul.f32", d, n, s) }

// EncodeVDUP encodes vdup.32 d, s: every lane of d set to s.
func EncodeVDUP(d Vec, s Lane) (Word, error) {
	bits := opVDUP | vd(d.n) | vm(uint8(s.D)) | uint32(s.Index)<<19
	if d.q {
		bits |= bitQ
	}
	return Word{bits, fmt.Sprintf("vdup.32 %s, %s", d.gnu(), s.gnu())}, nil
}

// EncodeVMOVZero encodes vmov.i32 d, #0.
func EncodeVMOVZero(d Vec) (Word, error) {
	bits := opVMOVZero | vd(d.n)
	if d.q {
		bits |= bitQ
	}
	return Word{bits, fmt.Sprintf("vmov.i32 %s, #0", d.gnu())}, nil
}

// List is 1-4 consecutive D registers, the operand of a multiple-register
// vld1 or vst1.
type List struct {
	First DReg
	N     int
}

// Regs returns the list of n D registers from first.
func Regs(first DReg, n int) List { return List{first, n} }

// QList returns the D registers of n consecutive Q registers from first.
func QList(first QReg, n int) List { return List{first.Lo(), 2 * n} }

// Bytes is the size the list loads or stores.
func (l List) Bytes() int { return 8 * l.N }

func (l List) gnu() string {
	if l.N == 1 {
		return fmt.Sprintf("{d%d}", l.First)
	}
	return fmt.Sprintf("{d%d-d%d}", l.First, int(l.First)+l.N-1)
}

var listType = [...]uint32{1: 0x7, 2: 0xA, 3: 0x6, 4: 0x2}

func ldst(op uint32, name string, l List, m Mem) (Word, error) {
	if l.N < 1 || l.N > 4 || int(l.First)+l.N > 32 {
		return Word{}, fmt.Errorf("%s: no list of %d D registers from d%d", name, l.N, l.First)
	}
	if m.byReg && (m.index.n == 13 || m.index.n == 15) {
		return Word{}, fmt.Errorf("%s: r%d cannot be an index", name, m.index.n)
	}
	bits := op | vd(uint8(l.First)) | uint32(m.base.n)<<16 | listType[l.N]<<8 | m.rm()
	return Word{bits, fmt.Sprintf("%s %s, %s", name, l.gnu(), m.gnu())}, nil
}

// EncodeVLD1 encodes vld1.32 {list}, m.
func EncodeVLD1(l List, m Mem) (Word, error) { return ldst(opVLD1, "vld1.32", l, m) }

// EncodeVST1 encodes vst1.32 {list}, m.
func EncodeVST1(l List, m Mem) (Word, error) { return ldst(opVST1, "vst1.32", l, m) }

func ldstLane(op uint32, name string, s Lane, m Mem) (Word, error) {
	if m.byReg && (m.index.n == 13 || m.index.n == 15) {
		return Word{}, fmt.Errorf("%s: r%d cannot be an index", name, m.index.n)
	}
	bits := op | vd(uint8(s.D)) | uint32(m.base.n)<<16 | uint32(s.Index)<<7 | m.rm()
	return Word{bits, fmt.Sprintf("%s {%s}, %s", name, s.gnu(), m.gnu())}, nil
}

// EncodeVLD1Lane encodes vld1.32 {dn[i]}, m: one float32 into one lane.
func EncodeVLD1Lane(s Lane, m Mem) (Word, error) { return ldstLane(opVLD1Lane, "vld1.32", s, m) }

// EncodeVST1Lane encodes vst1.32 {dn[i]}, m: one lane to memory.
func EncodeVST1Lane(s Lane, m Mem) (Word, error) { return ldstLane(opVST1Lane, "vst1.32", s, m) }

// EncodeVMOVImm encodes vmov.f32 d, #v for v = ±(16+f)/16·2^e, f in 0…15,
// e in −3…4, the values the 8-bit immediate holds.
func EncodeVMOVImm(d Vec, v float64) (Word, error) {
	for imm := uint32(0); imm < 256; imm++ {
		if vfpExpand(imm) != v {
			continue
		}
		bits := 0xF2800F10 | vd(d.n) | imm>>7<<24 | (imm>>4&7)<<16 | imm&15
		if d.q {
			bits |= bitQ
		}
		lit := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(lit, ".") {
			lit += ".0"
		}
		return Word{bits, fmt.Sprintf("vmov.f32 %s, #%s", d.gnu(), lit)}, nil
	}
	return Word{}, fmt.Errorf("vmov.f32 %s, #%g: not an 8-bit floating-point immediate", d.gnu(), v)
}

// vfpExpand is the value of the 8-bit floating-point immediate imm
// (VFPExpandImm): sign a, exponent NOT(b):b:b:b:b:b:c:d, fraction efgh.
func vfpExpand(imm uint32) float64 {
	f := 1 + float64(imm&15)/16
	e := int(imm>>4&3) - 3 // b = 1: exponent 124 + cd, 2^(cd−3)
	if imm>>6&1 == 0 {
		e += 4 // b = 0: exponent 128 + cd, 2^(cd+1)
	}
	for ; e > 0; e-- {
		f *= 2
	}
	for ; e < 0; e++ {
		f /= 2
	}
	if imm>>7 == 1 {
		f = -f
	}
	return f
}
