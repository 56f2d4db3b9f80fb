// Command bench compares edgefit with what a Go or Python user would
// otherwise pick, in one run on the same data and shapes, and writes the
// results (a Markdown table of ratios, a CSV of every figure and SVG charts)
// to bench/results/:
//
//	cd bench && go run .
//
// It measures
//
//   - the kernels: matrix product with bias (Y = X·Wᵀ + b) from the tutorial's
//     5×3×2 to 1024×1024×1024, and the squared error R = P − T, ΣR², from 10
//     to 8 Mi elements, with every edgefit implementation this machine can run,
//     gonum's BLAS (Sgemm through blas32, and its float32 level-1 routines) and
//     a plain Go loop, beside the machine's FMA and load ceilings measured by
//     edgefit's calibration loops in the same run, and NumPy when Python has
//     it;
//   - training by minibatch SGD on the tutorial's task and on 100,000 × 64 → 8:
//     edgefit against the same SGD written with gonum's mat (float64), and,
//     when /usr/bin/python3 has them, NumPy and PyTorch (the tutorial's fit()
//     and a hand-sliced loop), on one thread, through pytorch_bench.py.
//
// Every library runs on one thread (GOMAXPROCS=1 for the Go ones), and times
// are the process's CPU time, so that other programs on a shared machine do
// not count against whoever was running. The repetitions of the contenders of
// a case are interleaved, and each is reported as a ratio to edgefit's. Every
// contender's answer is checked against a float64 reference after it is
// timed; a wrong answer stops the run before anything is written.
//
// Flags: -quick runs small sizes with short timing loops (what the tests
// use); -out sets the output directory; -python the interpreter ("" skips
// Python); -budget the time per contender and case.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/edgefit/edgefit"
	"gonum.org/v1/plot/vg"
)

type config struct {
	quick   bool
	out     string
	python  string
	script  string
	budget  time.Duration
	reps    int
	procs   int
	command string
	log     func(format string, a ...any)
}

func main() {
	var c config
	flag.BoolVar(&c.quick, "quick", false, "small sizes and short timing loops: checks the harness, measures nothing worth quoting")
	flag.StringVar(&c.out, "out", "", "directory to write results.md, results.csv and the SVG charts to (default results, or a temporary directory with -quick)")
	flag.StringVar(&c.python, "python", "/usr/bin/python3", "Python interpreter with numpy and torch; empty to skip the Python libraries")
	flag.StringVar(&c.script, "script", "pytorch_bench.py", "the Python side of the training comparison")
	flag.DurationVar(&c.budget, "budget", 0, "time per contender and case, over all repetitions (default 250ms, 20ms with -quick)")
	flag.IntVar(&c.reps, "reps", 5, "repetitions per contender and case (the median is reported)")
	flag.IntVar(&c.procs, "procs", 1, "GOMAXPROCS while measuring (1: every library on one thread)")
	flag.Parse()
	if c.out == "" {
		// A quick run must not overwrite the committed measurements.
		c.out = "results"
		if c.quick {
			c.out = filepath.Join(os.TempDir(), "edgefit-bench-quick")
		}
	}
	if c.budget == 0 {
		c.budget = 250 * time.Millisecond
		if c.quick {
			c.budget = 20 * time.Millisecond
		}
	}
	c.command = "cd bench && go run . " + strings.Join(os.Args[1:], " ")
	c.log = func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }
	log.SetFlags(0)
	log.SetPrefix("bench: ")

	r, err := run(c)
	if err != nil {
		log.Fatal(err)
	}
	if err := write(c.out, r); err != nil {
		log.Fatal(err)
	}
	c.log("wrote %s", filepath.Join(c.out, "results.md"))
}

