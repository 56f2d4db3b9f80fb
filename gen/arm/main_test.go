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

// TestPrefetchTraceTwin checks that prefetchRowsNEONTrace, which the root
// package's tests check, is prefetchRowsNEON line for line but for loading
// the trace and storing an address where prefetchRowsNEON prefetches it, so
// that what the tests find of the one holds for the other.
func TestPrefetchTraceTwin(t *testing.T) {
	s, _, _, err := generate("edgefit")
	if err != nil {
		t.Fatal(err)
	}
	body := func(name string) []string {
		_, rest, ok := strings.Cut(string(s), "TEXT ·"+name+"(SB)")
		if !ok {
			t.Fatalf("no %s", name)
		}
		lines := strings.Split(rest, "\n")
		for i, l := range lines {
			if l == "\tRET" {
				return lines[1 : i+1]
			}
		}
		t.Fatalf("%s does not end in RET", name)
		return nil
	}
	pld := regexp.MustCompile(`^\tPLD\t\((R\d+)\)$`)
	label := regexp.MustCompile(`_\d+\b`)
	var want []string
	prefetches := 0
	for _, l := range body("prefetchRowsNEON") {
		if m := pld.FindStringSubmatch(l); m != nil {
			l = "\tMOVW.P\t" + m[1] + ", 4(R8)"
			prefetches++
		} else if strings.Contains(l, "PLD") || strings.Contains(l, "R8") {
			t.Errorf("prefetchRowsNEON: %q: want PLD (Rn) only, and R8 free for the trace", l)
		}
		want = append(want, label.ReplaceAllString(l, "_N"))
	}
	if prefetches != 2 {
		t.Errorf("prefetchRowsNEON has %d prefetches, want 2 (a row's start, its further lines)", prefetches)
	}
	var got []string
	for _, l := range body("prefetchRowsNEONTrace") {
		if l != "\tMOVW\ttrace_base+32(FP), R8" {
			got = append(got, label.ReplaceAllString(l, "_N"))
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("prefetchRowsNEONTrace is not prefetchRowsNEON with its prefetches recorded:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
