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

	"golang.org/x/arch/riscv64/riscv64asm"
)

// probe is one emitter call and the instruction it must assemble to, spelt
// as golang.org/x/arch's GNUSyntax prints it.
type probe struct {
	emit func(fn *Func)
	want string
}

var probes = []probe{
	{func(fn *Func) { fn.VSETVLI(X13, E32, M1, TA, X14) }, "vsetvli x14,x13,e32,m1,ta,ma"},
	{func(fn *Func) { fn.VSETVLI(Zero, E32, M4, TU, X5) }, "vsetvli x5,x0,e32,m4,tu,ma"},
	{func(fn *Func) { fn.VSETVLI(X5, E32, M8, TU, X6) }, "vsetvli x6,x5,e32,m8,tu,ma"},
	{func(fn *Func) { fn.VLE32V(X11, 8) }, "vle32.v v8,(x11)"},
	{func(fn *Func) { fn.VSE32V(16, X12) }, "vse32.v v16,(x12)"},
	{func(fn *Func) { fn.VLSE32V(X11, X12, 24) }, "vlse32.v v24,(x11),x12"},
	{func(fn *Func) { fn.VFMACCVV(8, 16, 24) }, "vfmacc.vv v24,v16,v8"},
	{func(fn *Func) { fn.VFMACCVF(3, 16, 8) }, "vfmacc.vf v8,f3,v16"},
	{func(fn *Func) { fn.VFADDVV(8, 16, 24) }, "vfadd.vv v24,v16,v8"},
	{func(fn *Func) { fn.VFSUBVV(8, 16, 24) }, "vfsub.vv v24,v16,v8"},
	{func(fn *Func) { fn.VFDIVVV(8, 16, 24) }, "vfdiv.vv v24,v16,v8"},
	{func(fn *Func) { fn.VFMULVF(2, 8, 16) }, "vfmul.vf v16,v8,f2"},
	{func(fn *Func) { fn.VFMVVF(4, 8) }, "vfmv.v.f v8,f4"},
	{func(fn *Func) { fn.VMVVI0(24) }, "vmv.v.i v24,0"},
	{func(fn *Func) { fn.VFREDUSUMVS(1, 8, 2) }, "vfredusum.vs v2,v8,v1"},
	{func(fn *Func) { fn.VFMVFS(2, 5) }, "vfmv.f.s f5,v2"},
	{func(fn *Func) { fn.VFMVSF(5, 3) }, "vfmv.s.f v3,f5"},
	{func(fn *Func) { fn.MOV(X5, X6) }, "mv x6,x5"},
	{func(fn *Func) { fn.MOV(Imm(6), X6) }, "li x6,6"},
	{func(fn *Func) { fn.ADD(X5, X6, X7) }, "add x7,x6,x5"},
	{func(fn *Func) { fn.ADD(Imm(-4), X6, X7) }, "addi x7,x6,-4"},
	{func(fn *Func) { fn.SUB(X5, X6, X7) }, "sub x7,x6,x5"},
	{func(fn *Func) { fn.SLLI(2, X5, X6) }, "slli x6,x5,0x2"},
	{func(fn *Func) { fn.SRLI(3, X5, X6) }, "srli x6,x5,0x3"},
	{func(fn *Func) { fn.MUL(X5, X6, X7) }, "mul x7,x6,x5"},
	{func(fn *Func) { fn.Load64(X10.Off(8), X11) }, "ld x11,8(x10)"},
	{func(fn *Func) { fn.Store64(X11, X10.Off(16)) }, "sd x11,16(x10)"},
	{func(fn *Func) { fn.MOVFLoad(X10.Off(-4), 3) }, "flw f3,-4(x10)"},
	{func(fn *Func) { fn.MOVFStore(3, X10.Mem()) }, "fsw f3,0(x10)"},
	{func(fn *Func) { fn.FMVWX(Zero, 7) }, "fmv.w.x f7,x0"},
	{func(fn *Func) { fn.FADDS(1, 2, 3) }, "fadd.s f3,f2,f1"},
	{func(fn *Func) { fn.FMULS(1, 2, 3) }, "fmul.s f3,f2,f1"},
	{func(fn *Func) { fn.FEQS(1, 2, X5) }, "feq.s x5,f2,f1"},
	{func(fn *Func) { fn.CSRRVLENB(X5) }, "csrr x5,vlenb"},
	{func(fn *Func) { fn.PrefetchR(X10) }, "prefetch.r 0(x10)"},
}

var (
	listingInst = regexp.MustCompile(`^\t0x([0-9a-f]{4}) \d+ \((?:.*/)?probe\.s:(\d+)\)\t([A-Z]\S*)`)
	listingHex  = regexp.MustCompile(`^\t0x([0-9a-f]{4}) ((?:[0-9a-f]{2} )+)`)
)

// TestAssemblerAgrees emits one instruction with every method of the
// emitter, assembles the file with Go's own riscv64 assembler (compressed
// instructions off, so that every instruction is one 32-bit word), decodes
// the machine code with golang.org/x/arch, and checks each is the
// instruction intended with its operands in the intended roles. This pins
// the Go operand order of every method (VFMACCVF's v, f, d; VFSUBVV's
// subtrahend and VFDIVVV's divisor first; VFREDUSUMVS's seed first) and the
// prefetch.r encoding.
func TestAssemblerAgrees(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the assembler: %v", err)
	}
	f := NewFile("probe", "riscv64", "test")
	fn := f.Func("probe", "func()", "probe holds one instruction of every kind.")
	for _, p := range probes {
		p.emit(fn)
	}
	l := fn.NewLabel("l")
	fn.Bind(l)
	branches := []string{"beqz x5,", "bnez x5,", "blez x5,", "blt x5,x6,", "bge x5,x6,", "bltu x5,x6,", "j "}
	fn.BEQZ(X5, l)
	fn.BNEZ(X5, l)
	fn.BLEZ(X5, l)
	fn.BLT(X5, X6, l)
	fn.BGE(X5, X6, l)
	fn.BLTU(X5, X6, l)
	fn.JMP(l)
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
	cmd := exec.Command(goTool, "tool", "asm", "-p", "probe", "-S", "-d=compressinstructions=0",
		"-I", filepath.Join(strings.TrimSpace(string(goroot)), "pkg", "include"),
		"-o", filepath.Join(dir, "probe.o"), s)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=riscv64")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go tool asm: %v\n%s\n%s", err, out, src)
	}
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
	if len(lines) != len(probes)+len(branches) {
		t.Fatalf("listing has %d instruction lines, want %d:\n%s", len(lines), len(probes)+len(branches), out)
	}
	decode := func(i int) string {
		var got []string
		for _, off := range offs[lines[i]] {
			inst, err := riscv64asm.Decode(code[off : off+4])
			if err != nil {
				t.Fatalf("line %d: %x does not decode: %v", i, binary.LittleEndian.Uint32(code[off:]), err)
			}
			got = append(got, riscv64asm.GNUSyntax(inst))
		}
		return strings.Join(got, "; ")
	}
	for i, p := range probes {
		if g := decode(i); g != p.want {
			t.Errorf("probe %d: assembled to %q, want %q", i, g, p.want)
		}
	}
	for i, b := range branches {
		if g := decode(len(probes) + i); !strings.HasPrefix(g, b) {
			t.Errorf("branch %d: assembled to %q, want %q…", i, g, b)
		}
	}
}
