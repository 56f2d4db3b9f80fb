package gen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedFilesUpToDate runs every generator exactly as the root
// package's go:generate lines do, into a scratch tree, and compares each file
// it writes with the committed one byte for byte: an edit to a generator
// cannot ship without its output, nor an edit to the output without the
// generator.
func TestCommittedFilesUpToDate(t *testing.T) {
	src, err := os.ReadFile("../generate.go")
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "//go:generate go run -C gen "
	runs := 0
	for _, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		args := strings.Fields(strings.TrimPrefix(line, prefix))
		runs++
		t.Run(args[0], func(t *testing.T) { checkGenerator(t, args[0], args[1:]) })
	}
	if runs != 4 {
		t.Errorf("generate.go has %d generator lines, want 4 (amd64, arm64, arm, riscv64)", runs)
	}
}

// checkGenerator builds the generator pkg and runs it with args from a
// directory one level below a scratch root, as go:generate runs it from gen/
// with outputs in the root package.
func checkGenerator(t *testing.T, pkg string, args []string) {
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "generator")
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	work := filepath.Join(tmp, "root", "gen")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", pkg, strings.Join(args, " "), err, out)
	}
	var outputs []string
	for i, a := range args {
		if (a == "-out" || a == "-stubs" || a == "-consts") && i+1 < len(args) {
			outputs = append(outputs, args[i+1])
		}
	}
	if len(outputs) != 3 {
		t.Fatalf("%s writes %v, want an assembly, a stubs and a constants file", pkg, outputs)
	}
	for _, o := range outputs {
		got, err := os.ReadFile(filepath.Join(work, o))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(o) // relative to gen/, as in go:generate
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what %s generates: run go generate in the root package", filepath.Base(o), pkg)
		}
	}
}
