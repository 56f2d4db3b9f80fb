package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// README.md shows the command's outputs; TestREADMEOutputs runs every
// command it shows and compares. The conventions, in README.md's source:
//
//   - A ```sh block with a line that calls the command (`edgefit …` or
//     `go run ./cmd/edgefit …`) is run, in the README's order, by `sh -e` in
//     one directory set up like a new checkout (the repository's files its
//     commands name, such as fixtures/crops.csv, copied in), with the built
//     command on PATH as `edgefit`; `go run ./cmd/edgefit` is read as
//     `edgefit`. It must succeed; it may call no other `go` command.
//   - A ``` block right after it is its stdout, compared whole. Every other
//     ``` block must be an excerpt (below) or follow a block not run.
//   - `<!-- excerpt of: COMMAND -->` on the line before a ``` block: COMMAND
//     runs there, and the block's lines must be consecutive lines of its
//     stdout.
//   - `<!-- not run: WHY -->` on the line before a ```sh block: the block is
//     not run (servers, benchmarks, big files, other programs); the test
//     logs how many blocks it ran and skipped, and fails below readmeFloor.
//
// Only these tokens may differ, masked on both sides (maskVarying):
// throughput (`17.73M rows/s`, `"rows_per_sec":…`) and the kernel set
// the CPU gets (`(kernels: avx2)`). Every other character must match.
//
// The commands run with EDGEFIT_KERNELS=generic, whose results are the same
// on every amd64 CPU; the outputs are those of GOARCH=amd64 (GOAMD64 v1 or
// v2), where they must match exactly. Elsewhere (arm64 and arm under qemu,
// GOAMD64=v3) Go fuses multiply-adds and the last digits move, so the
// numbers are held to a relative 1e-4 instead and the text around them
// exactly.
//
// EDGEFIT_README_OUTPUTS=FILE writes README.md with every output block
// regenerated (on amd64 only), to copy over README.md after a change.
func TestREADMEOutputs(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(doc), "\n")
	blocks := mdBlocks(lines)
	dir := t.TempDir()
	sh := readmeShell(t, dir)
	exact := exactPlatform()
	var edits []readmeEdit
	ran, compared, skipped := 0, 0, 0
	for i, b := range blocks {
		switch {
		case b.lang == "sh" && callsEdgefit(b.body):
			if strings.HasPrefix(b.marker, "<!-- not run:") {
				skipped++
				continue
			}
			copyNamedFiles(t, dir, b.body)
			out := sh(b.line, strings.Join(b.body, "\n"))
			ran++
			if i+1 < len(blocks) && blocks[i+1].lang == "" && blocks[i+1].line == b.end+1 {
				o := blocks[i+1]
				compared++
				if !outputsMatch(o.body, outLines(out), exact) {
					t.Errorf("README.md:%d: the output shown\n%s\nwant (from the commands as they run):\n%s",
						o.line, strings.Join(o.body, "\n"), out)
				}
				edits = append(edits, readmeEdit{o, outLines(out)})
			}
		case b.lang == "sh" && strings.HasPrefix(b.marker, "<!-- not run:"):
			t.Errorf("README.md:%d: marked not run but calls no edgefit", b.line)
		case b.lang == "" && strings.HasPrefix(b.marker, "<!-- excerpt of:"):
			cmd := strings.TrimSuffix(strings.TrimPrefix(b.marker, "<!-- excerpt of:"), "-->")
			out := outLines(sh(b.line-1, goRunEdgefit.ReplaceAllString(cmd, "${1}edgefit")))
			ran++
			compared++
			at := excerptAt(b.body, out, exact, false)
			if at < 0 {
				t.Errorf("README.md:%d: the excerpt shown\n%s\nis not in the output of %s:\n%s",
					b.line, strings.Join(b.body, "\n"), cmd, strings.Join(out, "\n"))
			}
			if at = excerptAt(b.body, out, exact, true); at >= 0 {
				edits = append(edits, readmeEdit{b, out[at : at+len(b.body)]})
			}
		case b.lang == "" && (i == 0 || blocks[i-1].lang != "sh" || blocks[i-1].end+1 != b.line):
			t.Errorf("README.md:%d: an output block after no command block and with no <!-- excerpt of: COMMAND -->", b.line)
		}
	}
	t.Logf("README.md: ran %d blocks of edgefit commands (%d outputs compared), skipped %d marked not run", ran, compared, skipped)
	if ran < readmeFloor {
		t.Errorf("ran %d of README.md's command blocks, want at least %d", ran, readmeFloor)
	}
	if path := os.Getenv("EDGEFIT_README_OUTPUTS"); path != "" {
		if !exact {
			t.Fatalf("EDGEFIT_README_OUTPUTS: the README's outputs are amd64's (GOAMD64 v1 or v2)")
		}
		writeFile(t, path, []byte(strings.Join(applyEdits(lines, edits), "\n")))
	}
}

