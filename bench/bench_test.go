package main

import (
	"bytes"
	csvpkg "encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	// A clock that only the contenders advance: a takes 200µs a call, b 6ms.
	var clock time.Duration
	var order []string
	mk := func(name string, per time.Duration) contender {
		return contender{name: name, run: func(iters int) {
			order = append(order, name)
			clock += per * time.Duration(iters)
		}}
	}
	tm := timer{budget: 20 * time.Millisecond, reps: 5, now: func() time.Duration { return clock }}
	ts := tm.measure([]contender{mk("a", 200*time.Microsecond), mk("b", 6*time.Millisecond)})
	if len(ts) != 2 || ts[0].name != "a" || ts[1].name != "b" {
		t.Fatalf("timings %+v", ts)
	}
	// b's calls take longer than budget/reps: once a repetition, and the
	// repetitions of the case drop to what the budget allows, but not below 3.
	if ts[1].iters != 1 || len(ts[1].reps) != 3 || len(ts[0].reps) != 3 {
		t.Errorf("b: %d calls × %d repetitions, a: %d repetitions; want 1 × 3 and 3", ts[1].iters, len(ts[1].reps), len(ts[0].reps))
	}
	if ts[0].iters != 20 {
		t.Errorf("a: %d calls a repetition, want budget/reps / 200µs = 20", ts[0].iters)
	}
	// After calibration, one repetition of each in turn.
	tail := strings.Join(order[len(order)-2*len(ts[0].reps):], "")
	if want := strings.Repeat("ab", len(ts[0].reps)); tail != want {
		t.Errorf("repetitions ran in order %s, want %s", tail, want)
	}
	if ts[0].perOp != 200*time.Microsecond || ts[1].perOp != 6*time.Millisecond {
		t.Errorf("medians %v and %v, want 200µs and 6ms", ts[0].perOp, ts[1].perOp)
	}
}

