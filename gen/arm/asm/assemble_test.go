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

	"golang.org/x/arch/arm/armasm"
)

// probe is one emitter call and what it must assemble to: the GNU spelling
// golang.org/x/arch/arm/armasm gives the machine code of an instruction Go's
// assembler knows, or, for a NEON WORD, its own GNU text (whose encoding
// TestGolden checks against LLVM's).
type probe struct {
	emit func(fn *Func)
	want string
}

var probes = []probe{
	{func(fn *Func) { fn.MOVW(R1, R2) }, "mov r2, r1"},
	{func(fn *Func) { fn.MOVW(Imm(6), R14) }, "mov lr, #6"},
	{func(fn *Func) { fn.MOVW(R3.LSR(4), R2) }, "lsr r2, r3, #4"},
	{func(fn *Func) { fn.MOVW(R3.LSL(2), R12) }, "lsl ip, r3, #2"},
	{func(fn *Func) { fn.Ld(R2.Off(8), R3) }, "ldr r3, [r2, #8]"},
	{func(fn *Func) { fn.Ld(R2.PostOff(4), R3) }, "ldr r3, [r2], #4"},
	{func(fn *Func) { fn.St(R9, R2.Off(4)) }, "str r9, [r2, #4]"},
	{func(fn *Func) { fn.St(R9, R2.PostOff(4)) }, "str r9, [r2], #4"},
	{func(fn *Func) { fn.ADD(R1, R2) }, "add r2, r2, r1"},
	{func(fn *Func) { fn.ADD(R1.LSL(2), R2) }, "add r2, r2, r1, lsl #2"},
	{func(fn *Func) { fn.ADD(Imm(16), R2) }, "add r2, r2, #16"},
	{func(fn *Func) { fn.ADD3(R3, R1, R2) }, "add r2, r1, r3"},
	{func(fn *Func) { fn.SUB(Imm(4), R2) }, "sub r2, r2, #4"},
	{func(fn *Func) { fn.SUB3(R1.LSL(1), R4, R5) }, "sub r5, r4, r1, lsl #1"},
	{func(fn *Func) { fn.SUBS(Imm(1), R2) }, "subs r2, r2, #1"},
	{func(fn *Func) { fn.CMP(Imm(6), R7) }, "cmp r7, #6"},
	{func(fn *Func) { fn.AND3(Imm(3), R6, R12) }, "and ip, r6, #3"},
	{func(fn *Func) { fn.MUL3(R1, R2, R3) }, "mul r3, r2, r1"},
	{func(fn *Func) { fn.PLD(R4) }, "pld [r4]"},
	{func(fn *Func) { fn.Local(0, R4) }, "ldr r4, [sp, #4]"},
	{func(fn *Func) { fn.SetLocal(R4, 1) }, "str r4, [sp, #8]"},
	{func(fn *Func) { fn.Load("n", R1) }, "ldr r1, [sp, #28]"},
	{func(fn *Func) { fn.LoadF("a", D(15)) }, "vldr s30, [sp, #32]"},
	{func(fn *Func) { fn.LoadBits("a", R6) }, "ldr r6, [sp, #32]"},
	{func(fn *Func) { fn.StoreF(D(0), "ret") }, "vstr s0, [sp, #40]"},
	{func(fn *Func) { fn.VADD(Q(1).V(), Q(2).V(), Q(3).V()) }, "vadd.f32 q1, q2, q3"},
	{func(fn *Func) { fn.VSUB(D(1).V(), D(2).V(), D(3).V()) }, "vsub.f32 d1, d2, d3"},
	{func(fn *Func) { fn.VMUL(Q(1).V(), Q(2).V(), Q(3).V()) }, "vmul.f32 q1, q2, q3"},
	{func(fn *Func) { fn.VMLA(Q(15).V(), Q(2).V(), Q(3).V()) }, "vmla.f32 q15, q2, q3"},
	{func(fn *Func) { fn.VFMA(Q(15).V(), Q(2).V(), Q(3).V()) }, "vfma.f32 q15, q2, q3"},
	{func(fn *Func) { fn.VPADD(D(1), D(2), D(31)) }, "vpadd.f32 d1, d2, d31"},
	{func(fn *Func) { fn.VMOV(Q(1).V(), Q(9).V()) }, "vorr q1, q9, q9"},
	{func(fn *Func) { fn.VMLAScalar(Q(1).V(), Q(2).V(), D(15).L(1)) }, "vmla.f32 q1, q2, d15[1]"},
	{func(fn *Func) { fn.VMULScalar(Q(1).V(), Q(2).V(), D(15).L(0)) }, "vmul.f32 q1, q2, d15[0]"},
	{func(fn *Func) { fn.VDUP(Q(1).V(), D(15).L(0)) }, "vdup.32 q1, d15[0]"},
	{func(fn *Func) { fn.Zero(Q(13).V()) }, "vmov.i32 q13, #0"},
	{func(fn *Func) { fn.VMOVImm(Q(0).V(), 0.125) }, "vmov.f32 q0, #0.125"},
	{func(fn *Func) { fn.VLD1(QList(Q(0), 2), R0.Post()) }, "vld1.32 {d0-d3}, [r0]!"},
	{func(fn *Func) { fn.VST1(Regs(D(5), 1), R14.PostBy(R2)) }, "vst1.32 {d5}, [lr], r2"},
	{func(fn *Func) { fn.VLD1Lane(D(30).L(1), R3.Mem()) }, "vld1.32 {d30[1]}, [r3]"},
	{func(fn *Func) { fn.VST1Lane(D(4).L(0), R3.Post()) }, "vst1.32 {d4[0]}, [r3]!"},
}

