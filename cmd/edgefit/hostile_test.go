//go:build linux

package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgefit/edgefit"
)

// hostileCase is one misuse of the command, run end to end. Every case
// must end with exit status 2 and one line on stderr of at most 300
// characters matching want; the case's directory (its input files, links,
// devices) must be exactly as before (no output or temporary file, no input
// changed), and stdout empty unless partial.
//
// The command runs in a fresh directory holding d.csv (the crop data:
// temp,rainfall,humidity,apples,oranges, 15 rows) and m.st (a model trained
// on it, apples,oranges from the three others), plus files; arguments name
// files relative to it.
type hostileCase struct {
	name  string
	args  []string
	files map[string]string              // more files: name → contents
	setup func(t *testing.T, dir string) // links, devices, FIFOs, permissions
	stdin string
	// feed makes FIFOs in the directory, each written once with its
	// contents when the command opens it.
	feed   map[string]string
	stdout string // "": captured; "full": a full device; "closed": a pipe nobody reads
	env    []string
	want   string // regexp for the stderr line
	// memMB > 0 bounds the run's data segment (RLIMIT_DATA, which counts
	// the Go heap; the runtime itself needs about 40 MiB) for inputs that
	// could make memory grow without bound.
	memMB   int
	root    bool // needs root (device nodes): skipped otherwise
	nobody  bool // run as an unprivileged user when the test runs as root (permissions bind)
	partial bool // stdout may hold output written before the error (predict streams)
	readme  bool // listed in README.md's "What edgefit refuses"
}

