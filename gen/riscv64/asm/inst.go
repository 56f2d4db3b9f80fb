package asm

import "fmt"

// Instructions Go's riscv64 assembler knows, with its mnemonics and operand
// order (for most, sources first and destination last; the exceptions are
// noted and pinned by the tests).

func (fn *Func) branch(op string, l Label, pre string) {
	fn.labels[l.name]++
	fn.inst(op, pre+l.name)
}

// RET returns.
func (fn *Func) RET() { fn.inst("RET", "") }

// JMP jumps to l.
func (fn *Func) JMP(l Label) { fn.branch("JMP", l, "") }

// BEQZ branches to l if r is zero.
func (fn *Func) BEQZ(r Reg, l Label) { fn.branch("BEQZ", l, r.String()+", ") }

// BNEZ branches to l if r is not zero.
func (fn *Func) BNEZ(r Reg, l Label) { fn.branch("BNEZ", l, r.String()+", ") }

// BLEZ branches to l if r ≤ 0 (signed).
func (fn *Func) BLEZ(r Reg, l Label) { fn.branch("BLEZ", l, r.String()+", ") }

// BLT branches to l if a < b (signed).
func (fn *Func) BLT(a, b Reg, l Label) { fn.branch("BLT", l, a.String()+", "+b.String()+", ") }

// BGE branches to l if a ≥ b (signed).
func (fn *Func) BGE(a, b Reg, l Label) { fn.branch("BGE", l, a.String()+", "+b.String()+", ") }

// BLTU branches to l if a < b (unsigned).
func (fn *Func) BLTU(a, b Reg, l Label) { fn.branch("BLTU", l, a.String()+", "+b.String()+", ") }

// MOV sets d to src (a register or an immediate).
func (fn *Func) MOV(src Operand, d Reg) { fn.inst("MOV", src.operand()+", "+d.String()) }

// ADD sets d = n + x (x a register or a 12-bit immediate).
func (fn *Func) ADD(x Operand, n, d Reg) {
	fn.inst("ADD", x.operand()+", "+n.String()+", "+d.String())
}

// SUB sets d = n − x.
func (fn *Func) SUB(x, n, d Reg) { fn.inst("SUB", x.String()+", "+n.String()+", "+d.String()) }

// SLLI sets d = n << s.
func (fn *Func) SLLI(s uint8, n, d Reg) { fn.inst("SLLI", fmt.Sprintf("$%d, %s, %s", s, n, d)) }

// SRLI sets d = n >> s (logical).
func (fn *Func) SRLI(s uint8, n, d Reg) { fn.inst("SRLI", fmt.Sprintf("$%d, %s, %s", s, n, d)) }

// MUL sets d = n · x.
func (fn *Func) MUL(x, n, d Reg) { fn.inst("MUL", x.String()+", "+n.String()+", "+d.String()) }

// Load64 loads the 64-bit word at m into d.
func (fn *Func) Load64(m Mem, d Reg) { fn.mem("MOV", m, m.String()+", "+d.String()) }

// MOVFLoad loads the float32 at m into f (flw).
func (fn *Func) MOVFLoad(m Mem, f FReg) { fn.mem("MOVF", m, m.String()+", "+f.String()) }

// MOVFStore stores f to the float32 at m (fsw).
func (fn *Func) MOVFStore(f FReg, m Mem) { fn.mem("MOVF", m, f.String()+", "+m.String()) }

func (fn *Func) mem(op string, m Mem, args string) {
	if m.off < -2048 || m.off > 2047 {
		fn.errorf("%s %s: offset outside the signed 12-bit range", op, m)
	}
	fn.inst(op, args)
}

// FMVWX moves the low 32 bits of x into f; FMVWX(Zero, f) sets f to +0.
func (fn *Func) FMVWX(x Reg, f FReg) { fn.inst("FMVWX", x.String()+", "+f.String()) }

// FADDS sets d = n + x.
func (fn *Func) FADDS(x, n, d FReg) { fn.inst("FADDS", x.String()+", "+n.String()+", "+d.String()) }

// FMULS sets d = n · x.
func (fn *Func) FMULS(x, n, d FReg) { fn.inst("FMULS", x.String()+", "+n.String()+", "+d.String()) }

// FEQS sets d to 1 if a = b (ordered, so 0 when either is NaN), else 0.
func (fn *Func) FEQS(a, b FReg, d Reg) { fn.inst("FEQS", a.String()+", "+b.String()+", "+d.String()) }

// CSRRVLENB sets d to VLENB, the length of one vector register in bytes.
func (fn *Func) CSRRVLENB(d Reg) { fn.inst("CSRRS", "X0, VLENB, "+d.String()) }

// PrefetchR hints that the cache block holding the address in r will soon
// be read: Zicbop's prefetch.r, whose encoding is ORI into X0 with 1 in the
// low five bits of the immediate. Go's assembler has no prefetch mnemonic;
// the ORI is the same instruction, and a core without Zicbop executes it as
// what it also is, an ORI whose result is discarded. It never faults.
func (fn *Func) PrefetchR(r Reg) {
	fn.lines = append(fn.lines, line{op: "ORI", args: "$1, " + r.String() + ", X0", note: fmt.Sprintf("prefetch.r 0(x%d)", r.n)})
}

