//go:build linux

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// huge is the size of the streams without end: far over every limit.
const huge = 200 << 20

// noBreak ends the message for a row without a line break.
const noBreak = `:1: a row longer than 1 MiB, the limit: no line break in it$`

// readCases are the CSV reading paths under hostile input (items 5, 9, 10,
// 20): rows, fields and headers without end, too many columns, bytes and
// numbers the reader refuses. Streams of hundreds of megabytes are generated
// as they are read; memMB holds the run to a fraction of what an unbounded
// read would take.
var readCases = []hostileCase{
	// Rows without end, on every reading path (item 5).
	{name: "a row without end (digits on stdin)", args: args("train -data /dev/stdin -y y -mem-mb 1"), stdinGen: stream("", "7", huge), memMB: 100, want: `^edgefit train: /dev/stdin` + noBreak, readme: true},
	{name: "a pipe over -mem-mb (read once, into memory)", args: args("train -data /dev/stdin -y y -mem-mb 1"), stdinGen: stream("a,b,y\r", "1,2,3\r4,6,5\r2,9,1\r", huge), memMB: 100, want: `^edgefit train: /dev/stdin is not a regular file \(a pipe or a device\), so it is read once, into memory, and its rows passed -mem-mb 1: save it to a file`, readme: true},
	{name: "a pipe over -mem-mb, from a FIFO", args: args("train -data rows -y y -mem-mb 1"), feed: map[string]string{"rows": "a,y\n" + strings.Repeat("1,2\n", 1<<20)}, memMB: 100, want: `^edgefit train: rows is not a regular file .* passed -mem-mb 1`},
	{name: "a quote left open on stdin", args: args("train -data /dev/stdin -y y"), stdinGen: stream("a,y\n1,\"", "x\n", huge), memMB: 100, want: `^edgefit train: /dev/stdin:2: a row longer than 1 MiB, the limit, on lines 2 to \d+: is a quote left open\?$`},
	{name: "train on an endless device", args: args("train -data zero -y y -mem-mb 1"), setup: zeroDevice("zero"), memMB: 100, want: `^edgefit train: zero` + noBreak},
	{name: "eval on an endless device", args: args("eval -model m.st -data zero"), setup: zeroDevice("zero"), memMB: 100, want: `^edgefit eval: zero` + noBreak},
	{name: "predict on an endless device", args: args("predict -model m.st -data zero"), setup: zeroDevice("zero"), memMB: 100, want: `^edgefit predict: zero` + noBreak},
	{name: "predict digits without end on stdin", args: args("predict -model m.st"), stdinGen: stream("", "12", huge), memMB: 100, want: `^edgefit predict: stdin` + noBreak},
	{name: "eval a file of digits without end", args: args("eval -model m.st -data long.csv"), setup: prefixed("long.csv", "temp,rainfall,humidity,apples,oranges\n", "1", 2<<20), memMB: 100, want: `^edgefit eval: long\.csv:2: a row longer than 1 MiB, the limit: no line break in it$`},
	{name: "-init on an endless device (refused unopened)", args: args("train -data d.csv -y apples -init zero"), setup: zeroDevice("zero"), memMB: 64, want: `^edgefit train: -init zero: not a regular file$`},
	{name: "a field too long for a row", args: args("train -data long.csv -y y"), setup: prefixed("long.csv", "a,y\n", "x", 10<<20), memMB: 100, want: `^edgefit train: long\.csv:2: a row longer than 1 MiB`},

	{name: "a header of 17 MB of names (a model header over 16 MiB)", args: args("train -data /dev/stdin -y y"), stdinGen: stream("", "column_name,", 17<<20), memMB: 100, want: `^edgefit train: /dev/stdin` + noBreak},

	// Sizes that grow with the number of columns (item 5).
	{name: "too many columns", args: args("train -data wide.csv -y y"), files: map[string]string{"wide.csv": wide(99999)}, memMB: 100, want: `^edgefit train: wide\.csv:1: 100000 fields, over the limit of 65536$`, readme: true},
	{name: "wide data on stdin over the memory allowed", args: args("train -data /dev/stdin -y y"), stdin: wide(3700), memMB: 100, want: `^edgefit train: /dev/stdin: 3700 input columns need \d+ MiB \(least squares \d+ MiB, buffers of 65536 rows \d+ MiB\), over the 1024 MiB allowed`},
	{name: "input columns over the memory allowed", args: args("train -data wide.csv -y y"), files: map[string]string{"wide.csv": wide(19999)}, memMB: 100, want: `^edgefit train: wide\.csv: 19999 input columns need \d+ MiB \(least squares \d+ MiB, buffers of \d+ rows \d+ MiB\), over the 1024 MiB allowed`, readme: true},
	{name: "predict a row of too many values", args: args("predict -model m.st"), stdin: strings.Repeat("1,", 70000) + "1\n", memMB: 100, want: `^edgefit predict: stdin:1: 70001 fields, over the limit of 65536$`},

	// Fields and names, quoted in at most about 60 characters (items 10, 20).
	{name: "a field too long", args: args("train -data long.csv -y y"), files: map[string]string{"long.csv": "a,y\n" + strings.Repeat("x", 50000) + ",1\n"}, want: `^edgefit train: long\.csv:2:1: column "a": "x{60}"… \(50000 bytes\) is not a number \(want a decimal number, e\.g\. -1\.5e3\)$`, readme: true},
	{name: "a header name not UTF-8", args: args("train -data h.csv -y y"), files: map[string]string{"h.csv": "a,\xff\xfe,y\n1,2,3\n"}, want: `^edgefit train: h\.csv:1:3: header column 2: the name "\\xff\\xfe" is not valid UTF-8$`, readme: true},
	{name: "a target name not UTF-8", args: args("eval -model m.st -data h.csv"), files: map[string]string{"h.csv": "temp,rainfall,humidity,apples,\xc3\n1,2,3,4,5\n"}, want: `^edgefit eval: h\.csv:1:\d+: header column 5: the name "\\xc3" is not valid UTF-8$`},
	{name: "a hex number", args: args("train -data x.csv -y y"), files: map[string]string{"x.csv": "a,y\n0x10,1\n2,3\n"}, want: `^edgefit train: x\.csv:2:1: column "a": "0x10" is not a number \(want a decimal number, e\.g\. -1\.5e3\)$`, readme: true},
	{name: "a hex float", args: args("train -data x.csv -y y"), files: map[string]string{"x.csv": "a,y\n0x1p3,1\n2,3\n"}, want: `x\.csv:2:1: column "a": "0x1p3" is not a number`},
	{name: "predict a hex float argument", args: args("predict -model m.st 0x1p3,1,2"), want: `^edgefit predict: row 1 "0x1p3,1,2", value 1: "0x1p3" is not a number`},
	{name: "predict an infinite argument", args: args("predict -model m.st 1,2,-Inf"), want: `value 3: "-Inf" is not a finite number`},
	{name: "eval a NaN target", args: args("eval -model m.st -data n.csv"), files: map[string]string{"n.csv": "temp,rainfall,humidity,apples,oranges\n1,2,3,NaN,5\n"}, want: `^edgefit eval: n\.csv:2:7: column "apples": "NaN" is not a finite number`},
	{name: "a CR-only file without a header", args: args("train -data cr.csv -y y"), files: map[string]string{"cr.csv": "43,43\r1,2\r"}, want: `^edgefit train: cr\.csv:1: the first row is numbers: want a header row naming the columns$`},
}

