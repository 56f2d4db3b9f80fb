package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edgefit/edgefit"
)

// results is everything one run measured.
type results struct {
	date      time.Time
	cpu       string
	goVersion string
	goos      string
	procs     int
	selection string
	impls     []string
	ref       string // the contender ratios are taken against
	command   string
	quick     bool

	fmaStart, fmaEnd []timing
	matmul, sqerr    []caseResult
	train            []trainResult
	pyInfo           map[string]string
	pyNotes          []string // why Python libraries are missing, if they are
}

type caseResult struct {
	c        *kernelCase
	timings  []timing // one per contender, in its order
	ceilings []timing // one per ceiling contender
}

type trainResult struct {
	task *trainTask
	rows []trainRow
}

// trainRow is one library's figures on one task.
type trainRow struct {
	lib     string
	lang    string  // "Go" or "Python"
	seconds float64 // median time of one whole training run
	spread  float64
	reps    int
	mse     float64 // of the trained model over every row
}

func (r trainRow) rowsPerSec(t *trainTask) float64 {
	return float64(t.n*t.epochs) / r.seconds
}

// rate is the work per second of a timing, in the case's unit (10⁹ per s).
func rate(work float64, d time.Duration) float64 {
	if d <= 0 {
		return math.NaN()
	}
	return work / d.Seconds() / 1e9
}

// find returns the timing named name, or nil.
func find(ts []timing, name string) *timing {
	for i := range ts {
		if ts[i].name == name {
			return &ts[i]
		}
	}
	return nil
}

// fmtDur prints a duration with three significant digits in a unit that
// suits it.
func fmtDur(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s < 1e-6:
		return sig3(s*1e9) + " ns"
	case s < 1e-3:
		return sig3(s*1e6) + " µs"
	case s < 1:
		return sig3(s*1e3) + " ms"
	}
	return sig3(s) + " s"
}

func fmtSec(s float64) string { return fmtDur(time.Duration(s * 1e9)) }

