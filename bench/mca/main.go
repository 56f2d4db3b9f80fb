// Command mca estimates the throughput of edgefit's amd64 kernels on CPUs
// that are not at hand, from LLVM's scheduling models (llvm-mca): it builds
// the root package's test binary, disassembles the avx2 and avx512 kernels,
// takes each one's main innermost loop (see mainLoop) and prints its cycles
// per iteration under each -mcpu model, the flops (FMAs only) and bytes
// loaded per cycle, and the avx512/avx2 ratios against each set's own
// PeakFMA and PeakLoad loops under the same model.
//
//	cd bench && go run ./mca -cpus znver5,znver4,skylake-avx512
//
// These are static estimates: llvm-mca models the core's ports and
// latencies, not caches or memory, and a model is only as right as LLVM's
// tables for that CPU (bench/results/NOTES.md says which ones are known to
// differ from the hardware).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func main() {
	cpus := flag.String("cpus", "znver5,znver4,skylake-avx512,icelake-server,sapphirerapids", "llvm-mca -mcpu models, comma-separated")
	bin := flag.String("bin", "", "an amd64 test binary of the root package (default: build one)")
	flag.Parse()
	if err := run(os.Stdout, strings.Split(*cpus, ","), *bin); err != nil {
		fmt.Fprintln(os.Stderr, "mca:", err)
		os.Exit(1)
	}
}

// loopInfo is one kernel's main loop: its work and, per CPU model, its
// cycles per iteration.
type loopInfo struct {
	name   string
	offset uint64
	insts  int
	w      work
	cy     map[string]float64
}

func run(out io.Writer, cpus []string, bin string) error {
	objdump, err := llvmTool("llvm-objdump")
	if err != nil {
		return err
	}
	mca, err := llvmTool("llvm-mca")
	if err != nil {
		return err
	}
	label := bin
	if bin == "" {
		label = "the root package's test binary"
		dir, err := os.MkdirTemp("", "mca")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "edgefit.test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, "..")
		cmd.Env = append(os.Environ(), "GOARCH=amd64")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go test -c: %w", err)
		}
	}
	funcs, err := functions(objdump, bin, regexp.MustCompile(`^github\.com/edgefit/edgefit\.\w+AVX(2|512)\.abi0$`))
	if err != nil {
		return err
	}
	if len(funcs) == 0 {
		return fmt.Errorf("%s: no avx2 or avx512 kernel found", bin)
	}
	loops, err := analyse(funcs, cpus, mca)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s on %s; static estimates (no caches, no memory)\n\n", mca, label)
	printLoops(out, loops, cpus)
	fmt.Fprintln(out)
	printPairs(out, loops, cpus)
	return nil
}

// analyse finds each function's main loop and runs it through llvm-mca for
// every CPU model, in the order of the functions' names.
func analyse(funcs map[string][]inst, cpus []string, mca string) (map[string]*loopInfo, error) {
	loops := map[string]*loopInfo{}
	for name, insts := range funcs {
		r, ok := mainLoop(insts)
		if !ok {
			continue
		}
		body := insts[r.from : r.to+1]
		short := strings.TrimSuffix(strings.TrimPrefix(name, "github.com/edgefit/edgefit."), ".abi0")
		li := &loopInfo{name: short, offset: insts[r.from].addr - insts[0].addr, insts: len(body), w: measure(body), cy: map[string]float64{}}
		src := source(body)
		for _, cpu := range cpus {
			c, err := cycles(mca, cpu, src)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", short, err)
			}
			li.cy[cpu] = c
		}
		loops[short] = li
	}
	return loops, nil
}

func printLoops(out io.Writer, loops map[string]*loopInfo, cpus []string) {
	names := make([]string, 0, len(loops))
	for n := range loops {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(out, "%-20s %7s %5s %6s %6s", "loop", "at", "insts", "flop", "load B")
	for _, c := range cpus {
		fmt.Fprintf(out, " | %-26s", c+": cy flop/cy B/cy")
	}
	fmt.Fprintln(out)
	for _, n := range names {
		li := loops[n]
		fmt.Fprintf(out, "%-20s %7s %5d %6d %6d", n, fmt.Sprintf("+%#x", li.offset), li.insts, li.w.flop, li.w.loadBytes)
		for _, c := range cpus {
			cy := li.cy[c]
			fmt.Fprintf(out, " | %7.2f %8.1f %8.1f  ", cy, float64(li.w.flop)/cy, float64(li.w.loadBytes)/cy)
		}
		fmt.Fprintln(out)
	}
}

// pairs are the loops the same benchmark runs under avx512 and under avx2:
// compared on flops per cycle against each set's PeakFMA loop, or on bytes
// loaded per cycle against its PeakLoad loop.
var pairs = []struct {
	bench, a512, a2 string
	flops           bool
}{
	{"MatMulBias, panels of 17+ columns", "matMulBias32AVX512", "matMulBias16AVX2", true},
	{"MatMulBias, panels of 9-16 columns", "matMulBias16AVX512", "matMulBias16AVX2", true},
	{"GradW", "gradWAVX512", "gradWAVX2", true},
	{"SqErr (below the streaming length)", "sqErrAVX512", "sqErrAVX2", false},
	{"SqErrSum", "sqErrSumAVX512", "sqErrSumAVX2", false},
	{"Dot", "dotAVX512", "dotAVX2", false},
	{"Axpy", "axpyAVX512", "axpyAVX2", false},
	{"ColSums", "colSumsAVX512", "colSumsAVX2", false},
}

func printPairs(out io.Writer, loops map[string]*loopInfo, cpus []string) {
	rate := func(name, cpu string, flops bool) float64 {
		li := loops[name]
		if li == nil || li.cy[cpu] == 0 {
			return 0
		}
		if flops {
			return float64(li.w.flop) / li.cy[cpu]
		}
		return float64(li.w.loadBytes) / li.cy[cpu]
	}
	fmt.Fprintln(out, "ceilings under each model (the sets' PeakFMA and PeakLoad loops), avx512 / avx2:")
	for _, c := range cpus {
		fmt.Fprintf(out, "  %-16s flop/cy %5.1f / %5.1f   load B/cy %6.1f / %6.1f\n", c,
			rate("peakFMAAVX512", c, true), rate("peakFMAAVX2", c, true),
			rate("peakLoadAVX512", c, false), rate("peakLoadAVX2", c, false))
	}
	for _, p := range pairs {
		unit, peak := "load B/cy", "peakLoad"
		if p.flops {
			unit, peak = "flop/cy", "peakFMA"
		}
		fmt.Fprintf(out, "\n%s: %s against %s, %s (%% of the set's %s loop)\n", p.bench, p.a512, p.a2, unit, peak)
		for _, c := range cpus {
			r512, r2 := rate(p.a512, c, p.flops), rate(p.a2, c, p.flops)
			c512, c2 := rate(peak+"AVX512", c, p.flops), rate(peak+"AVX2", c, p.flops)
			fmt.Fprintf(out, "  %-16s avx512 %6.1f (%3.0f%%)  avx2 %6.1f (%3.0f%%)  avx512/avx2 %.2f×\n",
				c, r512, pct(r512, c512), r2, pct(r2, c2), r512/r2)
		}
	}
}

func pct(x, of float64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * x / of
}