var hostileCases = []hostileCase{
	// Outputs that are inputs (issue 10 item 1).
	{name: "-o is the training data", args: args("train -data d.csv -y apples -o d.csv"), want: `^edgefit train: -o d\.csv is the same file as -data d\.csv: refusing`, readme: true},
	{name: "-o is the training data, streamed", args: args("train -data d.csv -y apples -mem-mb 0 -o d.csv"), want: `same file as -data d\.csv`},
	{name: "-o is the data under another spelling", args: args("train -data d.csv -y apples -o ./sub/../d.csv"), setup: mkdir("sub"), want: `-o \./sub/\.\./d\.csv is the same file as -data d\.csv`},
	{name: "-o is a hard link to the data", args: args("train -data d.csv -y apples -o h.csv"), setup: link("d.csv", "h.csv"), want: `-o h\.csv is the same file as -data d\.csv`, readme: true},
	{name: "-data is a symlink to -o", args: args("train -data s.csv -y apples -o d.csv"), setup: symlink("d.csv", "s.csv"), want: `-o d\.csv is the same file as -data s\.csv`},
	{name: "-o is a symlink to the data", args: args("train -data d.csv -y apples -o s.csv"), setup: symlink("d.csv", "s.csv"), want: `-o s\.csv is the same file as -data d\.csv`},
	{name: "-o is the -init file", args: args("train -data d.csv -y apples,oranges -init i.json -o i.json"), files: map[string]string{"i.json": initJSON}, want: `-o i\.json is the same file as -init i\.json`, readme: true},
	{name: "-o is a FIFO given as -data (refused before reading it)", args: args("train -data rows -y y -o rows"), feed: map[string]string{"rows": "x,y\n1,2\n"}, want: `^edgefit train: -o rows is the same file as -data rows: refusing`},
	{name: "-o is the data, which is large (refused before reading)", args: args("train -data big.csv -y y -o big.csv"), setup: bigFile("big.csv", 200000), want: `-o big\.csv is the same file as -data big\.csv`, memMB: 48},

	// Inputs that are not regular files: opening a FIFO blocks, a device
	// may never end.
	{name: "-model is a FIFO", args: args("predict -model fifo 1,2,3"), setup: mkfifo("fifo"), want: `^edgefit predict: fifo: not a regular file$`, readme: true},
	{name: "-model is a directory", args: args("eval -model sub -data d.csv"), setup: mkdir("sub"), want: `^edgefit eval: sub: not a regular file$`},
	{name: "-model is an endless device", args: args("predict -model zero 1,2,3"), setup: mknod("zero", syscall.S_IFCHR, 1, 5), root: true, memMB: 64, want: `^edgefit predict: zero: not a regular file$`},
	{name: "-init is a large file of one line", args: args("train -data d.csv -y apples -init long.json"), setup: repeated("long.json", "9", 8<<20), memMB: 48, want: `^edgefit train: -init long\.json: 8388608 bytes, more than 5 weights can take \(limit 1048896\)$`},
	{name: "-init is a number without end", args: args("train -data d.csv -y apples -init long.json"), setup: repeated("long.json", "9", 1<<19), memMB: 48, want: `^edgefit train: -init long\.json: want \{"weight"`},
	{name: "-init is a FIFO", args: args("train -data d.csv -y apples -init fifo -o m2.st"), setup: mkfifo("fifo"), want: `^edgefit train: -init fifo: not a regular file$`},
	{name: "-init is an endless device", args: args("train -data d.csv -y apples -init zero"), setup: mknod("zero", syscall.S_IFCHR, 1, 5), root: true, memMB: 64, want: `^edgefit train: -init zero: not a regular file$`},

	// Outputs that are not regular files (item 2).
	{name: "-o is a directory", args: args("train -data d.csv -y apples -o sub"), setup: mkdir("sub"), want: `^edgefit train: -o sub is a directory, not a regular file: refusing to replace it$`, readme: true},
	{name: "-o is a character device", args: args("train -data d.csv -y apples -o null"), setup: mknod("null", syscall.S_IFCHR, 1, 3), root: true, want: `^edgefit train: -o null is a character device, not a regular file`},
	{name: "-o is a block device", args: args("train -data d.csv -y apples -o loop"), setup: mknod("loop", syscall.S_IFBLK, 7, 0), root: true, want: `-o loop is a block device, not a regular file`},
	{name: "-o is a symlink to a device", args: args("train -data d.csv -y apples -o s"), setup: both(mknod("null", syscall.S_IFCHR, 1, 3), symlink("null", "s")), root: true, want: `-o s is a character device`},
	{name: "-o is a FIFO", args: args("train -data d.csv -y apples -o fifo"), setup: mkfifo("fifo"), want: `^edgefit train: -o fifo is a FIFO, not a regular file`, readme: true},
	{name: "-o is a symlink to a FIFO", args: args("train -data d.csv -y apples -o s"), setup: both(mkfifo("fifo"), symlink("fifo", "s")), want: `-o s is a FIFO`},
	{name: "-o is a socket", args: args("train -data d.csv -y apples -o sock"), setup: socket("sock"), want: `-o sock is a socket, not a regular file`},
	{name: "-o in a missing directory", args: args("train -data d.csv -y apples -o none/m.st"), want: `^edgefit train: -o none/m\.st: directory none does not exist$`, readme: true},
	{name: "-o under a regular file", args: args("train -data d.csv -y apples -o d.csv/m.st"), want: `-o d\.csv/m\.st: not a directory`},
	{name: "-o in a directory without write permission (as a user: root writes anywhere)", args: args("train -data d.csv -y apples -o ro/m.st"), setup: readOnlyDir("ro"), nobody: true, want: `^edgefit train: -o ro/m\.st: cannot write in directory ro: permission denied$`, readme: true},
	{name: "-o in an unwritable directory, streamed", args: args("train -data d.csv -y apples -mem-mb 0 -o ro/m.st"), setup: readOnlyDir("ro"), nobody: true, want: `cannot write in directory ro`},

	// Failures after training leave no model (item 3).
	{name: "stdout is full", args: args("train -data d.csv -y apples -o m2.st"), stdout: "full", want: `^edgefit train: writing the results: .*no space left on device \(no model written\)$`, readme: true},
	{name: "stdout is full, -json", args: args("train -data d.csv -y apples -json -o m2.st"), stdout: "full", want: `no space left on device \(no model written\)`},
	{name: "stdout is full, replacing a model", args: args("train -data d.csv -y apples -o m.st"), stdout: "full", want: `no model written`},
	{name: "stdout is a closed pipe (SIGPIPE)", args: args("train -data d.csv -y apples -o m2.st"), stdout: "closed", want: `^edgefit train: writing the results: .*broken pipe \(no model written\)$`},
	{name: "stdout is full, no -o", args: args("train -data d.csv -y apples"), stdout: "full", want: `no space left on device`},
	{name: "predict with stdout full", args: args("predict -model m.st 1,2,3"), stdout: "full", want: `^edgefit predict: .*no space left on device$`},
	{name: "eval with stdout full", args: args("eval -model m.st -data d.csv"), stdout: "full", want: `^edgefit eval: .*no space left on device$`},

	// Predictions beyond float32 (item 8).
	{name: "predict a row whose prediction overflows", args: args("predict -model m.st 1,3e38,3e38"), want: `^edgefit predict: row 1 "1,3e38,3e38": the prediction for "apples" is \+Inf, beyond float32's range`, readme: true},
	{name: "predict -json, prediction overflows", args: args("predict -json -model m.st 1,2,3 1,3e38,3e38"), want: `row 2 "1,3e38,3e38": the prediction for "apples" is \+Inf`, partial: true},
	{name: "predict a CSV whose row 3 overflows", args: args("predict -model m.st -data o.csv"), files: map[string]string{"o.csv": "temp,rainfall,humidity\n1,2,3\n1,-3e38,-3e38\n"}, want: `^edgefit predict: o\.csv:3: the prediction for "apples" is -Inf`, partial: true},
	{name: "predict from stdin, overflow", args: args("predict -model m.st"), stdin: "1,3e38,3e38\n", want: `^edgefit predict: stdin:1: the prediction for "apples" is \+Inf`},
	{name: "eval with a prediction beyond float32", args: args("eval -json -model m.st -data o.csv"), files: map[string]string{"o.csv": "temp,rainfall,humidity,apples,oranges\n1,2,3,4,5\n1,3e38,3e38,1,1\n"}, want: `^edgefit eval: o\.csv: data row 2: the prediction for "apples" is \+Inf`, readme: true},

	// Duplicate header columns in predict (item 11).
	{name: "predict with a duplicate header column", args: args("predict -model m.st -data dup.csv"), files: map[string]string{"dup.csv": "temp,rainfall,humidity,temp\n1,2,3,4\n"}, want: `^edgefit predict: dup\.csv:1: header names column "temp" twice \(columns 1 and 4\)$`, readme: true},
	{name: "predict, duplicate column from a FIFO", args: args("predict -model m.st -data rows"), feed: map[string]string{"rows": "humidity,rainfall,humidity\n1,2,3\n"}, want: `^edgefit predict: rows:1: header names column "humidity" twice \(columns 1 and 3\)$`},
	{name: "predict, duplicate column on stdin", args: args("predict -model m.st"), stdin: "temp,rainfall,rainfall,humidity\n1,2,3,4\n", want: `^edgefit predict: stdin:1: header names column "rainfall" twice \(columns 2 and 3\)$`},

	// Schedules that underflow and trailing text (items 15, 20).
	{name: "a schedule whose rate underflows", args: args("train -data d.csv -y apples -schedule step:1:0.1 -epochs 100"), want: `^edgefit train: -schedule step:1:0.1: the learning rate 0\.1 falls below float32's normal range \(1\.2e-38\) at epoch 38 of 100`, readme: true},
	{name: "a schedule underflowing at epoch 3", args: args("train -data d.csv -y apples -schedule step:1:1e-30 -epochs 5 -o m2.st"), want: `at epoch 3 of 5`},
	{name: "a schedule with trailing text", args: args("train -data d.csv -y apples -schedule step:30:0.1x"), want: `^edgefit train: -schedule "step:30:0\.1x": want step:EVERY:GAMMA`, readme: true},
	{name: "a schedule with an extra field", args: args("train -data d.csv -y apples -schedule step:30:0.1:2"), want: `-schedule "step:30:0\.1:2": want step:EVERY:GAMMA`},
	{name: "invscaling with trailing text", args: args("train -data d.csv -y apples -schedule invscaling:0.5e"), want: `-schedule "invscaling:0\.5e": want invscaling:POWER`},

	// Learning rates (item 19).
	{name: "-lr 0", args: args("train -data d.csv -y apples -lr 0"), want: `^edgefit train: -lr 0: want a positive number \(leave -lr out for the default\)$`, readme: true},
	{name: "-lr -1", args: args("train -data d.csv -y apples -lr -1"), want: `-lr -1: want a positive number`},
	{name: "-lr +Inf", args: args("train -data d.csv -y apples -lr +Inf -o m2.st"), want: `-lr \+Inf: want a positive number`},
	{name: "-lr beyond float32", args: args("train -data d.csv -y apples -lr 1e39"), want: `^edgefit train: -lr 1e\+39: beyond float32's range$`},
	{name: "-lr NaN", args: args("train -data d.csv -y apples -lr NaN"), want: `-lr NaN: want a positive number`},
	{name: "-lr that rounds to 0 in float32", args: args("train -data d.csv -y apples -lr 1e-50"), want: `^edgefit train: -lr 1e-50: below float32's smallest normal number`, readme: true},
	{name: "-lr subnormal in float32", args: args("train -data d.csv -y apples -optimizer adam -lr 1e-40"), want: `-lr 1e-40: below float32's smallest normal number`},

	// Flags: one line on stderr, nothing on stdout (item 18).
	{name: "an unknown flag", args: args("predict -model m.st -bogus 1,2,3"), want: `^edgefit predict: flag provided but not defined: -bogus \(edgefit predict -h lists the flags\)$`, readme: true},
	{name: "an unknown train flag", args: args("train -data d.csv -y apples -bogus -o m2.st"), want: `^edgefit train: flag provided but not defined: -bogus`},
	{name: "an unknown eval flag", args: args("eval -bogus"), want: `^edgefit eval: flag provided but not defined: -bogus`},
	{name: "an unknown info flag", args: args("info -v"), want: `^edgefit info: flag provided but not defined: -v`},
	{name: "a bad flag value", args: args("train -data d.csv -y apples -epochs many"), want: `^edgefit train: invalid value "many" for flag -epochs`},
	{name: "a flag without its value", args: args("train -data d.csv -y"), want: `^edgefit train: flag needs an argument: -y`},

	// -init (item 20).
	{name: "-init JSON with trailing text", args: args("train -data d.csv -y apples,oranges -init i.json"), files: map[string]string{"i.json": initJSON + " {}"}, want: `^edgefit train: -init i\.json: text after the JSON object, at byte \d+$`, readme: true},
	{name: "-init a model of other columns", args: args("train -data d.csv -y apples -init m.st"), want: `^edgefit train: -init m\.st: a model of 3 inputs and 2 outputs, the data has 4 and 1$`, readme: true},
	{name: "-init a model with the columns swapped", args: args("train -data d.csv -y oranges,apples -init m.st"), want: `-init m\.st: the model's output 1 is "apples", the data's is "oranges"`},
	{name: "-init a damaged model file", args: args("train -data d.csv -y apples,oranges -init bad.st"), files: map[string]string{"bad.st": "\x20\x00\x00\x00\x00\x00\x00\x00{\"weight\": 1}                   "}, want: `^edgefit train: -init bad\.st: a model file, but not a valid edgefit model file`},
}

