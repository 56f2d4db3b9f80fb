package asm

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// probe is one emitter call and the instruction it must assemble to, spelt
// as golang.org/x/arch's GNUSyntax prints it (register ranges as v4.4s-v7.4s,
// no space before a post-index immediate, MOVD $6 as its orr alias).
type probe struct {
	emit func(fn *Func)
	want string
}

var probes = []probe{
	{func(fn *Func) { fn.MOVD(R1, R2) }, "mov x2, x1"},
	{func(fn *Func) { fn.MOVD(Imm(6), R2) }, "orr x2, xzr, #0x6"},
	{func(fn *Func) { fn.ADD(R1, R2) }, "add x2, x2, x1"},
	{func(fn *Func) { fn.ADD(R1.LSL(2), R2) }, "add x2, x2, x1, lsl #2"},
	{func(fn *Func) { fn.ADD(Imm(16), R2) }, "add x2, x2, #0x10"},
	{func(fn *Func) { fn.ADD3(R3, R1, R2) }, "add x2, x1, x3"},
	{func(fn *Func) { fn.SUB(Imm(4), R2) }, "sub x2, x2, #0x4"},
	{func(fn *Func) { fn.SUBS(Imm(1), R2) }, "subs x2, x2, #0x1"},
	{func(fn *Func) { fn.CMP(Imm(6), R7) }, "cmp x7, #0x6"},
	{func(fn *Func) { fn.AND3(Imm(3), R6, R12) }, "and x12, x6, #0x3"},
	{func(fn *Func) { fn.LSL3(2, R1, R3) }, "lsl x3, x1, #2"},
	{func(fn *Func) { fn.LSR3(4, R2, R3) }, "lsr x3, x2, #4"},
	{func(fn *Func) { fn.MUL3(R1, R2, R3) }, "mul x3, x2, x1"},
	{func(fn *Func) { fn.MOVDLoad(R10.Post(8), R17) }, "ldr x17, [x10],#8"},
	{func(fn *Func) { fn.MOVDLoad(R2.Off(16), R3) }, "ldr x3, [x2,#16]"},
	{func(fn *Func) { fn.MOVDLoad(R10.Index(R3), R17) }, "ldr x17, [x10,x3]"},
	{func(fn *Func) { fn.MOVDStore(R21, R22.Post(8)) }, "str x21, [x22],#8"},
	{func(fn *Func) { fn.MOVDStore(R1, R2.Off(8)) }, "str x1, [x2,#8]"},
	{func(fn *Func) { fn.MOVDStore(R1, R2.Index(R3)) }, "str x1, [x2,x3]"},
	{func(fn *Func) { fn.PRFM(R2.Mem(), PLDL1KEEP) }, "prfm pldl1keep, [x2]"},
	{func(fn *Func) { fn.PRFM(R2.Off(448), PLDL2KEEP) }, "prfm pldl2keep, [x2,#448]"},
	{func(fn *Func) { fn.PRFM(R7.Mem(), PLDL2KEEP) }, "prfm pldl2keep, [x7]"},
	{func(fn *Func) { fn.PRFM(R5.Index(R0), PLDL2KEEP) }, "prfm pldl2keep, [x5,x0]"},
	{func(fn *Func) { fn.PRFM(R0.Off(32760), PSTL1KEEP) }, "prfm pstl1keep, [x0,#32760]"},
	{func(fn *Func) { fn.PRFM(R17.Index(R9), PLDL1KEEP) }, "prfm pldl1keep, [x17,x9]"},
	{func(fn *Func) { fn.PRFM(R26.Index(R0), PSTL1KEEP) }, "prfm pstl1keep, [x26,x0]"},
	{func(fn *Func) { fn.VLD1(R0.Mem(), Seq(V(1), 1, S4)) }, "ld1 {v1.4s}, [x0]"},
	{func(fn *Func) { fn.VLD1(R0.Post(64), Seq(V(4), 4, S4)) }, "ld1 {v4.4s-v7.4s}, [x0],#64"},
	{func(fn *Func) { fn.VLD1(R11.PostBy(R3), Seq(V(16), 2, S4)) }, "ld1 {v16.4s, v17.4s}, [x11], x3"},
	{func(fn *Func) { fn.VST1(Seq(V(0), 3, S4), R14.Post(48)) }, "st1 {v0.4s-v2.4s}, [x14],#48"},
	{func(fn *Func) { fn.VST1(Seq(V(8), 1, S4), R25.Mem()) }, "st1 {v8.4s}, [x25]"},
	{func(fn *Func) { fn.VLD1Lane(R10.PostBy(R1), V(24).S(0)) }, "ld1 {v24.s}[0], [x10], x1"},
	{func(fn *Func) { fn.VLD1Lane(R10.PostBy(R1), V(24).D(0)) }, "ld1 {v24.d}[0], [x10], x1"},
	{func(fn *Func) { fn.VLD1Lane(R13.Mem(), V(24).S(2)) }, "ld1 {v24.s}[2], [x13]"},
	{func(fn *Func) { fn.VST1Lane(V(0).S(3), R14.PostBy(R5)) }, "st1 {v0.s}[3], [x14], x5"},
	{func(fn *Func) { fn.VLD1R(R1.Mem(), V(2).S4()) }, "ld1r {v2.4s}, [x1]"},
	{func(fn *Func) { fn.VLD1R(R1.Post(4), V(2).S4()) }, "ld1r {v2.4s}, [x1],#4"},
	{func(fn *Func) { fn.VFMLA(V(1).S4(), V(2).S4(), V(3).S4()) }, "fmla v3.4s, v2.4s, v1.4s"},
	{func(fn *Func) { fn.VEOR(V(5).B16(), V(6).B16(), V(7).B16()) }, "eor v7.16b, v6.16b, v5.16b"},
	{func(fn *Func) { fn.Zero(V(9)) }, "eor v9.16b, v9.16b, v9.16b"},
	{func(fn *Func) { fn.VDUP(V(31).S(0), V(31).S4()) }, "dup v31.4s, v31.s[0]"},
	{func(fn *Func) { fn.VDUPR(R1, V(0).S4()) }, "dup v0.4s, w1"},
	{func(fn *Func) { fn.VMOV(V(1).B16(), V(2).B16()) }, "mov v2.16b, v1.16b"},
	{func(fn *Func) { fn.VMOVLane(V(1).S(0), V(2).S(3)) }, "mov v2.s[3], v1.s[0]"},
	{func(fn *Func) { fn.FMOVS(R0.Post(4), V(3).F()) }, "ldr s3, [x0],#4"},
	{func(fn *Func) { fn.FMOVS(V(3).F(), R0.Post(4)) }, "str s3, [x0],#4"},
	{func(fn *Func) { fn.FMOVS(R10.Mem(), V(24).F()) }, "ldr s24, [x10]"},
	{func(fn *Func) { fn.FMOVS(V(1).F(), V(2).F()) }, "fmov s2, s1"},
	{func(fn *Func) { fn.FMOVD(R10.Mem(), V(24).F()) }, "ldr d24, [x10]"},
	{func(fn *Func) { fn.FMOVD(V(0).F(), R25.Mem()) }, "str d0, [x25]"},
	{func(fn *Func) { fn.FMOVQ(R2.Off(32), V(5).F()) }, "ldr q5, [x2,#32]"},
	{func(fn *Func) { fn.FMOVQ(V(5).F(), R2.Post(16)) }, "str q5, [x2],#16"},
	{func(fn *Func) { fn.FLDPQ(R0.Post(32), V(1).F(), V(2).F()) }, "ldp q1, q2, [x0],#32"},
	{func(fn *Func) { fn.FSTPQ(V(3).F(), V(4).F(), R5.Off(32)) }, "stp q3, q4, [x5,#32]"},
	{func(fn *Func) { fn.FMADDS(V(1).F(), V(3).F(), V(2).F(), V(4).F()) }, "fmadd s4, s2, s1, s3"},
	{func(fn *Func) { fn.FADDS(V(1).F(), V(2).F(), V(3).F()) }, "fadd s3, s2, s1"},
	{func(fn *Func) { fn.FSUBS(V(1).F(), V(2).F(), V(3).F()) }, "fsub s3, s2, s1"},
	{func(fn *Func) { fn.FMULS(V(1).F(), V(2).F(), V(3).F()) }, "fmul s3, s2, s1"},
	{func(fn *Func) { fn.FDIVS(V(1).F(), V(2).F(), V(3).F()) }, "fdiv s3, s2, s1"},
	{func(fn *Func) { fn.FCMPSZero(V(31).F()) }, "fcmp s31, #0"},
	{func(fn *Func) { fn.VFADD(V(1).S4(), V(2).S4(), V(3).S4()) }, "fadd v3.4s, v2.4s, v1.4s"},
	{func(fn *Func) { fn.VFSUB(V(1).S4(), V(2).S4(), V(3).S4()) }, "fsub v3.4s, v2.4s, v1.4s"},
	{func(fn *Func) { fn.VFMUL(V(1).S2(), V(2).S2(), V(3).S2()) }, "fmul v3.2s, v2.2s, v1.2s"},
	{func(fn *Func) { fn.VFDIV(V(1).S4(), V(2).S4(), V(3).S4()) }, "fdiv v3.4s, v2.4s, v1.4s"},
	{func(fn *Func) { fn.VFADDP(V(1).S4(), V(2).S4(), V(3).S4()) }, "faddp v3.4s, v2.4s, v1.4s"},
	{func(fn *Func) { fn.FADDPS(V(16).S2(), V(16).F()) }, "faddp s16, v16.2s"},
	{func(fn *Func) { fn.VFMLAElem(V(20).S(3), V(16).S4(), V(15).S4()) }, "fmla v15.4s, v16.4s, v20.s[3]"},
	{func(fn *Func) { fn.VFMULElem(V(30).S(0), V(1).S4(), V(1).S4()) }, "fmul v1.4s, v1.4s, v30.s[0]"},
}