// wide is a CSV of cols input columns and y, with one row.
func wide(cols int) string {
	var b strings.Builder
	for i := 0; i < cols; i++ {
		fmt.Fprintf(&b, "c%d,", i)
	}
	b.WriteString("y\n")
	b.WriteString(strings.Repeat("1,", cols) + "2\n")
	return b.String()
}

// stream is size bytes: prefix, then pattern repeated, generated as they
// are read rather than held.
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

// zeroDevice makes name a device that reads zeros without end: a node made
// by mknod as root, else a symbolic link to /dev/zero (read, never changed).
func zeroDevice(name string) setupFunc {
	return func(t *testing.T, dir string) {
		if os.Geteuid() == 0 {
			mknod(name, syscall.S_IFCHR, 1, 5)(t, dir)
			return
		}
		symlink("/dev/zero", name)(t, dir)
	}
}

// prefixed writes prefix, then pattern n times, to name.
func prefixed(name, prefix, pattern string, n int) setupFunc {
	return func(t *testing.T, dir string) {
		writeFile(t, filepath.Join(dir, name), []byte(prefix+strings.Repeat(pattern, n)))
	}
}

// A pipe's rows held in memory stay within -mem-mb, counting the storage
// outgrown while reading it (rows appended to a slice, the outgrown storage
// left to the collector, passed the ceiling). The rows nearly fill the
// budget: the ceiling is -mem-mb and a little for the runtime and buffers.
func TestPipeRowsWithinBudget(t *testing.T) {
	const rows = 2200000
	c := hostileCase{args: args("train -quiet -json -epochs 1 -data /dev/stdin -y y -mem-mb 48"), stdinGen: stream("a,y\n", "1,2\n3,4\n", 4+4*rows), memMB: 56}
	r := runHostile(t, c, nil)
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf(`"rows":%d,`, rows)) || !strings.Contains(r.stdout, `"streamed":false`) {
		t.Errorf("status %d, stdout %.300q, stderr %.300q: want every row, in memory", r.code, r.stdout, r.stderr)
	}
}
