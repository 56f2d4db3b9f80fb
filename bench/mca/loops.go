package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// inst is one disassembled instruction: its address and its text (GNU
// syntax, comment dropped).
type inst struct {
	addr uint64
	text string
}

var (
	funcHead = regexp.MustCompile(`^([0-9a-f]+) <(.+)>:$`)
	instLine = regexp.MustCompile(`^\s*([0-9a-f]+):\s+(.*)$`)
	branch   = regexp.MustCompile(`^\s*(j[a-z]+)\s+(0x[0-9a-f]+)\s+<`)
	fmaInst  = regexp.MustCompile(`^\s*vfn?m(add|sub)\d{3}ps\s`)
	vecReg   = regexp.MustCompile(`%([xyz])mm\d+\s*$`)
	opmask   = regexp.MustCompile(`\s*\{(%k\d|z)\}`)
)

// functions disassembles binary with objdump and returns the instructions of
// every function whose symbol matches sym, by symbol.
func functions(objdump, binary string, sym *regexp.Regexp) (map[string][]inst, error) {
	out, err := exec.Command(objdump, "-d", "--no-show-raw-insn", binary).Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", objdump, err)
	}
	funcs := map[string][]inst{}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := funcHead.FindStringSubmatch(line); m != nil {
			cur = ""
			if sym.MatchString(m[2]) {
				cur = m[2]
			}
			continue
		}
		if cur == "" {
			continue
		}
		if m := instLine.FindStringSubmatch(line); m != nil {
			a, _ := strconv.ParseUint(m[1], 16, 64)
			text, _, _ := strings.Cut(m[2], "#")
			funcs[cur] = append(funcs[cur], inst{a, strings.TrimSpace(text)})
		}
	}
	return funcs, sc.Err()
}

// span is a loop: the indices of its first instruction (a backward branch's
// target) and of that branch.
type span struct{ from, to int }

// innermost returns the loops of insts that contain no other loop.
func innermost(insts []inst) []span {
	at := map[uint64]int{}
	for i, in := range insts {
		at[in.addr] = i
	}
	var all []span
	for i, in := range insts {
		m := branch.FindStringSubmatch(in.text)
		if m == nil {
			continue
		}
		t, _ := strconv.ParseUint(m[2][2:], 16, 64)
		if j, ok := at[t]; ok && t <= in.addr {
			all = append(all, span{j, i})
		}
	}
	var inner []span
	for _, r := range all {
		nested := false
		for _, o := range all {
			if o != r && r.from <= o.from && o.to <= r.to {
				nested = true
			}
		}
		if !nested {
			inner = append(inner, r)
		}
	}
	return inner
}

// work is what one iteration of a loop does: floating-point operations of
// its FMAs (2 per lane) and bytes it loads.
type work struct {
	flop, loadBytes int
	streams         bool // non-temporal stores: the loop for long vectors only
}

// measure counts the work of insts.
func measure(insts []inst) work {
	var w work
	for _, in := range insts {
		op, args := in.text, ""
		if i := strings.IndexAny(in.text, " \t"); i >= 0 {
			op, args = in.text[:i], strings.TrimSpace(in.text[i:])
		}
		args = opmask.ReplaceAllString(args, "")
		width := 0
		if m := vecReg.FindStringSubmatch(args); m != nil {
			width = map[string]int{"x": 16, "y": 32, "z": 64}[m[1]]
		}
		if fmaInst.MatchString(in.text) {
			w.flop += 2 * width / 4
		}
		if strings.HasPrefix(op, "vmovnt") {
			w.streams = true
		}
		// A vector load: a memory operand that is not the destination.
		if strings.HasPrefix(op, "v") && strings.Contains(args, "(") && width > 0 && !strings.HasPrefix(op, "vmovnt") {
			switch {
			case strings.HasPrefix(op, "vbroadcastss") || strings.Contains(args, "{1to"):
				w.loadBytes += 4
			default:
				w.loadBytes += width
			}
		}
	}
	return w
}

// mainLoop picks a function's loop that its benchmarks spend their time in:
// the one with the most FMA flops, then the longest, among those without
// non-temporal stores (those run only on vectors longer than any cache).
func mainLoop(insts []inst) (span, bool) {
	best, found := span{}, false
	var bw work
	for _, r := range innermost(insts) {
		w := measure(insts[r.from : r.to+1])
		if w.streams {
			continue
		}
		if !found || w.flop > bw.flop || (w.flop == bw.flop && r.to-r.from > best.to-best.from) {
			best, bw, found = r, w, true
		}
	}
	return best, found
}

// source writes a loop as llvm-mca input: branches go to the loop's label
// (llvm-mca does not follow them; it repeats the block).
func source(insts []inst) string {
	var b strings.Builder
	b.WriteString(".Lloop:\n")
	for _, in := range insts {
		t := in.text
		if m := branch.FindStringSubmatch(t); m != nil {
			t = m[1] + " .Lloop"
		}
		b.WriteString("\t" + t + "\n")
	}
	return b.String()
}

// cycles runs llvm-mca on src for cpu and returns the cycles per iteration.
func cycles(mca, cpu, src string) (float64, error) {
	f, err := os.CreateTemp("", "mca-*.s")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(src); err != nil {
		return 0, err
	}
	f.Close()
	const iters = 200
	out, err := exec.Command(mca, "-mtriple=x86_64", "-mcpu="+cpu, "-iterations="+strconv.Itoa(iters), f.Name()).CombinedOutput()
	if err != nil {
		first, _, _ := strings.Cut(string(out), "\n")
		return 0, fmt.Errorf("llvm-mca -mcpu=%s: %s", cpu, first)
	}
	m := regexp.MustCompile(`Total Cycles:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("llvm-mca -mcpu=%s: no cycle count", cpu)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return float64(n) / iters, nil
}

// llvmTool finds name (llvm-mca, llvm-objdump) in the newest
// /usr/lib/llvm-*/bin, else on PATH.
func llvmTool(name string) (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/llvm-*/bin")
	best, bestV := "", -1
	for _, d := range dirs {
		v, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(filepath.Dir(d)), "llvm-"))
		p := filepath.Join(d, name)
		if _, serr := os.Stat(p); err == nil && serr == nil && v > bestV {
			best, bestV = p, v
		}
	}
	if best != "" {
		return best, nil
	}
	return exec.LookPath(name)
}
