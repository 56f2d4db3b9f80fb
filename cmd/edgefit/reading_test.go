//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// The reading paths under hostile input, each case a row of a small table:
// the input (a file's content, or a stream on stdin), the arguments, the
// exit status, what stderr must match (one line, at most 300 characters, on
// failure) and a ceiling on the process's peak resident memory.

// readCase is one run of the command. In args, {file} is a file holding
// file, {model} a model trained on the crops.
type readCase struct {
	name   string
	file   string
	stdin  func() io.Reader
	args   []string
	code   int
	stderr string // regexp
	stdout string // regexp, when the run succeeds
	maxMB  int64  // ceiling on the peak resident set, 0: none
}

// stream is size bytes on stdin: prefix, then pattern repeated, generated
// as they are read rather than held.
func stream(prefix, pattern string, size int64) func() io.Reader {
	return func() io.Reader {
		return io.LimitReader(io.MultiReader(strings.NewReader(prefix), &repeater{p: pattern}), size)
	}
}

type repeater struct {
	p   string
	off int
}

func (r *repeater) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = r.p[r.off]
		r.off = (r.off + 1) % len(r.p)
	}
	return len(b), nil
}

// runRead runs the built binary on one case and returns its exit status,
// stdout, stderr and peak resident set in MiB, and this process's own peak
// before it started the child: os/exec starts a child by vfork, so the
// child's peak counts this process's (Linux records it at exec), and a
// child's peak is its own only when it is over that.
func runRead(t *testing.T, dir string, tc readCase, model string) (code int, stdout, stderr string, maxMB, selfMB int64) {
	t.Helper()
	file := filepath.Join(dir, strings.NewReplacer(" ", "_", "/", "_").Replace(tc.name)+".csv")
	if tc.file != "" {
		if err := os.WriteFile(file, []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := make([]string, len(tc.args))
	for i, a := range tc.args {
		args[i] = strings.NewReplacer("{file}", file, "{model}", model).Replace(a)
	}
	var self syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err != nil {
		t.Fatal(err)
	}
	selfMB = int64(self.Maxrss) >> 10
	var out, errb bytes.Buffer
	start := func() (*exec.Cmd, error) {
		cmd := exec.Command(bin, args...)
		if qemu != "" {
			cmd = exec.Command(qemu, append([]string{bin}, args...)...)
		}
		if tc.stdin != nil {
			cmd.Stdin = tc.stdin()
		}
		out.Reset()
		errb.Reset()
		cmd.Stdout, cmd.Stderr = &out, &errb
		return cmd, cmd.Run()
	}
	cmd, err := start()
	if errors.Is(err, syscall.ENOEXEC) && qemu == "" {
		qemu = mustEmulator(t, err)
		cmd, err = start()
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", tc.name, err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru != nil {
		maxMB = int64(ru.Maxrss) >> 10 // KiB on Linux
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String(), maxMB, selfMB
}

func runReadCases(t *testing.T, cases []readCase) {
	t.Helper()
	dir := t.TempDir()
	model := filepath.Join(dir, "crops.safetensors")
	ok(t, runCmd(t, "", "train", "-quiet", "-data", crops, "-y", "apples,oranges", "-epochs", "2", "-o", model))
	for _, tc := range cases {
		code, stdout, stderr, mb, self := runRead(t, dir, tc, model)
		if code != tc.code || !regexp.MustCompile(tc.stderr).MatchString(stderr) {
			t.Errorf("%s: status %d, stderr %.400q; want %d and %s", tc.name, code, stderr, tc.code, tc.stderr)
		}
		if code != 0 && (strings.Count(stderr, "\n") != 1 || len(stderr) > 300) {
			t.Errorf("%s: stderr is not one line of at most 300 characters: %.400q", tc.name, stderr)
		}
		if tc.stdout != "" && !regexp.MustCompile(tc.stdout).MatchString(stdout) {
			t.Errorf("%s: stdout %.400q, want %s", tc.name, stdout, tc.stdout)
		}
		if tc.maxMB > 0 && mb > tc.maxMB {
			if mb <= self {
				t.Errorf("%s: cannot tell the child's peak resident set: this test process's own, %d MiB, is over the ceiling of %d", tc.name, self, tc.maxMB)
			} else {
				t.Errorf("%s: peak resident set %d MiB, over %d", tc.name, mb, tc.maxMB)
			}
		}
	}
}

const huge = 200 << 20 // bytes streamed to the unbounded cases

// Rows without end are an error at the row limit, in bounded memory, on
// every reading path; so are sizes that grow with the number of columns.
func TestReadingBoundedMemory(t *testing.T) {
	wide := func(cols int) string {
		var b strings.Builder
		for i := 0; i < cols; i++ {
			fmt.Fprintf(&b, "c%d,", i)
		}
		b.WriteString("y\n")
		b.WriteString(strings.Repeat("1,", cols) + "2\n")
		return b.String()
	}
	noBreak := `:1: a row longer than 1 MiB, the limit: no line break in it\n$`
	runReadCases(t, []readCase{
		{name: "digits on stdin", stdin: stream("", "7", huge), args: []string{"train", "-data", "/dev/stdin", "-y", "y", "-mem-mb", "1"},
			code: 2, stderr: `^edgefit train: /dev/stdin` + noBreak, maxMB: 100},
		{name: "CR-only rows on stdin", stdin: stream("a,b,y\r", "1,2,3\r4,6,5\r2,9,1\r", huge), args: []string{"train", "-data", "/dev/stdin", "-y", "y", "-mem-mb", "1"},
			code: 2, stderr: `^edgefit train: /dev/stdin is not a regular file .* passed -mem-mb 1: save it to a file`, maxMB: 100},
		{name: "open quote on stdin", stdin: stream("a,y\n1,\"", "x\n", huge), args: []string{"train", "-data", "/dev/stdin", "-y", "y"},
			code: 2, stderr: `^edgefit train: /dev/stdin:2: a row longer than 1 MiB, the limit, on lines 2 to \d+: is a quote left open\?\n$`, maxMB: 100},
		{name: "train /dev/zero", args: []string{"train", "-data", "/dev/zero", "-y", "y", "-mem-mb", "1"},
			code: 2, stderr: `^edgefit train: /dev/zero` + noBreak, maxMB: 100},
		{name: "eval /dev/zero", args: []string{"eval", "-model", "{model}", "-data", "/dev/zero"},
			code: 2, stderr: `^edgefit eval: /dev/zero` + noBreak, maxMB: 100},
		{name: "predict /dev/zero", args: []string{"predict", "-model", "{model}", "-data", "/dev/zero"},
			code: 2, stderr: `^edgefit predict: /dev/zero` + noBreak, maxMB: 100},
		{name: "predict digits on stdin", stdin: stream("", "12", huge), args: []string{"predict", "-model", "{model}"},
			code: 2, stderr: `^edgefit predict: stdin` + noBreak, maxMB: 100},
		{name: "init /dev/zero", args: []string{"train", "-data", crops, "-y", "apples", "-init", "/dev/zero"},
			code: 2, stderr: `^edgefit train: -init /dev/zero: not a regular file\n$`, maxMB: 100},
		{name: "100000 columns", file: wide(99999), args: []string{"train", "-data", "{file}", "-y", "y"},
			code: 2, stderr: `^edgefit train: .*100000_columns.csv:1: 100000 fields, over the limit of 65536\n$`, maxMB: 100},
		{name: "3700 columns on stdin", stdin: func() io.Reader { return strings.NewReader(wide(3700)) }, args: []string{"train", "-data", "/dev/stdin", "-y", "y"},
			code: 2, stderr: `^edgefit train: /dev/stdin: 3700 input columns need \d+ MiB \(normal equations \d+ MiB, buffers of 65536 rows \d+ MiB\), over the 1024 MiB allowed`, maxMB: 100},
		{name: "20000 columns", file: wide(19999), args: []string{"train", "-data", "{file}", "-y", "y"},
			code: 2, stderr: `^edgefit train: .*: 19999 input columns need \d+ MiB \(normal equations \d+ MiB, buffers of \d+ rows \d+ MiB\), over the 1024 MiB allowed`, maxMB: 100},
	})
}

// A pipe is opened once and read once: every row arrives (its first rows
// were lost to a second opening).
func TestReadingPipeOnce(t *testing.T) {
	const rows = 30000 // well over a pipe's buffer
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "%d,%d,%d\n", i%7, i%11, i%5)
	}
	data := b.String()
	runReadCases(t, []readCase{
		{name: "train from stdin", stdin: func() io.Reader { return strings.NewReader(data) }, args: []string{"train", "-quiet", "-json", "-epochs", "1", "-data", "/dev/stdin", "-y", "y"},
			stderr: `^$`, stdout: fmt.Sprintf(`"rows":%d\b`, rows), maxMB: 100},
	})
}

// A file with more rows than its size promised (empty fields in ignored
// columns) is streamed rather than held past -mem-mb.
func TestReadingBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,y")
	for i := 0; i < 98; i++ {
		fmt.Fprintf(&b, ",z%d", i)
	}
	b.WriteString("\n")
	for i := 0; i < 120000; i++ {
		fmt.Fprintf(&b, "%d,%d%s\n", i%10, i%7, strings.Repeat(",", 98))
	}
	runReadCases(t, []readCase{
		{name: "empty ignored fields", file: b.String(), args: []string{"train", "-quiet", "-json", "-epochs", "1", "-data", "{file}", "-y", "y", "-x", "a", "-mem-mb", "1"},
			stderr: `^$`, stdout: `"rows":120000,.*"streamed":true`},
	})
}

