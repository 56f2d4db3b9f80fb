package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgefit/edgefit"
)

// runAll runs every contender of c once, as the timing loop does.
func runAll(c *kernelCase) {
	for _, k := range c.contenders {
		k.run(1)
	}
}

// The harness checks the answers of exactly the closures it times: every
// contender agrees with the float64 reference, and spoiling any one of them
// is caught and named.
func TestKernelCasesCheckAnswers(t *testing.T) {
	var cases []*kernelCase
	for _, s := range append(matMulShapesQuick, [3]int{1, 1, 1}, [3]int{7, 33, 5}, [3]int{70, 9, 3}) {
		cases = append(cases, matMulCase(s[0], s[1], s[2]))
	}
	for _, n := range append(sqErrSizesQuick, 1, 7, 33, 1000) {
		cases = append(cases, sqErrCase(n))
	}
	for _, c := range cases {
		if err := c.check(); err == nil {
			t.Errorf("%s %s: check passed before any contender ran", c.kernel, c.label)
		}
		runAll(c)
		if err := c.check(); err != nil {
			t.Errorf("%s %s: %v", c.kernel, c.label, err)
			continue
		}
		for i, k := range c.contenders {
			c.corrupt(i)
			err := c.check()
			if err == nil || !strings.Contains(err.Error(), k.name) {
				t.Errorf("%s %s: spoiled answer of %s: check said %v", c.kernel, c.label, k.name, err)
			}
			k.run(1) // repair
		}
		if err := c.check(); err != nil {
			t.Errorf("%s %s after repair: %v", c.kernel, c.label, err)
		}
	}
}

// Every case has each edgefit implementation, gonum and the plain loop, and
// the reference of the ratios among them.
func TestContenders(t *testing.T) {
	for _, c := range []*kernelCase{matMulCase(5, 3, 2), sqErrCase(10)} {
		var names []string
		for _, k := range c.contenders {
			names = append(names, k.name)
		}
		got := strings.Join(names, ",")
		for _, im := range edgefit.Implementations() {
			if !strings.Contains(got, edgefitName(im)) {
				t.Errorf("%s: contenders %s lack %s", c.kernel, got, edgefitName(im))
			}
		}
		for _, want := range []string{"gonum", "plain Go loop", referenceName()} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: contenders %s lack %s", c.kernel, got, want)
			}
		}
	}
	if c := sqErrCase(10); len(c.ceilings) != len(edgefit.Implementations()) {
		t.Errorf("sqerr has %d load ceilings, want one per implementation (%d)", len(c.ceilings), len(edgefit.Implementations()))
	}
}

func TestMeasureInterleavesAndTakesMedian(t *testing.T) {
	var order []string
	var calls [2]int
	mk := func(i int, name string, per time.Duration) contender {
		return contender{name: name, run: func(iters int) {
			order = append(order, name)
			calls[i] += iters
			time.Sleep(per * time.Duration(iters))
		}}
	}
	tm := timer{budget: 20 * time.Millisecond, reps: 5}
	ts := tm.measure([]contender{mk(0, "a", 200*time.Microsecond), mk(1, "b", 3*time.Millisecond)})
	// After calibration, one repetition of each in turn.
	tail := strings.Join(order[len(order)-2*len(ts[0].reps):], "")
	if want := strings.Repeat("ab", len(ts[0].reps)); tail != want {
		t.Errorf("repetitions ran in order %s, want %s", tail, want)
	}
	for i, x := range ts {
		if len(x.reps) != len(ts[0].reps) || len(x.reps) < 3 {
			t.Errorf("%s: %d repetitions, want the same for all and at least 3", x.name, len(x.reps))
		}
		if x.perOp <= 0 || x.iters < 1 {
			t.Errorf("%s: perOp %v, iters %d", x.name, x.perOp, x.iters)
		}
		if calls[i] < x.iters*len(x.reps) {
			t.Errorf("%s: %d calls, want at least %d", x.name, calls[i], x.iters*len(x.reps))
		}
	}
	// Sleep only ever overshoots, so the medians are at least the sleeps,
	// and b's calls are long enough to run once a repetition.
	if ts[0].perOp < 200*time.Microsecond || ts[1].perOp < 3*time.Millisecond {
		t.Errorf("medians %v, %v below the time slept", ts[0].perOp, ts[1].perOp)
	}
	if ts[1].iters != 1 {
		t.Errorf("b: %d calls a repetition, want 1 (a call exceeds budget/reps)", ts[1].iters)
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		in     []time.Duration
		med    time.Duration
		spread float64
	}{
		{[]time.Duration{5, 1, 3}, 3, 4.0 / 3},
		{[]time.Duration{4, 2, 8, 6}, 5, 6.0 / 5},
		{[]time.Duration{7}, 7, 0},
		{nil, 0, 0},
	} {
		med, spread := summarize(tc.in)
		if med != tc.med || math.Abs(spread-tc.spread) > 1e-12 {
			t.Errorf("summarize(%v) = %v, %v; want %v, %v", tc.in, med, spread, tc.med, tc.spread)
		}
	}
}