// run measures everything; it fails on the first contender that computes a
// wrong answer, or a Python script that reports garbage.
func run(c config) (*results, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(c.procs))

	r := &results{
		date:      time.Now(),
		cpu:       cpuModel(),
		goVersion: runtime.Version(),
		goos:      runtime.GOOS + "/" + runtime.GOARCH,
		procs:     c.procs,
		selection: edgefit.Selection(),
		ref:       referenceName(),
		command:   strings.TrimSpace(c.command),
		quick:     c.quick,
	}
	for _, im := range edgefit.Implementations() {
		r.impls = append(r.impls, im.Name())
	}
	tm := timer{budget: c.budget, reps: c.reps}
	c.log("edgefit %s; reference for ratios: %s; %s", strings.Join(r.impls, ", "), r.ref, r.cpu)

	r.fmaStart = tm.measure(fmaCeilings())
	logCeil(c, "start", r.fmaStart)

	shapes, sizes := matMulShapes, sqErrSizes
	if c.quick {
		shapes, sizes = matMulShapesQuick, sqErrSizesQuick
	}
	for _, s := range shapes {
		cr, err := measureCase(tm, matMulCase(s[0], s[1], s[2]))
		if err != nil {
			return nil, err
		}
		logCase(c, r.ref, cr)
		r.matmul = append(r.matmul, cr)
	}
	for _, n := range sizes {
		cr, err := measureCase(tm, sqErrCase(n))
		if err != nil {
			return nil, err
		}
		logCase(c, r.ref, cr)
		r.sqerr = append(r.sqerr, cr)
	}
	r.fmaEnd = tm.measure(fmaCeilings())
	logCeil(c, "end", r.fmaEnd)

	if err := pythonKernels(c, r); err != nil {
		return nil, err
	}

	tasks := []*trainTask{tutorialTask(), syntheticTask(100_000, 64, 8, 1)}
	if c.quick {
		tasks[1] = syntheticTask(2_000, 16, 4, 10)
	}
	for _, t := range tasks {
		// A training run is long against a kernel call and moves much
		// memory: a longer budget gives every trainer its 5 repetitions.
		tr, err := measureTraining(timer{budget: 4 * c.budget, reps: c.reps}, t)
		if err != nil {
			return nil, err
		}
		if err := pythonTraining(c, r, &tr); err != nil {
			return nil, err
		}
		for _, row := range tr.rows {
			c.log("train %-8s %-28s %10s  %s rows/s  mse %.5g", t.name, row.lib, fmtSec(row.seconds), fmtRows(row.rowsPerSec(t)), row.mse)
		}
		r.train = append(r.train, tr)
	}
	if r.pyInfo != nil && strings.Contains(r.pyInfo["numpy_blas"], "libblas.so.3") && !strings.Contains(r.pyInfo["numpy_blas"], "openblas") {
		r.pyNotes = appendOnce(r.pyNotes, "NumPy runs on the reference BLAS here, not OpenBLAS: apt-get install -y libopenblas0-pthread")
	}
	return r, nil
}

// pythonKernels adds NumPy's timings to r's kernel cases when c names a Python
// interpreter. A wrong answer is an error; a missing interpreter or library is
// a note in the results.
func pythonKernels(c config, r *results) error {
	if c.python == "" {
		return nil
	}
	all := append(append([]caseResult(nil), r.matmul...), r.sqerr...)
	ts, info, err := runPythonKernels(c.python, c.script, all, c.budget, c.reps)
	r.mergeInfo(info)
	var wrong wrongAnswer
	switch {
	case errors.As(err, &wrong):
		return fmt.Errorf("wrong answer, nothing written: %v", err)
	case err != nil:
		r.pyNotes = appendOnce(r.pyNotes, "NumPy kernels skipped: "+err.Error())
	default:
		for i := range all {
			var cr *caseResult
			if i < len(r.matmul) {
				cr = &r.matmul[i]
			} else {
				cr = &r.sqerr[i-len(r.matmul)]
			}
			cr.timings = append(cr.timings, ts[i])
			ref := find(cr.timings, r.ref)
			c.log("%-6s %-14s  %s %s (%s)", cr.c.kernel, cr.c.label, ts[i].name, fmtDur(ts[i].perOp), fmtRatio(float64(ts[i].perOp)/float64(ref.perOp)))
		}
	}
	return nil
}

// pythonTraining adds NumPy's and PyTorch's rows to tr. A missing interpreter
// or library, or a script that fails, is a note in the results; a model that
// did not train is a wrong answer, which stops the run.
func pythonTraining(c config, r *results, tr *trainResult) error {
	if c.python == "" {
		r.pyNotes = appendOnce(r.pyNotes, "Python libraries skipped: -python is empty")
		return nil
	}
	t := tr.task
	py, err := runPython(c.python, c.script, t, 4*c.budget, 10*time.Minute)
	if py != nil {
		r.mergeInfo(py.info)
		for _, lib := range slices.Sorted(maps.Keys(py.missing)) {
			r.pyNotes = appendOnce(r.pyNotes, pythonName(lib)+" skipped: "+py.missing[lib])
		}
	}
	if err != nil {
		r.pyNotes = appendOnce(r.pyNotes, "Python libraries skipped on "+t.label+": "+err.Error())
		return nil
	}
	for _, x := range py.results {
		name := pythonName(x.lib)
		if err := checkTrained(t, name, x.mse); err != nil {
			return fmt.Errorf("wrong answer, nothing written: %v", err)
		}
		tr.rows = append(tr.rows, trainRow{lib: name, lang: "Python", seconds: x.seconds, spread: x.spread, reps: x.reps, mse: x.mse})
	}
	return nil
}