// readmeFloor is the number of command blocks README.md runs now: fewer
// means some were lost or marked not run.
const readmeFloor = 9

// mdBlock is a fenced block of README.md: its language, its lines, the
// line numbers (1-based) of its opening and closing fences, and the line
// before the opening fence when it is an HTML comment.
type mdBlock struct {
	lang      string
	body      []string
	line, end int
	marker    string
}

func mdBlocks(lines []string) []mdBlock {
	var bs []mdBlock
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		b := mdBlock{lang: strings.TrimPrefix(lines[i], "```"), line: i + 1}
		if i > 0 && strings.HasPrefix(lines[i-1], "<!--") {
			b.marker = strings.TrimSpace(lines[i-1])
		}
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			b.body = append(b.body, lines[i])
		}
		b.end = i + 1
		bs = append(bs, b)
	}
	return bs
}

// A line that calls the command: after any VAR=value, `edgefit` or
// `go run [flags] ./cmd/edgefit`.
var (
	callsLine    = regexp.MustCompile(`^\s*([A-Z_][A-Z0-9_]*=\S*\s+)*(edgefit|go run (\S+ )*\./cmd/edgefit)(\s|$)`)
	goRunEdgefit = regexp.MustCompile(`(^|\s)go run \./cmd/edgefit\b`)
	goLine       = regexp.MustCompile(`^\s*([A-Z_][A-Z0-9_]*=\S*\s+)*go\s`)
)

func callsEdgefit(body []string) bool {
	for _, l := range body {
		if callsLine.MatchString(l) {
			return true
		}
	}
	return false
}

// readmeShell returns a function that runs a script of README.md (at line
// n) in dir with the built command on PATH, and returns its stdout.
func readmeShell(t *testing.T, dir string) func(n int, script string) string {
	runCmd(t, "", "info") // finds the emulator when the tests run under one
	bindir := t.TempDir()
	launch := fmt.Sprintf("#!/bin/sh\nexec %q \"$@\"\n", bin)
	if qemu != "" {
		launch = fmt.Sprintf("#!/bin/sh\nexec %q %q \"$@\"\n", qemu, bin)
	}
	if err := os.WriteFile(filepath.Join(bindir, "edgefit"), []byte(launch), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+bindir+string(os.PathListSeparator)+os.Getenv("PATH"), "EDGEFIT_KERNELS=generic")
	return func(n int, script string) string {
		t.Helper()
		for _, l := range strings.Split(script, "\n") {
			if goLine.MatchString(l) && !goRunEdgefit.MatchString(l) {
				t.Fatalf("README.md:%d: %q runs go: mark the block <!-- not run: why -->", n, strings.TrimSpace(l))
			}
		}
		cmd := exec.Command("sh", "-e", "-c", goRunEdgefit.ReplaceAllString(script, "${1}edgefit"))
		cmd.Dir, cmd.Env = dir, env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("README.md:%d: %v\n%s\nstderr:\n%s", n, err, script, errb.String())
		}
		return out.String()
	}
}