// The vector instructions. Each checks its vector registers against the
// LMUL of the VSETVLI last emitted: a group must start at a multiple of it.

// VSETVLI sets the vector length d = min(avl, VLMAX) (avl Zero: VLMAX) for
// elements of sew bits in groups of lmul registers, with the tail policy t
// and masked-off elements agnostic. Every later vector instruction is
// checked against lmul.
func (fn *Func) VSETVLI(avl Reg, sew SEW, lmul LMUL, t Tail, d Reg) {
	fn.lmul = int(lmul)
	fn.inst("VSETVLI", fmt.Sprintf("%s, %s, %s, %s, MA, %s", avl, sew, lmul, t, d))
}

func (fn *Func) vinst(op string, args string, vs ...VReg) {
	if fn.lmul == 0 {
		fn.errorf("%s %s before any VSETVLI", op, args)
	}
	for _, v := range vs {
		if v > 31 || int(v)%max(fn.lmul, 1) != 0 {
			fn.errorf("%s %s: %s is not a register group of LMUL %d", op, args, v, fn.lmul)
		}
	}
	fn.inst(op, args)
}

// VLE32V loads vl float32 from the address in r into v.
func (fn *Func) VLE32V(r Reg, v VReg) { fn.vinst("VLE32V", fmt.Sprintf("(%s), %s", r, v), v) }

// VSE32V stores vl float32 of v to the address in r.
func (fn *Func) VSE32V(v VReg, r Reg) { fn.vinst("VSE32V", fmt.Sprintf("%s, (%s)", v, r), v) }

// VLSE32V loads vl float32 from the address in r, stride bytes apart, into v.
func (fn *Func) VLSE32V(r, stride Reg, v VReg) {
	fn.vinst("VLSE32V", fmt.Sprintf("(%s), %s, %s", r, stride, v), v)
}

// VFMACCVV sets d += a·b, fused, element by element.
func (fn *Func) VFMACCVV(a, b, d VReg) {
	fn.vinst("VFMACCVV", fmt.Sprintf("%s, %s, %s", a, b, d), a, b, d)
}

// VFMACCVF sets d += f·v, fused. (Go's operand order: v, f, d.)
func (fn *Func) VFMACCVF(f FReg, v, d VReg) {
	fn.vinst("VFMACCVF", fmt.Sprintf("%s, %s, %s", v, f, d), v, d)
}

// VFADDVV sets d = a + b.
func (fn *Func) VFADDVV(a, b, d VReg) {
	fn.vinst("VFADDVV", fmt.Sprintf("%s, %s, %s", a, b, d), a, b, d)
}

// VFSUBVV sets d = n − x.
func (fn *Func) VFSUBVV(x, n, d VReg) {
	fn.vinst("VFSUBVV", fmt.Sprintf("%s, %s, %s", x, n, d), x, n, d)
}

// VFDIVVV sets d = n / x, correctly rounded (IEEE 754 division).
func (fn *Func) VFDIVVV(x, n, d VReg) {
	fn.vinst("VFDIVVV", fmt.Sprintf("%s, %s, %s", x, n, d), x, n, d)
}

// VFMULVF sets d = f·v.
func (fn *Func) VFMULVF(f FReg, v, d VReg) {
	fn.vinst("VFMULVF", fmt.Sprintf("%s, %s, %s", f, v, d), v, d)
}

// VFMVVF sets every element of d to f.
func (fn *Func) VFMVVF(f FReg, d VReg) { fn.vinst("VFMVVF", fmt.Sprintf("%s, %s", f, d), d) }

// VMVVI0 sets every element of d to 0 (the integer move, +0.0 for float32).
func (fn *Func) VMVVI0(d VReg) { fn.vinst("VMVVI", fmt.Sprintf("$0, %s", d), d) }

// VFREDUSUMVS sets element 0 of d to seed[0] + Σ v[i] (i < vl), summed in
// an order of the machine's choosing. seed and d are single registers.
func (fn *Func) VFREDUSUMVS(seed, v, d VReg) {
	fn.vinst("VFREDUSUMVS", fmt.Sprintf("%s, %s, %s", seed, v, d), v)
}

// VFMVFS sets f to element 0 of v.
func (fn *Func) VFMVFS(v VReg, f FReg) { fn.vinst("VFMVFS", fmt.Sprintf("%s, %s", v, f)) }

// VFMVSF sets element 0 of d to f (when vl > 0), leaving the rest.
func (fn *Func) VFMVSF(f FReg, d VReg) { fn.vinst("VFMVSF", fmt.Sprintf("%s, %s", f, d)) }

// Store64 stores the 64-bit word r to m.
func (fn *Func) Store64(r Reg, m Mem) { fn.mem("MOV", m, r.String()+", "+m.String()) }
