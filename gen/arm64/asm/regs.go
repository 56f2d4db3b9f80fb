package asm

import "fmt"

// Reg is an arm64 general-purpose register. Only the registers a Go
// assembly function may freely use exist as values: R18 is the platform
// register, R27 the assembler's temporary, R28 the goroutine pointer, R29 the
// frame pointer and R30 the link register, so none of them can be named.
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
	R10 = Reg{10}
	R11 = Reg{11}
	R12 = Reg{12}
	R13 = Reg{13}
	R14 = Reg{14}
	R15 = Reg{15}
	R16 = Reg{16}
	R17 = Reg{17}
	R19 = Reg{19}
	R20 = Reg{20}
	R21 = Reg{21}
	R22 = Reg{22}
	R23 = Reg{23}
	R24 = Reg{24}
	R25 = Reg{25}
	R26 = Reg{26}
)

func (r Reg) String() string { return fmt.Sprintf("R%d", r.n) }

func (r Reg) operand() string { return r.String() }

// Imm is an immediate operand, printed as $n.
type Imm int64

func (i Imm) operand() string { return fmt.Sprintf("$%d", int64(i)) }

// Shifted is a register shifted left by a constant, the second operand of
// ADD, SUB and CMP: R1<<2.
type Shifted struct {
	R     Reg
	Shift uint8
}

// LSL returns r shifted left by s, for use as an operand.
func (r Reg) LSL(s uint8) Shifted { return Shifted{r, s} }

func (s Shifted) operand() string { return fmt.Sprintf("%s<<%d", s.R, s.Shift) }

// Operand is the flexible second operand of an integer instruction: a
// register, a shifted register or an immediate.
type Operand interface{ operand() string }

// Mem is a memory operand, made by the methods of Reg: a base register with
// an immediate offset or with a register offset, or a post-indexed address
// (the base is advanced after the access by an immediate or by a register;
// the instruction then takes the .P suffix).
type Mem struct {
	base  Reg
	off   int
	post  bool
	index Reg // the offset (or, when post, the post-increment), when byReg
	byReg bool
}

// Mem returns the address (r).
func (r Reg) Mem() Mem { return Mem{base: r} }

// Off returns the address off(r).
func (r Reg) Off(off int) Mem { return Mem{base: r, off: off} }

// Post returns the post-indexed address off(r): the access is at r, then r
// is advanced by off.
func (r Reg) Post(off int) Mem { return Mem{base: r, off: off, post: true} }

// Index returns the address (r)(x), r plus the value of x: a register
// offset, leaving r unchanged.
func (r Reg) Index(x Reg) Mem { return Mem{base: r, index: x, byReg: true} }

// PostBy returns the post-indexed address (r)(x): the access is at r, then
// r is advanced by the value of x.
func (r Reg) PostBy(x Reg) Mem { return Mem{base: r, post: true, index: x, byReg: true} }

func (m Mem) String() string {
	switch {
	case m.byReg:
		return fmt.Sprintf("(%s)(%s)", m.base, m.index)
	case m.off == 0 && !m.post:
		return fmt.Sprintf("(%s)", m.base)
	default:
		return fmt.Sprintf("%d(%s)", m.off, m.base)
	}
}

func (m Mem) foperand() string { return m.String() }

// VReg is one of the 32 128-bit SIMD and floating-point registers. Its
// methods give the views instructions operate on: arrangements (V1.S4),
// lanes (V1.S[2]) and the scalar register (F1).
type VReg uint8

// V returns the SIMD register Vn.
func V(n int) VReg {
	if n < 0 || n > 31 {
		panic(fmt.Sprintf("asm: no register V%d", n))
	}
	return VReg(n)
}

// Arrangement is how a vector register is split into lanes.
type Arrangement uint8

// The arrangements the kernels use.
const (
	S4  Arrangement = iota // four float32 lanes (128 bits)
	S2                     // two float32 lanes (the low 64 bits)
	D2                     // two 64-bit lanes
	B16                    // sixteen bytes, for bitwise operations
)