var (
	listingInst = regexp.MustCompile(`^\t0x([0-9a-f]{4}) \d+ \((?:.*/)?probe\.s:(\d+)\)\t([A-Z]\S*)`)
	listingHex  = regexp.MustCompile(`^\t0x([0-9a-f]{4}) ((?:[0-9a-f]{2} )+)`)
)

// TestAssemblerAgrees emits one instruction with every method of the
// emitter, assembles the file with Go's own arm64 assembler, decodes the
// machine code it produced with golang.org/x/arch, and checks each is the
// instruction intended, with its operands in the intended roles. This pins
// the Go operand order of every method (VFMLA's reversed operands, FMADDS's
// Fm, Fa, Fn, Fd) and checks that the assembler accepts every form the
// emitter can write, including the ones no kernel uses yet.
func TestAssemblerAgrees(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the assembler: %v", err)
	}
	f := NewFile("probe", "arm64", "test")
	fn := f.Func("probe", "func()", "probe holds one instruction of every kind.")
	for _, p := range probes {
		p.emit(fn)
	}
	l := fn.NewLabel("l")
	fn.Bind(l)
	fn.CBZ(R1, l)
	fn.CBNZ(R1, l)
	fn.BEQ(l)
	fn.BNE(l)
	fn.BLT(l)
	fn.BGE(l)
	fn.BGT(l)
	fn.BLE(l)
	fn.B(l)
	src, err := f.Assembly()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := filepath.Join(dir, "probe.s")
	if err := os.WriteFile(s, src, 0o644); err != nil {
		t.Fatal(err)
	}
	goroot, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "tool", "asm", "-p", "probe", "-S",
		"-I", filepath.Join(strings.TrimSpace(string(goroot)), "pkg", "include"),
		"-o", filepath.Join(dir, "probe.o"), s)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go tool asm: %v\n%s\n%s", err, out, src)
	}

	// Offsets of the instructions of each source line, in order, and the
	// function's bytes.
	var lines []int
	offs := map[int][]int{}
	var code []byte
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if m := listingInst.FindStringSubmatch(sc.Text()); m != nil {
			if m[3] == "TEXT" || m[3] == "FUNCDATA" || m[3] == "PCDATA" {
				continue
			}
			off, _ := strconv.ParseInt(m[1], 16, 32)
			n, _ := strconv.Atoi(m[2])
			if len(offs[n]) == 0 {
				lines = append(lines, n)
			}
			offs[n] = append(offs[n], int(off))
		} else if m := listingHex.FindStringSubmatch(sc.Text()); m != nil {
			b, err := hex.DecodeString(strings.ReplaceAll(m[2], " ", ""))
			if err != nil {
				t.Fatal(err)
			}
			code = append(code, b...)
		}
	}
	if len(lines) != len(probes)+9 {
		t.Fatalf("listing has %d instruction lines, want %d:\n%s", len(lines), len(probes)+9, out)
	}
	for i, p := range probes {
		var got []string
		for _, off := range offs[lines[i]] {
			inst, err := arm64asm.Decode(code[off : off+4])
			if err != nil {
				t.Fatalf("probe %d: %x does not decode: %v", i, binary.LittleEndian.Uint32(code[off:]), err)
			}
			got = append(got, arm64asm.GNUSyntax(inst))
		}
		if g := strings.Join(got, "; "); g != p.want {
			t.Errorf("probe %d: assembled to %q, want %q", i, g, p.want)
		}
	}
}
