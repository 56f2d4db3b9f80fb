//go:build linux

package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
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
	// stdinGen, when set, streams stdin as it is read (inputs of hundreds
	// of megabytes are never written to disk nor held).
	stdinGen func() io.Reader
	// signal is sent to the command once sigAfter bytes of stdinGen have
	// gone into its stdin pipe: it is then reading the data, past the
	// point where it handles signals.
	signal   syscall.Signal
	sigAfter int64
	// feed makes FIFOs in the directory, each written once with its
	// contents when the command opens it.
	feed   map[string]string
	stdout string // "": captured; "full": a full device; "closed": a pipe nobody reads
	env    []string
	want   string // regexp for the stderr line
	// memMB > 0 is a ceiling on the run's peak resident memory, in MiB,
	// for inputs that could make memory grow without bound (see launcher_test.go).
	memMB   int
	root    bool // needs root (device nodes): skipped otherwise
	nobody  bool // run as an unprivileged user when the test runs as root (permissions bind)
	partial bool // stdout may hold output written before the error (predict streams)
	readme  bool // listed in README.md's "What edgefit refuses"
}

const initJSON = `{"weight": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], "bias": [1, 2]}`

// hostileCases is every case, in the order of README's table.
var hostileCases = slices.Concat(commandCases, readCases, modelCases, signalCases, statsCases, refineCases, serveCases)

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
	cmd := exec.Command(name, argv...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Stdin = strings.NewReader(c.stdin)
	if c.stdinGen != nil && c.signal == 0 {
		cmd.Stdin = c.stdinGen()
	}
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
	var stdinW *os.File
	if c.signal != 0 {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdin, stdinW = r, w
	}
	// Stdin is copied into a pipe: if anything else holds the pipe open
	// once the command is gone, stop copying rather than wait for it.
	cmd.WaitDelay = 10 * time.Second
	var peak func() (int64, int64)
	if c.memMB > 0 {
		peak = launched(t, cmd)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if stdinW != nil {
		cmd.Stdin.(*os.File).Close() // the command's copy stays open
	}
	if closeAfterStart != nil {
		closeAfterStart.Close()
	}
	if stdinW != nil {
		go signalAfter(cmd.Process, stdinW, c)
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
	if c.memMB > 0 {
		p, masked := peak()
		checkPeak(t, c, p, masked)
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
	if strings.Contains(line, "regress: ") || strings.Contains(line, "linalg: ") {
		t.Errorf("%s: stderr %q: a library's package prefix in the command's line", cmdline, line)
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

// signalAfter writes the case's stdin into w, sending the case's signal to
// p once sigAfter bytes are in: a pipe takes at most 64 KiB unread, so the
// command has read the rest, which it does after setting up its signal
// handling. It writes the remainder after, then closes w.
func signalAfter(p *os.Process, w *os.File, c hostileCase) {
	defer w.Close()
	src := c.stdinGen()
	if _, err := io.CopyN(w, src, c.sigAfter); err != nil {
		return
	}
	p.Signal(c.signal)
	io.Copy(w, src) // EPIPE once the command is gone
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
	if c.stdin != "" || c.stdinGen != nil {
		cmd += " < in.csv"
	}
	switch c.signal {
	case syscall.SIGINT:
		cmd += ", then ^C"
	case syscall.SIGTERM:
		cmd += ", then kill -TERM"
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
	other, arch := "avx2", "amd64"
	if runtime.GOARCH == "amd64" {
		other, arch = "neon", "arm64 and arm"
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
