package main

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

// TestNoHandEncodedInstructions: every instruction of the committed file is
// one Go's assembler knows by name (so it checks operands), none a WORD; the
// one hint written as another instruction, prefetch.r as ORI into X0, says
// so in its comment.
func TestNoHandEncodedInstructions(t *testing.T) {
	src, err := os.ReadFile("../../linalg_riscv64.s")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte("\tWORD\t")) {
		t.Error("linalg_riscv64.s has a WORD: write the instruction with its mnemonic")
	}
	ori := regexp.MustCompile(`(?m)^\tORI\t.*$`)
	for _, l := range ori.FindAll(src, -1) {
		if !regexp.MustCompile(`^\tORI\t\$1, X\d+, X0 // prefetch\.r 0\(x\d+\)$`).Match(l) {
			t.Errorf("ORI that is not a commented prefetch.r: %q", l)
		}
	}
}

// TestGenerateDeterministic: two runs give the same bytes (the
// byte-for-byte check in gen/generate_test.go relies on it).
func TestGenerateDeterministic(t *testing.T) {
	s1, d1, c1, err := generate("edgefit")
	if err != nil {
		t.Fatal(err)
	}
	s2, d2, c2, _ := generate("edgefit")
	if !bytes.Equal(s1, s2) || !bytes.Equal(d1, d2) || !bytes.Equal(c1, c2) {
		t.Error("two runs of the generator differ")
	}
}
