package main

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

// update rewrites testdata/words.txt with LLVM's encodings of every WORD of
// the committed linalg_arm.s (llvm-mc, or $LLVM_MC):
//
//	go test ./arm -run TestCommittedWords -update
var update = flag.Bool("update", false, "rewrite testdata/words.txt with llvm-mc")

var (
	wordLine   = regexp.MustCompile(`^\tWORD\t\$0x([0-9a-f]{8}) // (.*)$`)
	mcEncoding = regexp.MustCompile(`@ encoding: \[0x([0-9a-f]{2}),0x([0-9a-f]{2}),0x([0-9a-f]{2}),0x([0-9a-f]{2})\]`)
)

// TestCommittedWords checks every WORD of the committed assembly against the
// encoding LLVM's assembler gave its GNU comment (testdata/words.txt), so
// that each instruction the kernels run, not only each encoder's fields
// (asm's TestGolden), is LLVM's reading of what the comment says.
func TestCommittedWords(t *testing.T) {
	src, err := os.ReadFile("../../linalg_arm.s")
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]uint32{}
	var order []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.Contains(line, "WORD") {
			continue
		}
		m := wordLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %d: WORD without the form `WORD $0x… // gnu spelling`: %q", n, line)
		}
		bits, _ := strconv.ParseUint(m[1], 16, 32)
		if old, ok := words[m[2]]; ok && old != uint32(bits) {
			t.Errorf("line %d: %s encoded both %#08x and %#08x", n, m[2], old, bits)
		}
		if _, ok := words[m[2]]; !ok {
			order = append(order, m[2])
		}
		words[m[2]] = uint32(bits)
	}
	if *update {
		writeWords(t, order)
	}
	golden, err := os.ReadFile("testdata/words.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint32{}
	for _, l := range strings.Split(string(golden), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		hex, gnu, _ := strings.Cut(l, " ")
		b, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			t.Fatalf("testdata/words.txt: bad line %q", l)
		}
		want[gnu] = uint32(b)
	}
	for _, gnu := range order {
		if b, ok := want[gnu]; !ok {
			t.Errorf("%s: not in testdata/words.txt (go test -run TestCommittedWords -update)", gnu)
		} else if b != words[gnu] {
			t.Errorf("%s: WORD %#08x, LLVM %#08x", gnu, words[gnu], b)
		}
	}
	t.Logf("%d distinct words checked against LLVM's encodings", len(order))
}

func writeWords(t *testing.T, gnus []string) {
	mc := os.Getenv("LLVM_MC")
	if mc == "" {
		mc = "llvm-mc"
	}
	cmd := exec.Command(mc, "-triple=armv7a", "-mattr=+neon,+vfp4", "-show-encoding")
	cmd.Stdin = strings.NewReader(strings.Join(gnus, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", mc, err)
	}
	var b bytes.Buffer
	b.WriteString("# LLVM's encodings of the WORDs of linalg_arm.s, from their GNU comments:\n")
	b.WriteString("# llvm-mc -triple=armv7a -mattr=+neon,+vfp4 -show-encoding (go test -run TestCommittedWords -update).\n")
	i := 0
	for _, l := range strings.Split(string(out), "\n") {
		if m := mcEncoding.FindStringSubmatch(l); m != nil {
			if i >= len(gnus) {
				t.Fatalf("%s encoded more instructions than given", mc)
			}
			fmt.Fprintf(&b, "%s%s%s%s %s\n", m[4], m[3], m[2], m[1], gnus[i])
			i++
		}
	}
	if i != len(gnus) {
		t.Fatalf("%s encoded %d of %d instructions", mc, i, len(gnus))
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/words.txt", b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
