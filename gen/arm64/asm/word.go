package asm

import (
	"fmt"
	"strings"
)

// Word is one instruction Go's assembler lacks, encoded: its 32 bits and its
// GNU spelling, which goes next to the WORD as a comment.
type Word struct {
	Bits uint32
	GNU  string
}

// Base encodings of the float32 SIMD instructions, with Rd, Rn, Rm zero
// (Arm A64 ISA, "Advanced SIMD three same" and "vector x indexed element").
// Q (bit 30) selects 128 bits (.4S) rather than 64 (.2S); the single
// precision size bit (22) is zero.
const (
	opFADD     = 0x0E20D400 // fadd  vd.T, vn.T, vm.T
	opFSUB     = 0x0EA0D400 // fsub  vd.T, vn.T, vm.T
	opFMUL     = 0x2E20DC00 // fmul  vd.T, vn.T, vm.T
	opFDIV     = 0x2E20FC00 // fdiv  vd.T, vn.T, vm.T
	opFADDP    = 0x2E20D400 // faddp vd.T, vn.T, vm.T
	opFADDPS   = 0x7E30D800 // faddp sd, vn.2s
	opFMLAElem = 0x0F801000 // fmla  vd.T, vn.T, vm.s[i]
	opFMULElem = 0x0F809000 // fmul  vd.T, vn.T, vm.s[i]
	bitQ       = 1 << 30

	// prfm op, [xn, xm]: PRFM (register) with option LSL (011) and no shift
	// (S = 0); the operation goes in Rt.
	opPRFMReg = 0xF8A06800
)

// threeSame encodes a three-register float32 vector instruction.
func threeSame(op uint32, name string, m, n, d Vec) (Word, error) {
	if m.A != n.A || n.A != d.A || (d.A != S4 && d.A != S2) {
		return Word{}, fmt.Errorf("%s %s, %s, %s: want one float32 arrangement, S4 or S2", name, d, n, m)
	}
	bits := op | uint32(m.V)<<16 | uint32(n.V)<<5 | uint32(d.V)
	if d.A == S4 {
		bits |= bitQ
	}
	return Word{bits, fmt.Sprintf("%s %s, %s, %s", name, d.gnu(), n.gnu(), m.gnu())}, nil
}

// EncodeFADD encodes fadd d, n, m.
func EncodeFADD(m, n, d Vec) (Word, error) { return threeSame(opFADD, "fadd", m, n, d) }

// EncodeFSUB encodes fsub d, n, m (d = n − m).
func EncodeFSUB(m, n, d Vec) (Word, error) { return threeSame(opFSUB, "fsub", m, n, d) }

// EncodeFMUL encodes fmul d, n, m.
func EncodeFMUL(m, n, d Vec) (Word, error) { return threeSame(opFMUL, "fmul", m, n, d) }

// EncodeFDIV encodes fdiv d, n, m (d = n / m, correctly rounded).
func EncodeFDIV(m, n, d Vec) (Word, error) { return threeSame(opFDIV, "fdiv", m, n, d) }

// EncodeFADDP encodes faddp d, n, m.
func EncodeFADDP(m, n, d Vec) (Word, error) { return threeSame(opFADDP, "faddp", m, n, d) }

// EncodeFADDPScalar encodes faddp sd, vn.2s.
func EncodeFADDPScalar(n Vec, d FReg) (Word, error) {
	if n.A != S2 {
		return Word{}, fmt.Errorf("faddp %s, %s: want S2", d, n)
	}
	return Word{opFADDPS | uint32(n.V)<<5 | uint32(d), fmt.Sprintf("faddp s%d, %s", uint8(d), n.gnu())}, nil
}

// byElem encodes a float32 vector-by-element instruction: the lane index
// i = H:L goes in bits 11 and 21, and m's five bits in 16-20 (M is bit 20).
func byElem(op uint32, name string, m Lane, n, d Vec) (Word, error) {
	if m.D || n.A != d.A || (d.A != S4 && d.A != S2) {
		return Word{}, fmt.Errorf("%s %s, %s, %s: want float32 lanes, S4 or S2", name, d, n, m)
	}
	bits := op | uint32(m.V)<<16 | uint32(m.Index&1)<<21 | uint32(m.Index>>1)<<11 | uint32(n.V)<<5 | uint32(d.V)
	if d.A == S4 {
		bits |= bitQ
	}
	return Word{bits, fmt.Sprintf("%s %s, %s, %s", name, d.gnu(), n.gnu(), m.gnu())}, nil
}

// EncodeFMLAElem encodes fmla d, n, m.s[i].
func EncodeFMLAElem(m Lane, n, d Vec) (Word, error) { return byElem(opFMLAElem, "fmla", m, n, d) }

// EncodeFMULElem encodes fmul d, n, m.s[i].
func EncodeFMULElem(m Lane, n, d Vec) (Word, error) { return byElem(opFMULElem, "fmul", m, n, d) }

// EncodePRFMReg encodes prfm op, [xn, xm], a prefetch of the line at n + m.
func EncodePRFMReg(op Prefetch, n, m Reg) (Word, error) {
	name, ok := prefetchNames[op]
	if !ok {
		return Word{}, fmt.Errorf("prfm: unknown operation %d", uint8(op))
	}
	bits := opPRFMReg | uint32(m.n)<<16 | uint32(n.n)<<5 | uint32(op)
	return Word{bits, fmt.Sprintf("prfm %s, [x%d,x%d]", strings.ToLower(name), n.n, m.n)}, nil
}

// opLDURQ is ldur qt, [xn, #imm9]: a 128-bit load at a signed unscaled
// offset (LDUR, SIMD&FP, size 00, opc 11). Unlike LDR with a scaled
// immediate, which Go's assembler picks for aligned offsets, every
// scheduling model of the cores the kernels target counts it as one
// micro-op, so the kernels' unrolled loads all use it.
const opLDURQ = 0x3CC00000

// EncodeLDURQ encodes ldur qt, [xn, #off] for −256 ≤ off ≤ 255.
func EncodeLDURQ(n Reg, off int, t VReg) (Word, error) {
	if off < -256 || off > 255 {
		return Word{}, fmt.Errorf("ldur q%d, [x%d, #%d]: offset outside −256…255", t, n.n, off)
	}
	bits := opLDURQ | uint32(off&0x1FF)<<12 | uint32(n.n)<<5 | uint32(t)
	if off == 0 {
		return Word{bits, fmt.Sprintf("ldur q%d, [x%d]", t, n.n)}, nil
	}
	return Word{bits, fmt.Sprintf("ldur q%d, [x%d,#%d]", t, n.n, off)}, nil
}
