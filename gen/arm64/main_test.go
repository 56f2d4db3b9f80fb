package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

var wordLine = regexp.MustCompile(`^\tWORD\t\$0x([0-9a-f]{8}) // (.*)$`)

// TestCommittedWordsDecode decodes every WORD of the committed assembly
// with golang.org/x/arch and checks it is the instruction its comment names.
func TestCommittedWordsDecode(t *testing.T) {
	src, err := os.ReadFile("../../linalg_arm64.s")
	if err != nil {
		t.Fatal(err)
	}
	words := 0
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.Contains(line, "WORD") {
			continue
		}
		m := wordLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %d: WORD without the form `WORD $0x… // gnu spelling`: %q", n, line)
			continue
		}
		bits, _ := strconv.ParseUint(m[1], 16, 32)
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(bits))
		inst, err := arm64asm.Decode(b[:])
		if err != nil {
			t.Errorf("line %d: %s does not decode: %v", n, m[1], err)
			continue
		}
		if got := arm64asm.GNUSyntax(inst); got != m[2] {
			t.Errorf("line %d: %s decodes as %q, the comment says %q", n, m[1], got, m[2])
		}
		words++
	}
	if words == 0 {
		t.Fatal("no WORD in linalg_arm64.s")
	}
	t.Logf("%d words checked", words)
}

// TestPrefetchTraceTwin checks that prefetchRowsNEONTrace, which the root
// package's tests check, is prefetchRowsNEON line for line but for loading
// the trace and recording an address where prefetchRowsNEON prefetches it,
// so that what the tests find of the one holds for the other.
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
	prfm := regexp.MustCompile(`^\tPRFM\t\((R\d+)\), PLDL2KEEP$`)
	label := regexp.MustCompile(`_\d+\b`) // the twin's labels are numbered on
	var want []string
	prefetches := 0
	for _, l := range body("prefetchRowsNEON") {
		if m := prfm.FindStringSubmatch(l); m != nil {
			l = "\tMOVD.P\t" + m[1] + ", 8(R8)"
			prefetches++
		} else if strings.Contains(l, "PRFM") || strings.Contains(l, "WORD") {
			t.Errorf("prefetchRowsNEON: %q: want PRFM (Rn), PLDL2KEEP only", l)
		}
		want = append(want, label.ReplaceAllString(l, "_N"))
	}
	if prefetches != 2 {
		t.Errorf("prefetchRowsNEON has %d prefetches, want 2 (a row's start, its further lines)", prefetches)
	}
	got := body("prefetchRowsNEONTrace")
	for i, l := range got {
		got[i] = label.ReplaceAllString(l, "_N")
	}
	load := "\tMOVD\ttrace_base+64(FP), R8"
	if i := slices.Index(got, load); i < 0 {
		t.Errorf("prefetchRowsNEONTrace does not load the trace: %q", load)
	} else {
		got = slices.Delete(got, i, i+1)
	}
	if !slices.Equal(got, want) {
		t.Errorf("prefetchRowsNEONTrace is not prefetchRowsNEON with its prefetches recorded:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMainLoopsLoadFirst checks the shape the little cores need of the
// matrix kernels' main loops (matmulpack.go, gradw8.go): their 64
// multiply-adds all come after all their loads, which are LDURs, never
// post-indexed, so that an in-order core issues no load behind a
// multiply-add and no load costs a second micro-op.
func TestMainLoopsLoadFirst(t *testing.T) {
	s, _, _, err := generate("edgefit")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ fn, loop string }{{"matMulBiasNEON", "pk4"}, {"gradWNEON", "g8i4"}} {
		_, rest, ok := strings.Cut(string(s), "TEXT ·"+tc.fn+"(SB)")
		if !ok {
			t.Fatalf("no %s", tc.fn)
		}
		head := regexp.MustCompile(`\n(` + tc.loop + `_\d+):\n`).FindStringSubmatchIndex(rest)
		if head == nil {
			t.Fatalf("%s: no loop %s", tc.fn, tc.loop)
		}
		label := rest[head[2]:head[3]]
		body, _, ok := strings.Cut(rest[head[1]:], "\tBNE\t"+label+"\n")
		if !ok {
			t.Fatalf("%s: loop %s does not end in BNE %s", tc.fn, label, label)
		}
		fmas, loads := 0, 0
		for _, l := range strings.Split(body, "\n") {
			switch {
			case strings.Contains(l, "// fmla "):
				fmas++
			case strings.Contains(l, "// ldur q"):
				loads++
				if fmas > 0 {
					t.Errorf("%s %s: a load after a multiply-add: %q", tc.fn, label, l)
				}
			case strings.Contains(l, ".P\t") || strings.Contains(l, "VLD") || strings.Contains(l, "FMOV"):
				t.Errorf("%s %s: a load that is not an LDUR: %q", tc.fn, label, l)
			}
		}
		if fmas != 64 || loads != 16 {
			t.Errorf("%s %s: %d multiply-adds and %d loads, want 64 and 16", tc.fn, label, fmas, loads)
		}
	}
}