// What the CSV reader accepts and refuses, and how it says so.
func TestReadingFormats(t *testing.T) {
	big := strings.Repeat("x", 50000)
	runReadCases(t, []readCase{
		{name: "CR line endings", file: "a,b,y\r1,2,3\r2,1,5\r3,3,4\r4,0,1\r", args: []string{"train", "-quiet", "-json", "-epochs", "1", "-data", "{file}", "-y", "y"},
			stderr: `^$`, stdout: `"rows":4\b`},
		{name: "BOM and quoted header", file: "\ufeff\"a\",\"b\",\"y\"\n1,2,3\n2,1,5\n3,3,4\n", args: []string{"train", "-quiet", "-json", "-epochs", "1", "-data", "{file}", "-y", "y"},
			stderr: `^$`, stdout: `"rows":3\b`},
		{name: "50 KB value", file: "a,y\n" + big + ",1\n", args: []string{"train", "-data", "{file}", "-y", "y"},
			code: 2, stderr: `:2:1: column "a": "x{60}"… \(50000 bytes\) is not a number`},
		{name: "10 MB value", file: "a,y\n" + strings.Repeat(big, 200) + ",1\n", args: []string{"train", "-data", "{file}", "-y", "y"},
			code: 2, stderr: `:2: a row longer than 1 MiB`},
		{name: "hex", file: "a,y\n0x10,1\n2,3\n", args: []string{"train", "-data", "{file}", "-y", "y"},
			code: 2, stderr: `:2:1: column "a": "0x10" is not a number`},
		{name: "hex float", file: "a,y\n0x1p3,1\n2,3\n", args: []string{"train", "-data", "{file}", "-y", "y"},
			code: 2, stderr: `:2:1: column "a": "0x1p3" is not a number`},
		{name: "predict hex float argument", args: []string{"predict", "-model", "{model}", "0x1p3,1,2"},
			code: 2, stderr: `value 1: "0x1p3" is not a number`},
		{name: "predict inf argument", args: []string{"predict", "-model", "{model}", "1,2,-Inf"},
			code: 2, stderr: `value 3: "-Inf" is not a finite number`},
		{name: "header not UTF-8", file: "a,\xff\xfe,y\n1,2,3\n", args: []string{"train", "-data", "{file}", "-y", "y"},
			code: 2, stderr: `:1:3: header column 2: the name "\\xff\\xfe" is not valid UTF-8\n$`},
		{name: "predict header duplicate", file: "temp,rainfall,humidity,temp\n1,2,3,4\n", args: []string{"predict", "-model", "{model}", "-data", "{file}"},
			code: 2, stderr: `:1: header names column "temp" twice \(columns 1 and 4\)`},
		{name: "constant input", file: "a,c,y\n1,5,2\n2,5,4\n3,5,7\n", args: []string{"train", "-quiet", "-epochs", "1", "-data", "{file}", "-y", "y"},
			stderr: `^warning: input column is constant in the training rows, so nothing is learned from them: "c"\n`},
	})
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
	path := filepath.Join(t.TempDir(), "tiny.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := ok(t, runCmd(t, "", "train", "-quiet", "-json", "-data", path, "-y", "y", "-epochs", "200", "-batch", "16"))
	var j struct{ R2 float64 }
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatal(err)
	}
	if j.R2 < 0.999 {
		t.Errorf("R² %v, want about 1: the tiny input is learned", j.R2)
	}
}
