package asm

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// update rewrites testdata/golden.txt with the encodings LLVM's assembler
// gives the GNU text of every case (llvm-mc, or $LLVM_MC):
//
//	go test ./arm/asm -run TestGolden -update
var update = flag.Bool("update", false, "rewrite testdata/golden.txt with llvm-mc")

const golden = "testdata/golden.txt"

// cases encodes every instruction the emitter writes as a WORD, with every
// register in every field (the others held), every lane and every kind of
// address: each field is checked over its whole range.
func cases(t *testing.T) []Word {
	var ws []Word
	add := func(w Word, err error) {
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	three := []func(d, n, m Vec) (Word, error){EncodeVADD, EncodeVSUB, EncodeVMUL, EncodeVMLA, EncodeVFMA}
	for _, enc := range three {
		for i := 0; i < 16; i++ {
			add(enc(Q(i).V(), Q(5).V(), Q(10).V()))
			add(enc(Q(3).V(), Q(i).V(), Q(12).V()))
			add(enc(Q(9).V(), Q(14).V(), Q(i).V()))
		}
		for i := 0; i < 32; i++ {
			add(enc(D(i).V(), D(7).V(), D(20).V()))
			add(enc(D(3).V(), D(i).V(), D(26).V()))
			add(enc(D(17).V(), D(30).V(), D(i).V()))
		}
	}
	for i := 0; i < 32; i++ {
		add(EncodeVPADD(D(i), D(6), D(21)))
		add(EncodeVPADD(D(2), D(i), D(29)))
		add(EncodeVPADD(D(19), D(31), D(i)))
		add(EncodeVORR(D(i).V(), D(31-i).V()))
		add(EncodeVMOVZero(D(i).V()))
	}
	for i := 0; i < 16; i++ {
		add(EncodeVORR(Q(i).V(), Q(15-i).V()))
		add(EncodeVMOVZero(Q(i).V()))
		for _, s := range []Lane{D(i).L(0), D(i).L(1)} {
			add(EncodeVDUP(Q(11).V(), s))
			add(EncodeVDUP(D(25).V(), s))
			for _, enc := range []func(d, n Vec, s Lane) (Word, error){EncodeVMLAScalar, EncodeVMULScalar} {
				add(enc(Q(i).V(), Q(6).V(), D(13).L(1)))
				add(enc(Q(2).V(), Q(i).V(), D(4).L(0)))
				add(enc(Q(14).V(), Q(1).V(), s))
				add(enc(D(2*i).V(), D(2*i+1).V(), s))
			}
		}
		add(EncodeVDUP(Q(i).V(), D(7).L(1)))
	}
	for _, v := range []float64{0.125, 1, -1, 0.5, 2, 31, 1.0 / 3 * 3, -0.1328125, 15.5} {
		add(EncodeVMOVImm(Q(7).V(), v))
		add(EncodeVMOVImm(D(29).V(), v))
	}
	mems := func(r, x Reg) []Mem { return []Mem{r.Mem(), r.Post(), r.PostBy(x)} }
	for _, enc := range []func(l List, m Mem) (Word, error){EncodeVLD1, EncodeVST1} {
		for n := 1; n <= 4; n++ {
			for first := 0; first+n <= 32; first++ {
				for _, m := range mems(R3, R8) {
					add(enc(Regs(D(first), n), m))
				}
			}
		}
		for _, r := range UsableRegs {
			for _, m := range mems(r, R4) {
				add(enc(Regs(D(18), 2), m))
			}
			add(enc(Regs(D(6), 4), R1.PostBy(r)))
		}
	}
	for _, enc := range []func(s Lane, m Mem) (Word, error){EncodeVLD1Lane, EncodeVST1Lane} {
		for i := 0; i < 32; i++ {
			for _, m := range mems(R5, R2) {
				add(enc(D(i).L(0), m))
				add(enc(D(i).L(1), m))
			}
		}
		for _, r := range UsableRegs {
			for _, m := range mems(r, R9) {
				add(enc(D(23).L(1), m))
			}
			add(enc(D(0).L(0), R12.PostBy(r)))
		}
	}
	return ws
}

var mcEncoding = regexp.MustCompile(`@ encoding: \[0x([0-9a-f]{2}),0x([0-9a-f]{2}),0x([0-9a-f]{2}),0x([0-9a-f]{2})\]`)

// TestGolden checks every encoder against what LLVM's assembler made of the
// same GNU text: llvm-mc -triple=armv7a -mattr=+neon,+vfp4 -show-encoding.
func TestGolden(t *testing.T) {
	ws := cases(t)
	if *update {
		writeGolden(t, ws)
	}
	src, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint32{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		hex, gnu, ok := strings.Cut(l, " ")
		bits, err := strconv.ParseUint(hex, 16, 32)
		if !ok || err != nil {
			t.Fatalf("%s: bad line %q", golden, l)
		}
		want[gnu] = uint32(bits)
	}
	for _, w := range ws {
		b, ok := want[w.GNU]
		switch {
		case !ok:
			t.Errorf("%s: not in %s (go test -run TestGolden -update)", w.GNU, golden)
		case b != w.Bits:
			t.Errorf("%s: encoded %#08x, LLVM %#08x", w.GNU, w.Bits, b)
		}
	}
	t.Logf("%d encodings checked against LLVM's", len(ws))
}

func writeGolden(t *testing.T, ws []Word) {
	mc := os.Getenv("LLVM_MC")
	if mc == "" {
		mc = "llvm-mc"
	}
	var in bytes.Buffer
	for _, w := range ws {
		in.WriteString(w.GNU + "\n")
	}
	cmd := exec.Command(mc, "-triple=armv7a", "-mattr=+neon,+vfp4", "-show-encoding")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", mc, err)
	}
	var enc []string
	for _, l := range strings.Split(string(out), "\n") {
		if m := mcEncoding.FindStringSubmatch(l); m != nil {
			enc = append(enc, m[4]+m[3]+m[2]+m[1])
		}
	}
	if len(enc) != len(ws) {
		t.Fatalf("%s encoded %d of %d instructions", mc, len(enc), len(ws))
	}
	var b bytes.Buffer
	b.WriteString("# Encodings by LLVM's assembler of the GNU text of every case in word_test.go:\n")
	b.WriteString("# llvm-mc -triple=armv7a -mattr=+neon,+vfp4 -show-encoding (go test -run TestGolden -update).\n")
	seen := map[string]bool{}
	for i, w := range ws {
		if !seen[w.GNU] {
			seen[w.GNU] = true
			fmt.Fprintf(&b, "%s %s\n", enc[i], w.GNU)
		}
	}
	if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWordsReject checks the encoders refuse what they cannot encode.
func TestWordsReject(t *testing.T) {
	if _, err := EncodeVADD(Q(1).V(), D(2).V(), Q(3).V()); err == nil {
		t.Error("vadd with mixed Q and D encoded")
	}
	if _, err := EncodeVMLAScalar(Q(1).V(), Q(2).V(), D(16).L(0)); err == nil {
		t.Error("vmla by a scalar of d16 encoded")
	}
	if _, err := EncodeVLD1(Regs(D(30), 3), R0.Mem()); err == nil {
		t.Error("vld1 of d30-d32 encoded")
	}
	if _, err := EncodeVMOVImm(Q(0).V(), 0.1); err == nil {
		t.Error("vmov.f32 #0.1 encoded")
	}
	if _, err := EncodeVLD1(Regs(D(0), 5), R0.Mem()); err == nil {
		t.Error("vld1 of five registers encoded")
	}
}
