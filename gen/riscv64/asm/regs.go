package asm

import "fmt"

// Reg is a riscv64 integer register. Only the registers a Go assembly
// function may freely use exist as values: X0 is zero (see Zero), X1 the
// link register, X2 the stack pointer, X3 and X4 the global and thread
// pointers, X26 the closure context, X27 the goroutine pointer and X31 the
// assembler's temporary, so none of them can be named.
type Reg struct{ n uint8 }

// The usable integer registers.
var (
	X5  = Reg{5}
	X6  = Reg{6}
	X7  = Reg{7}
	X8  = Reg{8}
	X9  = Reg{9}
	X10 = Reg{10}
	X11 = Reg{11}
	X12 = Reg{12}
	X13 = Reg{13}
	X14 = Reg{14}
	X15 = Reg{15}
	X16 = Reg{16}
	X17 = Reg{17}
	X18 = Reg{18}
	X19 = Reg{19}
	X20 = Reg{20}
	X21 = Reg{21}
	X22 = Reg{22}
	X23 = Reg{23}
	X24 = Reg{24}
	X25 = Reg{25}
	X28 = Reg{28}
	X29 = Reg{29}
	X30 = Reg{30}
)

// Zero is X0, which reads as 0 and ignores writes: as VSETVLI's length it
// asks for the most elements a register group holds (VLMAX).
var Zero = Reg{0}

func (r Reg) String() string { return fmt.Sprintf("X%d", r.n) }

func (r Reg) operand() string { return r.String() }

// Imm is an immediate operand, printed as $n.
type Imm int64

func (i Imm) operand() string { return fmt.Sprintf("$%d", int64(i)) }

// Operand is a register or an immediate.
type Operand interface{ operand() string }

// Mem is an address: a register plus a signed 12-bit byte offset.
type Mem struct {
	base Reg
	off  int
}

// Mem returns the address held in r.
func (r Reg) Mem() Mem { return Mem{base: r} }

// Off returns the address r + off.
func (r Reg) Off(off int) Mem { return Mem{base: r, off: off} }

func (m Mem) String() string { return fmt.Sprintf("%d(%s)", m.off, m.base) }

// FReg is a floating-point register F0…F31; every one is free in an ABI0
// assembly function.
type FReg uint8

func (f FReg) String() string { return fmt.Sprintf("F%d", uint8(f)) }

// VReg is a vector register V0…V31; with LMUL > 1 it names the group of
// LMUL registers it starts, and must be a multiple of LMUL.
type VReg uint8

func (v VReg) String() string { return fmt.Sprintf("V%d", uint8(v)) }

// SEW is the element width a VSETVLI selects.
type SEW uint8

// The element widths the emitter can select.
const (
	E32 SEW = 32
	E64 SEW = 64
)

func (s SEW) String() string { return fmt.Sprintf("E%d", uint8(s)) }

// LMUL is the number of registers a VSETVLI groups into one operand.
type LMUL uint8

// The register groupings the emitter can select.
const (
	M1 LMUL = 1
	M2 LMUL = 2
	M4 LMUL = 4
	M8 LMUL = 8
)

func (l LMUL) String() string { return fmt.Sprintf("M%d", uint8(l)) }

// Tail is the policy for the elements past the vector length: TU keeps
// them (an accumulator's lanes that a shorter last strip does not reach),
// TA lets the machine overwrite them.
type Tail bool

// The tail policies.
const (
	TU Tail = false
	TA Tail = true
)

func (t Tail) String() string {
	if t {
		return "TA"
	}
	return "TU"
}

// Label is a branch target inside one function, made by Func.NewLabel and
// placed by Func.Bind.
type Label struct{ name string }

func (l Label) String() string { return l.name }