// sig3 prints x with three significant digits, without exponent for the
// magnitudes that occur here.
func sig3(x float64) string {
	switch ax := math.Abs(x); {
	case ax == 0:
		return "0"
	case ax >= 100:
		return fmt.Sprintf("%.0f", x)
	case ax >= 10:
		return fmt.Sprintf("%.1f", x)
	case ax >= 1:
		return fmt.Sprintf("%.2f", x)
	case ax >= 0.01:
		return fmt.Sprintf("%.3f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

// fmtRatio prints how many times longer than edgefit something took.
func fmtRatio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	if x >= 10 {
		return fmt.Sprintf("%.0f×", x)
	}
	return fmt.Sprintf("%.2f×", x)
}

// fmtRows prints a throughput in rows per second.
func fmtRows(x float64) string {
	switch {
	case x >= 1e6:
		return sig3(x/1e6) + " M"
	case x >= 1e3:
		return sig3(x/1e3) + " k"
	}
	return sig3(x)
}

// writeMarkdown writes the results table: ratios against edgefit first, since
// the machines are noisy and ratios measured side by side travel better than
// absolute times.
func writeMarkdown(w io.Writer, r *results) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# edgefit benchmark results\n\n")
	if r.quick {
		p("**Quick run (-quick): small sizes only, short timing loops. Not a measurement to quote.**\n\n")
	}
	p("- Date: %s\n", r.date.UTC().Format("2006-01-02 15:04 MST"))
	p("- CPU: %s\n", r.cpu)
	p("- Go: %s, %s; GOMAXPROCS=%d while measuring (every library runs on one thread)\n", r.goVersion, r.goos, r.procs)
	p("- edgefit implementations on this machine: %s; default: %s\n", strings.Join(r.impls, ", "), r.selection)
	if len(r.pyInfo) > 0 {
		p("- Python %s, NumPy %s (BLAS: %s), PyTorch %s (BLAS: %s, %s thread)\n",
			r.pyInfo["python"], r.pyInfo["numpy"], blasName(r.pyInfo["numpy_blas"]), orDash(r.pyInfo["torch"]), blasName(r.pyInfo["torch_blas"]), orDash(r.pyInfo["torch_threads"]))
	}
	for _, n := range r.pyNotes {
		p("- Note: %s\n", n)
	}
	p("- Command: `%s`\n\n", r.command)
	p("How to read: each cell is the median time of one call (or one training run) over several repetitions, and ")
	p("in parentheses that time divided by the time of **%s**, measured in the same run on the same data: ", r.ref)
	p("2.00× means twice as long as edgefit, 0.50× half as long. Repetitions of the contenders of one case are ")
	p("interleaved, so a noisy phase of the machine slows them alike; the spread of the repetitions is in results.csv. ")
	p("Times are the %s, not wall-clock time: every contender runs on one thread, and on a machine shared with other ", clockName)
	p("programs the time spent waiting for a core would otherwise count against whoever was running.\n\n")

	writeSummary(&b, r)

	// Ceilings.
	p("## Machine ceilings\n\n")
	p("Measured with each implementation's calibration loop (`PeakFMA`), at the start and at the end of the run.\n\n")
	p("| ceiling | start | end |\n|---|---:|---:|\n")
	for i := range r.fmaStart {
		p("| %s | %s GFLOP/s | %s GFLOP/s |\n", r.fmaStart[i].name,
			sig3(rate(fmaWork(), r.fmaStart[i].perOp)), sig3(rate(fmaWork(), r.fmaEnd[i].perOp)))
	}
	p("\n")

	kernelTables(&b, r, "Matrix product with bias: Y = X·Wᵀ + b", r.matmul,
		"Shapes are m×k×n: m rows of k inputs to n outputs (W is n×k, the nn.Linear layout); 5×3×2 is the tutorial's. "+
			"gonum: the bias copied into every row of Y, then blas32.Gemm (gonum's Sgemm) with β = 1. "+
			"NumPy: `X @ W.T + b`, as NumPy code writes it (it allocates Y), timed in its own process after the Go contenders, "+
			"so its times include Python's call overhead of a microsecond or so. "+
			"GFLOP/s counts 2·m·k·n operations a call.")
	kernelTables(&b, r, "Squared error: R = P − T, returns ΣR²", r.sqerr,
		"Sizes are elements. gonum has no subtraction in its BLAS: blas32.Copy, Axpy(−1) and Dot. "+
			"NumPy: `r = P - T; r @ r`, timed as for the matrix product. "+
			"GB/s counts 12 bytes an element (P and T read, R written) for every contender; "+
			"the load ceiling reads 8 bytes an element (P and T) and writes nothing.")

	if len(r.train) > 0 {
		p("## Training: minibatch SGD on the mean squared error\n\n")
		p("Each library trains a fresh model (nn.Linear's initialisation) with a new random order of the rows every epoch, ")
		p("the tutorial's fit(). Time is one whole training run; rows/s counts rows visited (rows × epochs). ")
		p("MSE is the trained model's mean squared error over every row, in float64: the check that every library trained. ")
		p("The Go libraries are timed by the Go harness, interleaved; the Python ones by the script, one after the other.\n\n")
		for _, tr := range r.train {
			t := tr.task
			p("### %s (lr %g, %d steps)\n\n", t.label, t.lr, t.steps())
			var refSec float64
			for _, row := range tr.rows {
				if row.lib == trainRef(tr) {
					refSec = row.seconds
				}
			}
			p("| library | language | time per run (× edgefit) | rows/s | per step | MSE after training |\n|---|---|---:|---:|---:|---:|\n")
			for _, row := range tr.rows {
				p("| %s | %s | %s (%s) | %s | %s | %.6g |\n", row.lib, row.lang, fmtSec(row.seconds),
					fmtRatio(row.seconds/refSec), fmtRows(row.rowsPerSec(t)), fmtSec(row.seconds/float64(t.steps())), row.mse)
			}
			p("\n")
		}
	}
	p("Charts: [matmul.svg](matmul.svg), [sqerr.svg](sqerr.svg), [training.svg](training.svg). Raw figures: [results.csv](results.csv).\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// blasName picks, from the BLAS libraries a Python process had loaded, the
// one that implements it (libblas.so.3 is only Debian's alternatives link).
func blasName(libs string) string {
	for _, l := range strings.Split(libs, ",") {
		if strings.Contains(l, "openblas") || strings.Contains(l, "mkl") || strings.Contains(l, "blis") {
			return l
		}
	}
	if strings.Contains(libs, "libblas.so.3") {
		return libs + " (the reference BLAS)"
	}
	return orDash(libs)
}

// writeSummary states the ratios a reader asks about first: the kernels at a
// training batch's shape and at the largest size, and every training task.
func writeSummary(b *strings.Builder, r *results) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	others := func(ts []timing, ref *timing) string {
		var parts []string
		for _, t := range ts {
			if t.name != ref.name && !strings.HasPrefix(t.name, "edgefit") {
				parts = append(parts, fmt.Sprintf("%s %s", t.name, fmtRatio(float64(t.perOp)/float64(ref.perOp))))
			}
		}
		return strings.Join(parts, ", ")
	}
	kernel := func(what string, cases []caseResult, labels ...string) {
		for _, cr := range cases {
			if !slices.Contains(labels, cr.c.label) && cr.c.label != cases[len(cases)-1].c.label {
				continue
			}
			ref := find(cr.timings, r.ref)
			size := cr.c.label
			if cr.c.kernel == "sqerr" {
				size += " elements"
			}
			p("- %s, %s: %s (%s %s); the others take %s its time.\n", what, size, r.ref, fmtDur(ref.perOp),
				"at "+sig3(rate(cr.c.work, ref.perOp))+" "+cr.c.unit, others(cr.timings, ref))
		}
	}
	p("## Summary\n\n")
	kernel("Matrix product with bias", r.matmul, "256×64×8")
	kernel("Squared error", r.sqerr, "16384")
	for _, tr := range r.train {
		var ref *trainRow
		var parts []string
		for i, row := range tr.rows {
			if row.lib == trainRef(tr) {
				ref = &tr.rows[i]
			}
		}
		for _, row := range tr.rows {
			if !strings.HasPrefix(row.lib, "edgefit") {
				parts = append(parts, fmt.Sprintf("%s %s", row.lib, fmtRatio(row.seconds/ref.seconds)))
			}
		}
		p("- Training, %s: %s %s rows/s; the others take %s its time.\n", tr.task.label, ref.lib, fmtRows(ref.rowsPerSec(tr.task)), strings.Join(parts, ", "))
	}
	p("\n")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// kernelTables writes, for one kernel, a table of times with ratios and a
// table of rates with the ceilings measured beside them.
func kernelTables(b *strings.Builder, r *results, title string, cases []caseResult, note string) {
	if len(cases) == 0 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("## %s\n\n%s\n\n", title, note)
	head := func(first string, extra []timing) {
		p("| %s |", first)
		for _, t := range cases[0].timings {
			p(" %s |", t.name)
		}
		for _, t := range extra {
			p(" %s |", t.name)
		}
		p("\n|---|")
		for range len(cases[0].timings) + len(extra) {
			p("---:|")
		}
		p("\n")
	}
	head("size", nil)
	for _, cr := range cases {
		ref := find(cr.timings, r.ref)
		p("| %s |", cr.c.label)
		for _, t := range cr.timings {
			p(" %s (%s) |", fmtDur(t.perOp), fmtRatio(float64(t.perOp)/float64(ref.perOp)))
		}
		p("\n")
	}
	p("\n%s:\n\n", cases[0].c.unit)
	head("size", cases[0].ceilings)
	for _, cr := range cases {
		p("| %s |", cr.c.label)
		for _, t := range cr.timings {
			p(" %s |", sig3(rate(cr.c.work, t.perOp)))
		}
		for _, t := range cr.ceilings {
			p(" %s |", sig3(rate(cr.c.ceilWork, t.perOp)))
		}
		p("\n")
	}
	p("\n")
}

// writeCSV writes every timing, with its repetitions, for anyone who wants
// to plot or test them differently.
func writeCSV(w io.Writer, r *results) error {
	cw := csv.NewWriter(w)
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', 9, 64) }
	cw.Write([]string{"section", "size", "contender", "median_seconds", "spread", "reps", "calls_per_rep", "rate", "rate_unit", "mse"})
	row := func(section, size string, t timing, rt float64, unit string) {
		cw.Write([]string{section, size, t.name, g(t.perOp.Seconds()), strconv.FormatFloat(t.spread, 'f', 4, 64),
			strconv.Itoa(len(t.reps)), strconv.Itoa(t.iters), g(rt), unit, ""})
	}
	for i := range r.fmaStart {
		row("fma-ceiling-start", "", r.fmaStart[i], rate(fmaWork(), r.fmaStart[i].perOp), "GFLOP/s")
		row("fma-ceiling-end", "", r.fmaEnd[i], rate(fmaWork(), r.fmaEnd[i].perOp), "GFLOP/s")
	}
	for _, cases := range [][]caseResult{r.matmul, r.sqerr} {
		for _, cr := range cases {
			for _, t := range cr.timings {
				row(cr.c.kernel, cr.c.label, t, rate(cr.c.work, t.perOp), cr.c.unit)
			}
			for _, t := range cr.ceilings {
				row(cr.c.kernel+"-ceiling", cr.c.label, t, rate(cr.c.ceilWork, t.perOp), cr.c.unit)
			}
		}
	}
	for _, tr := range r.train {
		t := tr.task
		for _, x := range tr.rows {
			cw.Write([]string{"train-" + t.name, fmt.Sprintf("%d×%d→%d", t.n, t.d, t.o), x.lib, g(x.seconds),
				strconv.FormatFloat(x.spread, 'f', 4, 64), strconv.Itoa(x.reps), "1", g(x.rowsPerSec(t)), "rows/s", g(x.mse)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// fmaWork is the floating-point operations of one call of an FMA ceiling.
func fmaWork() float64 { return float64(fmaItersPerCall) * edgefit.PeakFMAFlopsPerIter }