// The outlier: the median of b ignores one repetition ten times as slow,
// and the spread reports it.
func TestMeasureMedianIgnoresOutlier(t *testing.T) {
	var clock time.Duration
	calls := 0
	c := contender{name: "c", run: func(iters int) {
		calls++
		per := time.Millisecond
		if calls == 5 { // the third timed repetition: calibration made calls 1 and 2
			per *= 10
		}
		clock += per * time.Duration(iters)
	}}
	tm := timer{budget: 50 * time.Millisecond, reps: 5, now: func() time.Duration { return clock }}
	ts := tm.measure([]contender{c})
	if ts[0].perOp != time.Millisecond {
		t.Errorf("median %v, want 1ms", ts[0].perOp)
	}
	if ts[0].spread < 8 {
		t.Errorf("spread %v, want ≥ 9 (a repetition 10× the median)", ts[0].spread)
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
	recs, err := csvpkg.NewReader(bytes.NewReader(csv)).ReadAll()
	if err != nil {
		t.Fatalf("results.csv: %v", err)
	}
	nImpl := len(edgefit.Implementations())
	// Header, FMA ceilings twice, every contender and ceiling of every case,
	// 3 Go trainers on 2 tasks.
	want := 1 + 2*nImpl + len(matMulShapesQuick)*(nImpl+2) + len(sqErrSizesQuick)*(2*nImpl+2) + 2*3
	if len(recs) != want {
		t.Errorf("results.csv has %d records, want %d", len(recs), want)
	}
	for _, rec := range recs {
		if len(rec) != 10 {
			t.Errorf("results.csv record %q has %d fields, want 10", rec, len(rec))
		}
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
	for n, want := range map[int]string{7: "7", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if got := fmtRatio(2); got != "2.00×" {
		t.Errorf("fmtRatio(2) = %q", got)
	}
	if got := fmtRatio(123.4); got != "123×" {
		t.Errorf("fmtRatio(123.4) = %q", got)
	}
}

// The clock counts work, not waiting: sleeping barely moves it, spinning does.
func TestCPUClock(t *testing.T) {
	if !strings.HasPrefix(clockName, "CPU") {
		t.Skip("no process CPU clock on this system: " + clockName)
	}
	t0 := cpuNow()
	time.Sleep(50 * time.Millisecond)
	if d := cpuNow() - t0; d > 25*time.Millisecond {
		t.Errorf("sleeping 50ms used %v of CPU time", d)
	}
	t0 = cpuNow()
	for w := time.Now(); time.Since(w) < 20*time.Millisecond; {
	}
	if d := cpuNow() - t0; d <= 0 {
		t.Errorf("spinning 20ms used %v of CPU time", d)
	}
}

// The sums the Python script reports are checked against the harness' own
// reference: right sums pass, sums that are off fail.
func TestPyCheck(t *testing.T) {
	mm := matMulCase(70, 9, 3)
	mm.contenders[0].run(1)
	m, k, n := 70, 9, 3
	X, W, b := mm.pyData[0], mm.pyData[1], mm.pyData[2]
	step := max(1, m/64)
	var sum float64
	for i := 0; i < m; i += step {
		for j := 0; j < n; j++ {
			s := float32(0)
			for p := 0; p < k; p++ {
				s += X[i*k+p] * W[j*k+p]
			}
			sum += float64(s + b[j])
		}
	}
	if err := mm.pyCheck([]float64{sum}); err != nil {
		t.Errorf("matmul: right sum rejected: %v", err)
	}
	for _, bad := range [][]float64{{sum + 0.01}, {sum, sum}, nil} {
		if err := mm.pyCheck(bad); err == nil {
			t.Errorf("matmul: %v accepted, want %g", bad, sum)
		}
	}

	sq := sqErrCase(1000)
	P, T := sq.pyData[0], sq.pyData[1]
	var s2, s1 float64
	for i := range P {
		d := P[i] - T[i]
		s2 += float64(d * d)
		s1 += float64(d)
	}
	if err := sq.pyCheck([]float64{s2, s1}); err != nil {
		t.Errorf("sqerr: right sums rejected: %v", err)
	}
	for _, bad := range [][]float64{{s2 * 1.01, s1}, {s2, s1 + 0.01}, {s2}} {
		if err := sq.pyCheck(bad); err == nil {
			t.Errorf("sqerr: %v accepted, want (%g, %g)", bad, s2, s1)
		}
	}
}

// runPythonKernels with a stand-in for Python (a shell script): a library
// that is missing is a note, an answer that is wrong stops the run, and a
// case the script forgot is an error.
func TestRunPythonKernels(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to stand in for Python")
	}
	c := matMulCase(5, 3, 2)
	cases := []caseResult{{c: c}, {c: sqErrCase(10)}}
	script := func(body string) string {
		p := filepath.Join(t.TempDir(), "fake.sh")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	_, _, err = runPythonKernels(sh, script("echo MISSING lib=numpy reason=No_module\n"), cases, time.Millisecond, 3)
	var wrong wrongAnswer
	if err == nil || errors.As(err, &wrong) || !strings.Contains(err.Error(), "No module") {
		t.Errorf("missing NumPy: error %v, want a note naming the reason", err)
	}
	_, _, err = runPythonKernels(sh, script("echo KERNEL id=0 times=1e-6,2e-6,3e-6 calls=10 check=12345\necho KERNEL id=1 times=1e-6 calls=1 check=1,2\n"), cases, time.Millisecond, 3)
	if !errors.As(err, &wrong) || !strings.Contains(err.Error(), "5×3×2") {
		t.Errorf("wrong sum: error %v, want a wrong answer naming 5×3×2", err)
	}
	_, _, err = runPythonKernels(sh, script("echo INFO numpy=1\n"), cases, time.Millisecond, 3)
	if err == nil || errors.As(err, &wrong) || !strings.Contains(err.Error(), "reported nothing") {
		t.Errorf("no KERNEL lines: error %v", err)
	}
	// The manifest names every case with its arguments.
	_, _, err = runPythonKernels(sh, script(`cat "$2/manifest.txt" >&2; exit 3`), cases, time.Millisecond, 3)
	if err == nil || !strings.Contains(err.Error(), "sqerr 1 10") {
		t.Errorf("manifest: error %v, want its last line, sqerr 1 10", err)
	}
}

func TestParseKernel(t *testing.T) {
	run, err := parsePython([]byte("KERNEL id=3 times=1e-06,2.5e-06,2e-06 calls=40 check=1.5,-2\n"))
	if err != nil {
		t.Fatal(err)
	}
	k := run.kernels["3"]
	if len(k.times) != 3 || k.times[1] != 2500*time.Nanosecond || k.calls != 40 || len(k.check) != 2 || k.check[1] != -2 {
		t.Errorf("kernel = %+v", k)
	}
	for _, bad := range []string{"KERNEL times=1 calls=1 check=1", "KERNEL id=1 times=0 calls=1 check=1", "KERNEL id=1 times=1 calls=0 check=1", "KERNEL id=1 times=1 calls=1 check=x"} {
		if _, err := parsePython([]byte(bad + "\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: error %v, want one naming line 1", bad, err)
		}
	}
}

// pythonTraining with a stand-in for Python: missing libraries and failing
// scripts are notes, a model that did not train stops the run.
func TestPythonTraining(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to stand in for Python")
	}
	task := tutorialTask()
	try := func(body string) (*results, trainResult, error) {
		p := filepath.Join(t.TempDir(), "fake.sh")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		r := &results{}
		tr := trainResult{task: task}
		err := pythonTraining(config{python: sh, script: p, budget: time.Millisecond}, r, &tr)
		return r, tr, err
	}
	r, tr, err := try("echo INFO numpy=1.0\necho RESULT task=tutorial lib=numpy seconds=0.01 reps=3 spread=0.1 mse=40\necho MISSING lib=torch reason=No_module_named_torch\n")
	if err != nil || len(tr.rows) != 1 || tr.rows[0].lib != "NumPy SGD (float32)" || tr.rows[0].lang != "Python" {
		t.Errorf("numpy only: err %v, rows %+v", err, tr.rows)
	}
	if len(r.pyNotes) != 1 || !strings.Contains(r.pyNotes[0], "PyTorch skipped: No module named torch") || r.pyInfo["numpy"] != "1.0" {
		t.Errorf("numpy only: notes %q, info %v", r.pyNotes, r.pyInfo)
	}
	r, tr, err = try("echo Traceback >&2\nexit 1\n")
	if err != nil || len(tr.rows) != 0 || len(r.pyNotes) != 1 || !strings.Contains(r.pyNotes[0], "Traceback") {
		t.Errorf("failing script: err %v, rows %+v, notes %q", err, tr.rows, r.pyNotes)
	}
	_, _, err = try("echo RESULT task=tutorial lib=torch-fit seconds=0.01 reps=3 spread=0.1 mse=1e9\n")
	if err == nil || !strings.Contains(err.Error(), "did not train") {
		t.Errorf("untrained model: error %v", err)
	}
}

// Adding NumPy's timing to a case must not overwrite its ceilings, which
// come from the same measurement.
func TestCaseResultTimingsDoNotAliasCeilings(t *testing.T) {
	cr, err := measureCase(timer{budget: time.Millisecond, reps: 3}, sqErrCase(64))
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(cr.ceilings)
	cr.timings = append(cr.timings, timing{name: pyKernelName})
	for i := range before {
		if cr.ceilings[i].name != before[i].name {
			t.Errorf("ceiling %d became %q, was %q", i, cr.ceilings[i].name, before[i].name)
		}
	}
}