// copyNamedFiles copies into dir the repository's files that the script
// names by a path with a directory (fixtures/crops.csv), as a checkout has
// them.
func copyNamedFiles(t *testing.T, dir string, body []string) {
	for _, l := range body {
		for _, tok := range strings.FieldsFunc(l, func(r rune) bool { return strings.ContainsRune(" \t<>,=\"'", r) }) {
			if !strings.Contains(tok, "/") || filepath.IsAbs(tok) || strings.Contains(tok, "..") {
				continue
			}
			b, err := os.ReadFile(filepath.Join("../..", tok))
			if err != nil {
				continue
			}
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(tok)), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, tok), b)
		}
	}
}

// exactPlatform reports whether the README's outputs must match exactly:
// amd64 without fused multiply-adds in Go code.
func exactPlatform() bool {
	if runtime.GOARCH != "amd64" {
		return false
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "GOAMD64" {
			return s.Value == "v1" || s.Value == "v2"
		}
	}
	return false
}

func outLines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// maskVarying masks what legitimately varies from run to run and machine
// to machine.
var maskVarying = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b[0-9]+(\.[0-9]+)?[kMG]? rows/s\b`), "… rows/s"},
	{regexp.MustCompile(`"rows_per_sec":[-+.0-9eE]+`), `"rows_per_sec":…`},
	{regexp.MustCompile(`\(kernels: [a-z0-9]+\)`), "(kernels: …)"},
}

var numberRE = regexp.MustCompile(`[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?`)

// lineMatches compares a line shown with a line printed: exactly, or with
// numbers within a relative 1e-4, or (anyNumber) by the words around the
// numbers alone.
func lineMatches(want, got string, exact, anyNumber bool) bool {
	for _, m := range maskVarying {
		want, got = m.re.ReplaceAllString(want, m.with), m.re.ReplaceAllString(got, m.with)
	}
	if exact && !anyNumber {
		return want == got
	}
	text := func(s string) string { return strings.Join(strings.Fields(numberRE.ReplaceAllString(s, "#")), " ") }
	if text(want) != text(got) { // columns padded to a number's width move
		return false
	}
	wn, gn := numberRE.FindAllString(want, -1), numberRE.FindAllString(got, -1)
	for i := range wn {
		a, _ := strconv.ParseFloat(wn[i], 64)
		b, _ := strconv.ParseFloat(gn[i], 64)
		if !anyNumber && math.Abs(a-b) > 1e-4*math.Max(math.Abs(a), math.Abs(b)) {
			return false
		}
	}
	return true
}

func outputsMatch(want, got []string, exact bool) bool {
	return len(want) == len(got) && excerptAt(want, got, exact, false) == 0
}

// excerptAt returns where want's lines start in got, or -1.
func excerptAt(want, got []string, exact, anyNumber bool) int {
	for at := 0; at+len(want) <= len(got); at++ {
		i := 0
		for i < len(want) && lineMatches(want[i], got[at+i], exact, anyNumber) {
			i++
		}
		if i == len(want) {
			return at
		}
	}
	return -1
}

// readmeEdit replaces the body of a block with lines printed.
type readmeEdit struct {
	b    mdBlock
	with []string
}

// A line that matches is kept as shown (its throughput, say).
func applyEdits(lines []string, edits []readmeEdit) []string {
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		lo, hi := e.b.line, e.b.end-1 // the body: lines[lo:hi]
		for j := range e.with {
			if j < len(e.b.body) && lineMatches(e.b.body[j], e.with[j], true, false) {
				e.with[j] = e.b.body[j]
			}
		}
		lines = append(lines[:lo], append(append([]string(nil), e.with...), lines[hi:]...)...)
	}
	return lines
}

// README.md's Go blocks are copies of examples that go test compiles and
// runs: each has `<!-- copy of: FILE FUNC -->` on the line before, and its
// lines are lines of FUNC's body in FILE, in order and consecutive, except
// where a line `...` stands for lines left out; spaces count only between
// words (comments are aligned differently). `<!-- not compiled: WHY -->`
// exempts a block.
func TestREADMEGoSnippets(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	copies, exempt := 0, 0
	for _, b := range mdBlocks(strings.Split(string(doc), "\n")) {
		if b.lang != "go" {
			continue
		}
		switch {
		case strings.HasPrefix(b.marker, "<!-- not compiled:"):
			exempt++
		case strings.HasPrefix(b.marker, "<!-- copy of:"):
			f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(b.marker, "<!-- copy of:"), "-->"))
			if len(f) != 2 {
				t.Errorf("README.md:%d: want <!-- copy of: FILE FUNC -->, have %s", b.line-1, b.marker)
				continue
			}
			body, err := funcBody(filepath.Join("../..", f[0]), f[1])
			if err != nil {
				t.Errorf("README.md:%d: %v", b.line-1, err)
				continue
			}
			if l, ok := copyOf(b.body, body); !ok {
				t.Errorf("README.md:%d: line %q is not where it should be in %s of %s:\n%s",
					b.line+1+l, b.body[l], f[1], f[0], strings.Join(body, "\n"))
			}
			copies++
		default:
			t.Errorf("README.md:%d: a Go block with neither <!-- copy of: FILE FUNC --> nor <!-- not compiled: why --> before it", b.line)
		}
	}
	t.Logf("README.md: %d Go blocks are copies of examples, %d marked not compiled", copies, exempt)
	if copies < readmeGoFloor {
		t.Errorf("%d of README.md's Go blocks are copies of examples, want at least %d", copies, readmeGoFloor)
	}
}

const readmeGoFloor = 4

// funcBody returns the lines of the body of func name in file.
func funcBody(file, name string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "func "+name+"(") {
			continue
		}
		for j := i + 1; j < len(lines); j++ {
			if lines[j] == "}" {
				return lines[i+1 : j], nil
			}
		}
	}
	return nil, fmt.Errorf("no func %s in %s", name, file)
}

// copyOf reports whether snippet's lines are body's as the convention above
// says, or else the index of the first snippet line out of place.
func copyOf(snippet, body []string) (int, bool) {
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	pos := 0 // the next run of lines starts here or later
	for i := 0; i < len(snippet); {
		n := i
		for n < len(snippet) && norm(snippet[n]) != "..." {
			n++
		}
		if run := snippet[i:n]; len(run) > 0 {
			at := -1
			for j := pos; j+len(run) <= len(body) && at < 0; j++ {
				k := 0
				for k < len(run) && norm(run[k]) == norm(body[j+k]) {
					k++
				}
				if k == len(run) {
					at = j
				}
			}
			if at < 0 {
				return i, false
			}
			pos = at + len(run)
		}
		i = n + 1
	}
	return 0, true
}

// The main job ends with the command to try next: one a newcomer can run
// from the checkout with Go alone (no edgefit on PATH yet), which works, and
// which README.md quotes.
func TestMainJobNextHint(t *testing.T) {
	out := outLines(ok(t, runCmd(t, "")).stdout)
	last := out[len(out)-1]
	const prefix = "next: go run ./cmd/edgefit "
	if !strings.HasPrefix(last, prefix) {
		t.Fatalf("the main job's last line %q does not start with %q", last, prefix)
	}
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if cmd := strings.TrimPrefix(last, "next: "); !strings.Contains(string(doc), "`"+cmd+"`") {
		t.Errorf("README.md does not quote the main job's next command `%s`", cmd)
	}
	dir := t.TempDir()
	copyNamedFiles(t, dir, []string{last})
	args := strings.Fields(strings.TrimPrefix(last, prefix))
	for i, a := range args {
		if i > 0 && (args[i-1] == "-data" || args[i-1] == "-o") {
			args[i] = filepath.Join(dir, a)
		}
	}
	ok(t, runCmd(t, "", args...))
	if _, err := os.Stat(filepath.Join(dir, "crops.safetensors")); err != nil {
		t.Errorf("%s: %v", last, err)
	}
}
