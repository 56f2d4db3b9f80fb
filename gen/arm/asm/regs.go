package asm

import "fmt"

// Reg is a 32-bit ARM general-purpose register. Only the registers an
// assembly function may freely use exist as values: R10 is g (the current
// goroutine), R11 the assembler's temporary, R13 the stack pointer and R15
// the program counter. R14, the link register, is usable in a function with
// a frame (Func.Frame), whose prologue saves it.
type Reg struct{ n uint8 }

// The usable general-purpose registers.
var (
	R0  = Reg{0}
	R1  = Reg{1}
	R2  = Reg{2}
	R3  = Reg{3}
	R4  = Reg{4}
	R5  = Reg{5}
	R6  = Reg{6}
	R7  = Reg{7}
	R8  = Reg{8}
	R9  = Reg{9}
	R12 = Reg{12}
	R14 = Reg{14}
)

// UsableRegs lists every Reg value, for the tests.
var UsableRegs = []Reg{R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R12, R14}

func (r Reg) String() string { return fmt.Sprintf("R%d", r.n) }

func (r Reg) gnu() string {
	if r.n == 14 {
		return "lr"
	}
	return fmt.Sprintf("r%d", r.n)
}

func (r Reg) operand() string { return r.String() }

// Imm is an immediate operand, printed as $n.
type Imm int64

func (i Imm) operand() string { return fmt.Sprintf("$%d", int64(i)) }

// Shifted is a register shifted by a constant, the flexible second operand:
// R1<<2 (logical left) or R1>>2 (logical right).
type Shifted struct {
	R     Reg
	Shift uint8
	Right bool
}

// LSL returns r shifted left by s, for use as an operand.
func (r Reg) LSL(s uint8) Shifted { return Shifted{R: r, Shift: s} }

// LSR returns r shifted right (logically) by s, for use as an operand.
func (r Reg) LSR(s uint8) Shifted { return Shifted{R: r, Shift: s, Right: true} }

func (s Shifted) operand() string {
	if s.Right {
		return fmt.Sprintf("%s>>%d", s.R, s.Shift)
	}
	return fmt.Sprintf("%s<<%d", s.R, s.Shift)
}

// Operand is the flexible second operand of an integer instruction: a
// register, a shifted register or an immediate.
type Operand interface{ operand() string }

// Mem is the address of a NEON load or store, made by the methods of Reg:
// (r), or post-indexed by the bytes moved (r)! or by a register (r), x.
type Mem struct {
	base  Reg
	post  bool
	index Reg
	byReg bool
}

// Mem returns the address [r].
func (r Reg) Mem() Mem { return Mem{base: r} }

// Post returns [r]!: the access is at r, then r advances by the bytes moved.
func (r Reg) Post() Mem { return Mem{base: r, post: true} }

// PostBy returns [r], x: the access is at r, then r advances by x.
func (r Reg) PostBy(x Reg) Mem { return Mem{base: r, post: true, index: x, byReg: true} }

// rm is the Rm field of a NEON load or store: 15 for no writeback, 13 for
// writeback by the bytes moved, else the index register.
func (m Mem) rm() uint32 {
	switch {
	case m.byReg:
		return uint32(m.index.n)
	case m.post:
		return 13
	}
	return 15
}

func (m Mem) gnu() string {
	switch {
	case m.byReg:
		return fmt.Sprintf("[%s], %s", m.base.gnu(), m.index.gnu())
	case m.post:
		return fmt.Sprintf("[%s]!", m.base.gnu())
	}
	return fmt.Sprintf("[%s]", m.base.gnu())
}

// Addr is a word in memory for Go's MOVW: off(r), post-indexed or not.
type Addr struct {
	base Reg
	off  int
	post bool
}

// Off returns off(r).
func (r Reg) Off(off int) Addr { return Addr{base: r, off: off} }

// PostOff returns off(r) post-indexed: the access is at r, then r += off.
func (r Reg) PostOff(off int) Addr { return Addr{base: r, off: off, post: true} }

func (a Addr) String() string {
	if a.off == 0 && !a.post {
		return fmt.Sprintf("(%s)", a.base)
	}
	return fmt.Sprintf("%d(%s)", a.off, a.base)
}

// QReg is one of the 16 128-bit NEON registers Q0-Q15; Q(n) overlays
// D(2n) and D(2n+1). Go code uses D0-D15 (its F0-F15) only, and nothing
// preempts an assembly function, so all 16 are free inside one.
type QReg uint8

// Q returns the register Qn.
func Q(n int) QReg {
	if n < 0 || n > 15 {
		panic(fmt.Sprintf("asm: no register Q%d", n))
	}
	return QReg(n)
}

// Lo and Hi are the halves of q as D registers.
func (q QReg) Lo() DReg { return DReg(2 * q) }

// Hi is the upper half of q.
func (q QReg) Hi() DReg { return DReg(2*q + 1) }

// DReg is one of the 32 64-bit NEON registers D0-D31.
type DReg uint8

// D returns the register Dn.
func D(n int) DReg {
	if n < 0 || n > 31 {
		panic(fmt.Sprintf("asm: no register D%d", n))
	}
	return DReg(n)
}

// F is the Go name of d's low float32 for MOVF (Go's Fn is Dn, MOVF moves
// its low single, S2n). Only D0-D15 have one.
func (d DReg) F() (string, bool) {
	if d > 15 {
		return "", false
	}
	return fmt.Sprintf("F%d", uint8(d)), true
}

// Lane is one 32-bit element of a D register: Dn[0] or Dn[1].
type Lane struct {
	D     DReg
	Index uint8
}

// L returns 32-bit lane i of d.
func (d DReg) L(i int) Lane {
	if i < 0 || i > 1 {
		panic(fmt.Sprintf("asm: no lane d%d[%d]", d, i))
	}
	return Lane{d, uint8(i)}
}

func (l Lane) gnu() string { return fmt.Sprintf("d%d[%d]", uint8(l.D), l.Index) }

// Label is a branch target inside one function, made by Func.NewLabel and
// placed by Func.Bind.
type Label struct{ name string }

func (l Label) String() string { return l.name }