var arrangementGo = [...]string{S4: "S4", S2: "S2", D2: "D2", B16: "B16"}
var arrangementGNU = [...]string{S4: "4s", S2: "2s", D2: "2d", B16: "16b"}
var arrangementBytes = [...]int{S4: 16, S2: 8, D2: 16, B16: 16}

// Vec is a vector register with an arrangement: V3.S4.
type Vec struct {
	V VReg
	A Arrangement
}

// S4 is the register as four float32 lanes.
func (v VReg) S4() Vec { return Vec{v, S4} }

// S2 is the low half of the register as two float32 lanes.
func (v VReg) S2() Vec { return Vec{v, S2} }

// D2 is the register as two 64-bit lanes.
func (v VReg) D2() Vec { return Vec{v, D2} }

// B16 is the register as sixteen bytes.
func (v VReg) B16() Vec { return Vec{v, B16} }

func (v Vec) String() string { return fmt.Sprintf("V%d.%s", v.V, arrangementGo[v.A]) }

func (v Vec) gnu() string { return fmt.Sprintf("v%d.%s", v.V, arrangementGNU[v.A]) }

// Lane is one element of a vector register: V3.S[1].
type Lane struct {
	V     VReg
	Index uint8
	D     bool // a 64-bit lane rather than a 32-bit one
}

// S is 32-bit lane i of the register.
func (v VReg) S(i int) Lane {
	if i < 0 || i > 3 {
		panic(fmt.Sprintf("asm: no lane V%d.S[%d]", v, i))
	}
	return Lane{V: v, Index: uint8(i)}
}

// D is 64-bit lane i of the register.
func (v VReg) D(i int) Lane {
	if i < 0 || i > 1 {
		panic(fmt.Sprintf("asm: no lane V%d.D[%d]", v, i))
	}
	return Lane{V: v, Index: uint8(i), D: true}
}

func (l Lane) String() string {
	if l.D {
		return fmt.Sprintf("V%d.D[%d]", l.V, l.Index)
	}
	return fmt.Sprintf("V%d.S[%d]", l.V, l.Index)
}

func (l Lane) bytes() int {
	if l.D {
		return 8
	}
	return 4
}

func (l Lane) gnu() string {
	if l.D {
		return fmt.Sprintf("v%d.d[%d]", l.V, l.Index)
	}
	return fmt.Sprintf("v%d.s[%d]", l.V, l.Index)
}

// FReg is the scalar view of a SIMD register, F3 in Go's syntax: the low 32,
// 64 or 128 bits depending on the instruction (FMOVS, FMOVD, FMOVQ). Writing
// it zeroes the rest of the vector register.
type FReg uint8

// F is the scalar view of the register.
func (v VReg) F() FReg { return FReg(v) }

func (f FReg) String() string { return fmt.Sprintf("F%d", uint8(f)) }

func (f FReg) foperand() string { return f.String() }

// FOperand is a scalar floating-point register or a memory address, the
// operands of FMOVS, FMOVD and FMOVQ.
type FOperand interface{ foperand() string }

// VList is a list of consecutive vector registers with one arrangement, the
// operand of multi-register VLD1 and VST1.
type VList []Vec

// Seq returns the n consecutive registers starting at first, each with
// arrangement a.
func Seq(first VReg, n int, a Arrangement) VList {
	if n < 1 || n > 4 || int(first)+n > 32 {
		panic(fmt.Sprintf("asm: no list of %d registers from V%d", n, first))
	}
	l := make(VList, n)
	for i := range l {
		l[i] = Vec{first + VReg(i), a}
	}
	return l
}

func (l VList) String() string {
	s := "["
	for i, v := range l {
		if i > 0 {
			s += ", "
		}
		s += v.String()
	}
	return s + "]"
}

func (l VList) bytes() int { return len(l) * arrangementBytes[l[0].A] }

// Label is a branch target inside one function, made by Func.NewLabel and
// placed by Func.Bind.
type Label struct{ name string }

func (l Label) String() string { return l.name }