func TestParsePython(t *testing.T) {
	out := `INFO python=3.11.2 numpy=1.24.2
/usr/lib/python3/dist-packages/torch/__init__.py: UserWarning: something
RESULT task=tutorial lib=numpy seconds=0.004 reps=5 spread=0.1 mse=30.5
MISSING lib=torch reason=No_module_named_'torch'
INFO numpy_blas=libopenblasp-r0.3.21.so
`
	run, err := parsePython([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.results) != 1 {
		t.Fatalf("results = %+v, want one", run.results)
	}
	if r := run.results[0]; r.task != "tutorial" || r.lib != "numpy" || r.seconds != 0.004 || r.reps != 5 || r.spread != 0.1 || r.mse != 30.5 {
		t.Errorf("result = %+v", r)
	}
	if run.info["numpy"] != "1.24.2" || run.info["numpy_blas"] != "libopenblasp-r0.3.21.so" {
		t.Errorf("info = %v", run.info)
	}
	if run.missing["torch"] != "No module named 'torch'" {
		t.Errorf("missing = %v", run.missing)
	}
	for _, bad := range []string{
		"RESULT task=tutorial lib=numpy seconds=abc reps=5 spread=0 mse=1",
		"RESULT task=tutorial seconds=1 reps=5 spread=0 mse=1",
		"RESULT task=tutorial lib=numpy seconds=0 reps=5 spread=0 mse=1",
	} {
		_, err := parsePython([]byte("INFO a=b\n" + bad + "\n"))
		if err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("parsePython(%q): error %v, want one naming line 2", bad, err)
		}
	}
}

// The Go trainers draw the same initial parameters and orders from the same
// seed, so they must train the same model: float32 kernels and float64 gonum
// differ only by rounding.
func TestGoTrainersAgree(t *testing.T) {
	for _, task := range []*trainTask{tutorialTask(), syntheticTask(1000, 12, 3, 20)} {
		trs, err := goTrainers(task)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trs {
			if err := tr.fit(3); err != nil {
				t.Fatalf("%s: %v", tr.name, err)
			}
		}
		W0, b0 := trs[0].param()
		for _, tr := range trs[1:] {
			W, b := tr.param()
			if len(W) != len(W0) || len(b) != len(b0) {
				t.Fatalf("%s: %d weights and %d biases, want %d and %d", tr.name, len(W), len(b), len(W0), len(b0))
			}
			for i := range W {
				if !near(W[i], W0[i], 1e-4) {
					t.Errorf("%s: %s W[%d] = %g, %s has %g", task.name, tr.name, i, W[i], trs[0].name, W0[i])
				}
			}
			for i := range b {
				if !near(b[i], b0[i], 1e-4) {
					t.Errorf("%s: %s b[%d] = %g, %s has %g", task.name, tr.name, i, b[i], trs[0].name, b0[i])
				}
			}
		}
		for _, tr := range trs {
			if err := checkTrained(task, tr.name, tr.mse()); err != nil {
				t.Error(err)
			}
		}
	}
}

func near(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestCheckTrainedRejects(t *testing.T) {
	task := tutorialTask()
	for _, mse := range []float64{math.NaN(), math.Inf(1), 1e30} {
		if err := checkTrained(task, "x", mse); err == nil {
			t.Errorf("checkTrained(%g) passed", mse)
		}
	}
}

// The quick run end to end, without Python: it writes a table with ratios,
// the CSV and three well-formed SVG charts.
func TestQuickRun(t *testing.T) {
	dir := t.TempDir()
	c := config{quick: true, out: dir, budget: 5 * time.Millisecond, reps: 3, procs: 1, command: "go test", log: t.Logf}
	r, err := run(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(dir, r); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CPU: ", "Date: ", "5×3×2", "1.00×", "gonum Sgemm", "plain Go loop", "gonum mat (float64)",
		"FMA ceiling", "load ceiling", "Python libraries skipped", "tutorial: 15×3 → 2", "training.svg"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("results.md lacks %q", want)
		}
	}
	csv, err := os.ReadFile(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(csv, []byte("\n")); n < 1+len(matMulShapesQuick)*3+len(sqErrSizesQuick)*3+4 {
		t.Errorf("results.csv has %d lines", n)
	}
	for _, name := range []string{"matmul.svg", "sqerr.svg", "training.svg"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(f)
		elems := 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if _, ok := tok.(xml.StartElement); ok {
				elems++
			}
		}
		f.Close()
		if elems < 20 {
			t.Errorf("%s: only %d elements", name, elems)
		}
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{73, "73.0 ns"}, {1234, "1.23 µs"}, {45600000, "45.6 ms"}, {2 * time.Second, "2.00 s"}} {
		if got := fmtDur(tc.d); got != tc.want {
			t.Errorf("fmtDur(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := fmtRatio(2); got != "2.00×" {
		t.Errorf("fmtRatio(2) = %q", got)
	}
	if got := fmtRatio(123.4); got != "123×" {
		t.Errorf("fmtRatio(123.4) = %q", got)
	}
}