func (r *results) mergeInfo(info map[string]string) {
	for k, v := range info {
		if r.pyInfo == nil {
			r.pyInfo = map[string]string{}
		}
		r.pyInfo[k] = v
	}
}

func appendOnce(s []string, x string) []string {
	for _, y := range s {
		if y == x {
			return s
		}
	}
	return append(s, x)
}

// measureCase times a kernel case and then checks what every contender
// computed in the calls it was timed on.
func measureCase(tm timer, c *kernelCase) (caseResult, error) {
	all := tm.measure(append(append([]contender(nil), c.contenders...), c.ceilings...))
	if err := c.check(); err != nil {
		return caseResult{}, fmt.Errorf("wrong answer, nothing written: %v", err)
	}
	runtime.GC() // each case starts with the garbage of the one before collected
	n := len(c.contenders)
	return caseResult{c: c, timings: all[:n:n], ceilings: all[n:]}, nil
}

// measureTraining times every Go trainer on task t and checks that each one
// trained: a finite error no larger than the untrained model's.
func measureTraining(tm timer, t *trainTask) (trainResult, error) {
	trs, err := goTrainers(t)
	if err != nil {
		return trainResult{}, err
	}
	cs := make([]contender, len(trs))
	for i, tr := range trs {
		if err := tr.fit(1); err != nil {
			return trainResult{}, fmt.Errorf("%s on %s: %v", tr.name, t.label, err)
		}
		cs[i] = tr.contender()
	}
	ts := tm.measure(cs)
	res := trainResult{task: t}
	for i, tr := range trs {
		mse := tr.mse()
		if err := checkTrained(t, tr.name, mse); err != nil {
			return res, err
		}
		res.rows = append(res.rows, trainRow{lib: tr.name, lang: "Go", seconds: ts[i].perOp.Seconds(), spread: ts[i].spread, reps: len(ts[i].reps), mse: mse})
	}
	runtime.GC()
	return res, nil
}

func logCase(c config, ref string, cr caseResult) {
	var b strings.Builder
	rt := find(cr.timings, ref)
	for _, t := range cr.timings {
		fmt.Fprintf(&b, "  %s %s (%s)", t.name, fmtDur(t.perOp), fmtRatio(float64(t.perOp)/float64(rt.perOp)))
	}
	c.log("%-6s %-14s%s", cr.c.kernel, cr.c.label, b.String())
}

func logCeil(c config, when string, ts []timing) {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "  %s %s GFLOP/s", t.name, sig3(rate(fmaWork(), t.perOp)))
	}
	c.log("ceilings at %s:%s", when, b.String())
}

// write puts results.md, results.csv and the charts in dir.
func write(dir string, r *results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	create := func(name string, f func(*os.File) error) error {
		fh, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := f(fh); err != nil {
			fh.Close()
			return fmt.Errorf("%s: %v", name, err)
		}
		return fh.Close()
	}
	if err := create("results.md", func(f *os.File) error { return writeMarkdown(f, r) }); err != nil {
		return err
	}
	if err := create("results.csv", func(f *os.File) error { return writeCSV(f, r) }); err != nil {
		return err
	}
	fma := make([]timing, len(r.fmaStart))
	for i := range fma {
		// The better of the two measurements: a ceiling is what the
		// machine can do when nothing else is running.
		fma[i] = r.fmaStart[i]
		if r.fmaEnd[i].perOp < fma[i].perOp {
			fma[i] = r.fmaEnd[i]
		}
	}
	if len(r.matmul) > 0 {
		p, leg, names, err := kernelChart(r.matmul, "Matrix product with bias, Y = X·W^T + b, one thread", "shape m×k×n (rows × inputs × outputs), log scale of m·k·n", fma, r.quick)
		if err != nil {
			return err
		}
		if err := saveWithLegend(p, leg, names, 24*vg.Centimeter, 13*vg.Centimeter, filepath.Join(dir, "matmul.svg")); err != nil {
			return err
		}
	}
	if len(r.sqerr) > 0 {
		p, leg, names, err := kernelChart(r.sqerr, "Squared error R = P − T, ΣR², one thread", "elements of P, T and R (log scale)", nil, r.quick)
		if err != nil {
			return err
		}
		if err := saveWithLegend(p, leg, names, 24*vg.Centimeter, 13*vg.Centimeter, filepath.Join(dir, "sqerr.svg")); err != nil {
			return err
		}
	}
	return saveTrainingSVG(r.train, r.quick, filepath.Join(dir, "training.svg"))
}
