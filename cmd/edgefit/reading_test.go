package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// What the CSV reader accepts, end to end; what it refuses is in the
// hostile table (hostile_read_test.go).

// readJSON trains with -json on the given input and returns its rows and
// whether it streamed, with stderr.
func readJSON(t *testing.T, stdin string, args ...string) (rows int64, streamed bool, stderr string) {
	t.Helper()
	r := ok(t, runCmd(t, stdin, append([]string{"train", "-quiet", "-json", "-epochs", "1"}, args...)...))
	var j struct {
		Rows     int64
		Streamed bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return j.Rows, j.Streamed, r.stderr
}

func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A pipe is opened once and read once: every row arrives (its first rows
// were lost to a second opening).
func TestReadingPipeOnce(t *testing.T) {
	const want = 30000 // well over a pipe's buffer
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := 0; i < want; i++ {
		fmt.Fprintf(&b, "%d,%d,%d\n", i%7, i%11, i%5)
	}
	if rows, _, _ := readJSON(t, b.String(), "-data", "/dev/stdin", "-y", "y"); rows != want {
		t.Errorf("train from stdin: %d rows, want %d", rows, want)
	}
}

// A file whose rows are many for its size (empty fields in ignored columns
// take one byte each) is streamed rather than held past -mem-mb: 100,000
// rows take at least 16 bytes each in memory, over 1 MiB.
func TestReadingBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,y")
	for i := 0; i < 98; i++ {
		fmt.Fprintf(&b, ",z%d", i)
	}
	b.WriteString("\n")
	const want = 100000
	for i := 0; i < want; i++ {
		fmt.Fprintf(&b, "%d,%d%s\n", i%10, i%7, strings.Repeat(",", 98))
	}
	path := writeTemp(t, "sparse.csv", b.String())
	if rows, streamed, _ := readJSON(t, "", "-data", path, "-y", "y", "-x", "a", "-mem-mb", "1"); rows != want || !streamed {
		t.Errorf("%d rows, streamed %v: want %d, streamed", rows, streamed, want)
	}
}

// CR line endings, and a BOM before a quoted header (as R and pandas write
// it), are read.
func TestReadingFormats(t *testing.T) {
	for _, c := range []struct {
		name, data string
		rows       int64
	}{
		{"CR line endings", "a,b,y\r1,2,3\r2,1,5\r3,3,4\r4,0,1\r", 4},
		{"BOM and quoted header", "\ufeff\"a\",\"b\",\"y\"\n1,2,3\n2,1,5\n3,3,4\n", 3},
	} {
		if rows, _, _ := readJSON(t, "", "-data", writeTemp(t, "f.csv", c.data), "-y", "y"); rows != c.rows {
			t.Errorf("%s: %d rows, want %d", c.name, rows, c.rows)
		}
	}
}

// An exactly constant input is trained on, with a warning naming it.
func TestConstantInputWarning(t *testing.T) {
	_, _, stderr := readJSON(t, "", "-data", writeTemp(t, "c.csv", "a,c,y\n1,5,2\n2,5,4\n3,5,7\n"), "-y", "y")
	if !regexp.MustCompile(`^warning: input column is constant in the training rows, so nothing is learned from them: "c"\n$`).MatchString(stderr) {
		t.Errorf("stderr %q: want the warning naming \"c\"", stderr)
	}
}

// predict decides header or data by the whole first row: a header whose
// first name is a number is still a header.
func TestPredictNumericFirstName(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "crops.safetensors")
	ok(t, runCmd(t, "", "train", "-quiet", "-data", crops, "-y", "apples,oranges", "-epochs", "2", "-o", model))
	want := ok(t, runCmd(t, "", "predict", "-model", model, "73,67,43", "91,88,64")).stdout
	got := ok(t, runCmd(t, "1,humidity,temp,rainfall\n0,43,73,67\n9,64,91,88\n", "predict", "-model", model)).stdout
	if got != want {
		t.Errorf("with a header 1,humidity,temp,rainfall: %q, want %q", got, want)
	}
}

// An input whose spread is tiny but not zero is standardised and learned.
func TestTinySpreadLearned(t *testing.T) {
	var b strings.Builder
	b.WriteString("tiny,x,y\n")
	s := uint32(7)
	next := func() float64 { s = s*1664525 + 1013904223; return float64(s>>8) / (1 << 24) }
	for i := 0; i < 500; i++ {
		u, x := next(), next()
		fmt.Fprintf(&b, "%g,%g,%g\n", u*1e-13, x, 3*u+x)
	}
	path := writeTemp(t, "tiny.csv", b.String())
	r := ok(t, runCmd(t, "", "train", "-quiet", "-json", "-data", path, "-y", "y", "-epochs", "200", "-batch", "16"))
	var j struct{ R2 float64 }
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatal(err)
	}
	if j.R2 < 0.999 {
		t.Errorf("R² %v, want about 1: the tiny input is learned", j.R2)
	}
}