var (
	listingInst = regexp.MustCompile(`^\t0x([0-9a-f]{4}) \d+ \((?:.*/)?probe\.s:(\d+)\)\t([A-Z]\S*)`)
	listingHex  = regexp.MustCompile(`^\t0x([0-9a-f]{4}) ((?:[0-9a-f]{2} )+)`)
	wordComment = regexp.MustCompile(`^\tWORD\t\$0x([0-9a-f]{8}) // (.*)$`)
)

// TestAssemblerAgrees emits one instruction with every method of the
// emitter into a function with a frame, assembles the file with Go's own arm
// assembler and checks what each became: armasm's decoding of the machine
// code for Go's instructions (pinning operand order, frame offsets and the
// single-precision view of MOVF), the word itself for NEON.
func TestAssemblerAgrees(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the assembler: %v", err)
	}
	f := NewFile("probe", "arm", "test")
	fn := f.Func("probe", "func(x []float32, n int, a float32, n2 int) float32", "probe holds one instruction of every kind.")
	fn.Frame(2)
	for _, p := range probes {
		p.emit(fn)
	}
	l := fn.NewLabel("l")
	fn.Bind(l)
	for _, b := range []func(Label){fn.BEQ, fn.BNE, fn.BLT, fn.BGE, fn.BGT, fn.BLE, fn.B} {
		b(l)
	}
	fn.RET()
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
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm", "GOARM=7")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go tool asm: %v\n%s\n%s", err, out, src)
	}
	srcLines := strings.Split(string(src), "\n")
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
			if strings.HasPrefix(srcLines[n-1], "TEXT") {
				continue // the prologue saving the link register
			}
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
	if len(lines) != len(probes)+8 {
		t.Fatalf("listing has %d instruction lines, want %d:\n%s", len(lines), len(probes)+8, out)
	}
	for i, p := range probes {
		var got []string
		for _, off := range offs[lines[i]] {
			word := binary.LittleEndian.Uint32(code[off:])
			if m := wordComment.FindStringSubmatch(srcLines[lines[i]-1]); m != nil {
				if bits, _ := strconv.ParseUint(m[1], 16, 32); uint32(bits) != word {
					t.Errorf("probe %d: WORD %s assembled to %#08x", i, m[1], word)
				}
				got = append(got, m[2])
				continue
			}
			inst, err := armasm.Decode(code[off:off+4], armasm.ModeARM)
			if err != nil {
				t.Fatalf("probe %d: %#08x does not decode: %v", i, word, err)
			}
			got = append(got, strings.ToLower(armasm.GNUSyntax(inst)))
		}
		if g := strings.Join(got, "; "); g != p.want {
			t.Errorf("probe %d: assembled to %q, want %q", i, g, p.want)
		}
	}
}
