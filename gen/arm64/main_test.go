package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"
)

// TestCommittedFilesUpToDate regenerates the kernels and compares them byte
// for byte with the files committed in the root package, so that an edit to
// the generator cannot ship without its output, nor an edit to the output
// without the generator.
func TestCommittedFilesUpToDate(t *testing.T) {
	s, d, err := generate("edgefit")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		want []byte
	}{{"../../linalg_arm64.s", s}, {"../../linalg_arm64.go", d}} {
		got, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.want) {
			t.Errorf("%s differs from the generator's output: run go generate in the root package", f.path)
		}
	}
}

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