const initJSON = `{"weight": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], "bias": [1, 2]}`

func args(s string) []string { return strings.Fields(s) }

func TestHostile(t *testing.T) {
	base := hostileBase(t)
	for _, c := range hostileCases {
		t.Run(c.name, func(t *testing.T) {
			if c.root && os.Geteuid() != 0 {
				t.Skip("needs root to make device nodes")
			}
			r := runHostile(t, c, base)
			checkHostile(t, c, r)
		})
	}
}

// hostileBase returns the files every case's directory starts with.
func hostileBase(t *testing.T) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(crops)
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(t.TempDir(), "m.st")
	ok(t, runCmd(t, "", "train", "-quiet", "-data", crops, "-y", "apples,oranges", "-o", model))
	m, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"d.csv": data, "m.st": m}
}

type hostileResult struct {
	code           int
	stdout, stderr string
	before, after  map[string]string // the directory, as snapshot describes it
}

func runHostile(t *testing.T, c hostileCase, base map[string][]byte) hostileResult {
	t.Helper()
	dir := t.TempDir()
	for name, b := range base {
		writeFile(t, filepath.Join(dir, name), b)
	}
	for name, s := range c.files {
		writeFile(t, filepath.Join(dir, name), []byte(s))
	}
	if c.setup != nil {
		c.setup(t, dir)
	}
	for name := range c.feed {
		mkfifo(name)(t, dir)
	}
	before := snapshot(t, dir)

	name, argv := bin, c.args
	if qemu != "" {
		name, argv = qemu, append([]string{bin}, argv...)
	}
	if c.memMB > 0 {
		mb := c.memMB
		if qemu != "" {
			mb += 1024 // the emulator's own translation buffers count too
		}
		argv = append([]string{"-c", fmt.Sprintf(`ulimit -d %d && exec "$@"`, mb<<10), "sh", name}, argv...)
		name = "/bin/sh"
	}
	cmd := exec.Command(name, argv...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Stdin = strings.NewReader(c.stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	var closeAfterStart *os.File
	switch c.stdout {
	case "full":
		f := fullDevice(t)
		defer f.Close()
		cmd.Stdout = f
	case "closed":
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		cmd.Stdout, closeAfterStart = w, w
	}
	if c.nobody && os.Geteuid() == 0 {
		asNobody(t, cmd, dir)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if closeAfterStart != nil {
		closeAfterStart.Close()
	}
	fed := feedFIFOs(dir, c.feed)
	// A watchdog, not a measurement: a command that hangs fails the case
	// instead of the whole run.
	watchdog := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	if !watchdog.Stop() {
		t.Errorf("edgefit %s: still running after 2 minutes: killed", strings.Join(c.args, " "))
	}
	fed()
	code := 0
	if ee, isExit := err.(*exec.ExitError); isExit {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return hostileResult{code: code, stdout: out.String(), stderr: errb.String(), before: before, after: snapshot(t, dir)}
}

func checkHostile(t *testing.T, c hostileCase, r hostileResult) {
	t.Helper()
	cmdline := "edgefit " + strings.Join(c.args, " ")
	line := strings.TrimSuffix(r.stderr, "\n")
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") || len(line) > 300 {
		t.Errorf("%s: exit status %d, stderr %q: want 2 and one line of at most 300 characters", cmdline, r.code, r.stderr)
	}
	if !regexp.MustCompile(c.want).MatchString(line) {
		t.Errorf("%s: stderr %q does not match %q", cmdline, line, c.want)
	}
	if r.stdout != "" && !c.partial {
		t.Errorf("%s: stdout %q, want nothing", cmdline, r.stdout)
	}
	for name, was := range r.before {
		if now, ok := r.after[name]; !ok {
			t.Errorf("%s: removed %s", cmdline, name)
		} else if now != was {
			t.Errorf("%s: changed %s (%s, now %s)", cmdline, name, was, now)
		}
	}
	for name, now := range r.after {
		if _, ok := r.before[name]; !ok {
			t.Errorf("%s: left %s (%s)", cmdline, name, now)
		}
	}
}

// feedFIFOs writes each FIFO's contents once a reader opens it, and returns
// a function that waits for the writers, releasing those whose FIFO was
// never opened.
func feedFIFOs(dir string, feed map[string]string) func() {
	done := make(chan string, len(feed))
	for name, contents := range feed {
		go func() {
			if f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY, 0); err == nil {
				f.WriteString(contents) // EPIPE when the reader is gone
				f.Close()
			}
			done <- name
		}()
	}
	return func() {
		for left := len(feed); left > 0; {
			select {
			case <-done:
				left--
			case <-time.After(10 * time.Millisecond):
				// A writer blocked in open: a reader that closes at
				// once lets it through (its write then fails).
				for name := range feed {
					if r, err := os.OpenFile(filepath.Join(dir, name), os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
						r.Close()
					}
				}
			}
		}
	}
}

// snapshot describes every entry under dir: its type, and for a regular
// file its SHA-256, for a link its target. FIFOs and devices are not opened.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		st, err := os.Lstat(path)
		if err != nil {
			return err
		}
		desc := st.Mode().String()
		switch {
		case st.Mode().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" sha256 %x", sha256.Sum256(b))
		case st.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			desc += " → " + target
		}
		m[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fullDevice opens a device on which every write fails with ENOSPC: a node
// made here as root, else the system's /dev/full (opened, never changed).
func fullDevice(t *testing.T) *os.File {
	t.Helper()
	path := "/dev/full"
	if os.Geteuid() == 0 {
		path = filepath.Join(t.TempDir(), "full")
		if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|7); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// asNobody runs cmd as user and group 65534, so that directory permissions
// bind as they do for a user (root writes anywhere): the binary, the case's
// directory and the directories above it made by the tests become
// traversable.
func asNobody(t *testing.T, cmd *exec.Cmd, dir string) {
	t.Helper()
	for _, d := range []string{filepath.Dir(bin), dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
}

// Setups.

type setupFunc = func(t *testing.T, dir string)

func both(a, b setupFunc) setupFunc {
	return func(t *testing.T, dir string) { a(t, dir); b(t, dir) }
}

func mkdir(name string) setupFunc {
	return func(t *testing.T, dir string) {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func readOnlyDir(name string) setupFunc {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(p, 0o755) })
	}
}

func link(old, new string) setupFunc {
	return func(t *testing.T, dir string) {
		if err := os.Link(filepath.Join(dir, old), filepath.Join(dir, new)); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(target, name string) setupFunc {
	return func(t *testing.T, dir string) {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func mknod(name string, kind uint32, major, minor int) setupFunc {
	return func(t *testing.T, dir string) {
		if err := syscall.Mknod(filepath.Join(dir, name), kind|0o666, major<<8|minor); err != nil {
			t.Fatal(err)
		}
	}
}

func mkfifo(name string) setupFunc {
	return func(t *testing.T, dir string) {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// socket makes a listening Unix socket, open until the case ends.
func socket(name string) setupFunc {
	return func(t *testing.T, dir string) {
		l, err := net.Listen("unix", filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		t.Cleanup(func() { l.Close() })
	}
}

// repeated writes pattern n times to name: long lines, CR-only files and
// other large inputs made at run time rather than kept in files.
func repeated(name, pattern string, n int) setupFunc {
	return func(t *testing.T, dir string) {
		writeFile(t, filepath.Join(dir, name), bytes.Repeat([]byte(pattern), n))
	}
}

// bigFile writes a CSV of rows rows of x,y.
func bigFile(name string, rows int) setupFunc {
	return func(t *testing.T, dir string) {
		var b bytes.Buffer
		b.WriteString("x,y\n")
		for i := 0; i < rows; i++ {
			fmt.Fprintf(&b, "%d,%d\n", i%1000, i%7)
		}
		writeFile(t, filepath.Join(dir, name), b.Bytes())
	}
}

// README.md's "What edgefit refuses" is the table of the cases marked
// readme, row for row: what, the command, and the line on stderr it prints.
func TestRefusalsInREADME(t *testing.T) {
	base := hostileBase(t)
	var want []string
	for _, c := range hostileCases {
		if !c.readme {
			continue
		}
		if c.root && os.Geteuid() != 0 {
			t.Fatalf("case %q is in the README but needs root", c.name)
		}
		r := runHostile(t, c, base)
		checkHostile(t, c, r)
		want = append(want, readmeRow(c, strings.TrimSuffix(r.stderr, "\n")))
	}
	// EDGEFIT_README_ROWS=FILE writes the rows as they should be, to paste
	// into the README after adding or changing a case.
	if path := os.Getenv("EDGEFIT_README_ROWS"); path != "" {
		writeFile(t, path, []byte(strings.Join(want, "\n")+"\n"))
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	got := readmeTable(string(b), "## What edgefit refuses")
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("README lacks row %d:\n%s", i+1, want[i])
		case i >= len(want):
			t.Errorf("README row %d is no case of hostileCases (mark one readme):\n%s", i+1, got[i])
		case got[i] != want[i]:
			t.Errorf("README row %d:\n%s\nwant (from the command as it runs):\n%s", i+1, got[i], want[i])
		}
	}
}

func readmeRow(c hostileCase, stderr string) string {
	cmd := "edgefit " + strings.Join(c.args, " ")
	switch c.stdout {
	case "full":
		cmd += " > /dev/full"
	case "closed":
		cmd += " | true"
	}
	if c.stdin != "" {
		cmd += " < in.csv"
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	return fmt.Sprintf("| %s | `%s` | `%s` |", esc(c.name), esc(cmd), esc(stderr))
}

// readmeTable returns the rows (after the header and separator) of the
// first table in the section that starts with heading.
func readmeTable(doc, heading string) []string {
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		return nil
	}
	var rows []string
	in := false
	for _, line := range strings.Split(doc[i+1:], "\n")[1:] {
		if strings.HasPrefix(line, "## ") {
			break
		}
		if strings.HasPrefix(line, "|") {
			in = true
			rows = append(rows, line)
		} else if in {
			break
		}
	}
	if len(rows) < 2 {
		return nil
	}
	return rows[2:]
}

// A bad flag is one line on stderr (checked above); -h prints the flags
// once, on stdout, and exits 0.
func TestHelpFlag(t *testing.T) {
	for _, c := range []string{"train", "predict", "eval", "bench", "info"} {
		r := ok(t, runCmd(t, "", c, "-h"))
		if n := strings.Count(r.stdout, "usage: edgefit "+c); n != 1 || r.stderr != "" {
			t.Errorf("edgefit %s -h: usage printed %d times, stderr %q; want once, nothing on stderr", c, n, r.stderr)
		}
	}
}

// EDGEFIT_KERNELS naming another architecture's kernels says so.
func TestKernelsOtherArch(t *testing.T) {
	other, arch := "neon", "arm64"
	if runtime.GOARCH == "arm64" {
		other, arch = "avx2", "amd64"
	}
	t.Setenv(edgefit.EnvKernels, other)
	r := ok(t, runCmd(t, "", "info"))
	want := fmt.Sprintf("the %s kernels exist for %s only, not on %s", other, arch, runtime.GOARCH)
	if !strings.Contains(r.stdout, want) {
		t.Errorf("EDGEFIT_KERNELS=%s edgefit info:\n%s\nwant it to say %q", other, r.stdout, want)
	}
}

// -init takes a model file of the same columns: one tiny step from its
// weights leaves them where they were.
func TestInitFromModel(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.st")
	first := trainJ(t, "-data", crops, "-y", "apples,oranges", "-o", model)
	next := trainJ(t, "-data", crops, "-y", "apples,oranges", "-init", model, "-epochs", "1", "-lr", "1e-9")
	for j := range first.Weight {
		for p := range first.Weight[j] {
			if d := next.Weight[j][p] - first.Weight[j][p]; d > 1e-4 || d < -1e-4 {
				t.Errorf("weight[%d][%d]: %v from -init, the model holds %v", j, p, next.Weight[j][p], first.Weight[j][p])
			}
		}
	}
}
