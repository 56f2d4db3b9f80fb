package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// pyResult is one RESULT line of pytorch_bench.py.
type pyResult struct {
	task, lib string
	seconds   float64 // median of one whole training run
	reps      int
	spread    float64
	mse       float64
}

// pyKernel is one KERNEL line of pytorch_bench.py.
type pyKernel struct {
	times []time.Duration // CPU time per call, one per repetition
	calls int             // calls per repetition
	check []float64       // sums over the answer, for the case's pyCheck
}

// pyRun is everything one run of the script reported.
type pyRun struct {
	results []pyResult
	kernels map[string]pyKernel // by case id
	info    map[string]string   // INFO key=value pairs
	missing map[string]string   // library → why it did not run
}

// pythonNames are the names in tables and charts of what the script measures.
var pythonNames = map[string]string{
	"torch":        "PyTorch",
	"numpy":        "NumPy SGD (float32)",
	"torch-fit":    "PyTorch fit() (DataLoader)",
	"torch-sliced": "PyTorch (sliced batches)",
}

// pythonName is how a library the script reports is named in tables and charts.
func pythonName(lib string) string {
	if n, ok := pythonNames[lib]; ok {
		return n
	}
	return lib
}

// runPython trains task with the script at script, using interpreter python,
// after writing the task's data where the script reads it. A missing
// interpreter or a failing script is returned as an error saying which; a
// library the interpreter lacks is reported in missing, not as an error.
func runPython(python, script string, task *trainTask, budget time.Duration, timeout time.Duration) (*pyRun, error) {
	if _, err := exec.LookPath(python); err != nil {
		return nil, fmt.Errorf("no Python interpreter %q: %v", python, err)
	}
	dir, err := os.MkdirTemp("", "edgefit-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	xf, yf := filepath.Join(dir, "x.f32"), filepath.Join(dir, "y.f32")
	if err := writeFloats(xf, task.X); err != nil {
		return nil, err
	}
	if err := writeFloats(yf, task.Y); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, script,
		"--task", task.name, "--x", xf, "--y", yf,
		"--n", strconv.Itoa(task.n), "--d", strconv.Itoa(task.d), "--o", strconv.Itoa(task.o),
		"--batch", strconv.Itoa(task.batch), "--epochs", strconv.Itoa(task.epochs),
		"--lr", strconv.FormatFloat(float64(task.lr), 'g', -1, 32),
		"--budget", strconv.FormatFloat(budget.Seconds(), 'g', -1, 64))
	// One thread everywhere, as edgefit and the Go contenders run.
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	run, perr := parsePython(out)
	if err != nil {
		return run, fmt.Errorf("%s %s (task %s): %v: %s", python, script, task.name, err, lastLine(stderr.String()))
	}
	return run, perr
}

// parsePython reads the script's output; lines it does not know (a library's
// warnings) are ignored, malformed RESULT lines are errors naming the line.
func parsePython(out []byte) (*pyRun, error) {
	run := &pyRun{kernels: map[string]pyKernel{}, info: map[string]string{}, missing: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for line := 1; sc.Scan(); line++ {
		kind, rest, _ := strings.Cut(sc.Text(), " ")
		kv := map[string]string{}
		for _, f := range strings.Fields(rest) {
			k, v, ok := strings.Cut(f, "=")
			if ok {
				kv[k] = v
			}
		}
		switch kind {
		case "INFO":
			for k, v := range kv {
				run.info[k] = v
			}
		case "MISSING":
			run.missing[kv["lib"]] = strings.ReplaceAll(kv["reason"], "_", " ")
		case "RESULT":
			r := pyResult{task: kv["task"], lib: kv["lib"]}
			var errs []string
			num := func(key string) float64 {
				v, err := strconv.ParseFloat(kv[key], 64)
				if err != nil {
					errs = append(errs, key)
				}
				return v
			}
			r.seconds, r.spread, r.mse = num("seconds"), num("spread"), num("mse")
			r.reps = int(num("reps"))
			if r.task == "" || r.lib == "" || len(errs) > 0 || r.seconds <= 0 {
				return run, fmt.Errorf("python output line %d: malformed RESULT (bad %v): %q", line, errs, sc.Text())
			}
			run.results = append(run.results, r)
		case "KERNEL":
			k, err := parseKernel(kv)
			if err != nil {
				return run, fmt.Errorf("python output line %d: malformed KERNEL (%v): %q", line, err, sc.Text())
			}
			run.kernels[kv["id"]] = k
		}
	}
	return run, sc.Err()
}

func parseKernel(kv map[string]string) (pyKernel, error) {
	var k pyKernel
	if kv["id"] == "" {
		return k, fmt.Errorf("no id")
	}
	floats := func(key string) ([]float64, error) {
		var v []float64
		for _, f := range strings.Split(kv[key], ",") {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, fmt.Errorf("bad %s", key)
			}
			v = append(v, x)
		}
		return v, nil
	}
	ts, err := floats("times")
	if err != nil {
		return k, err
	}
	for _, t := range ts {
		if !(t > 0) {
			return k, fmt.Errorf("time %g", t)
		}
		k.times = append(k.times, time.Duration(t*1e9))
	}
	if k.calls, err = strconv.Atoi(kv["calls"]); err != nil || k.calls < 1 {
		return k, fmt.Errorf("bad calls")
	}
	k.check, err = floats("check")
	return k, err
}

// pyKernelName is the NumPy contender's name in the kernel tables and charts.
const pyKernelName = "NumPy"

// runPythonKernels times NumPy on every kernel case, on the operands of the
// case written to files, and checks its answers with each case's pyCheck.
// It returns one timing per case, in order, or an error saying why there are
// none (a missing interpreter or NumPy is not a failure of the harness; a
// wrong answer is, and is marked so by wrongAnswer).
func runPythonKernels(python, script string, cases []caseResult, budget time.Duration, reps int) (ts []timing, info map[string]string, err error) {
	if _, err := exec.LookPath(python); err != nil {
		return nil, nil, fmt.Errorf("no Python interpreter %q: %v", python, err)
	}
	dir, err := os.MkdirTemp("", "edgefit-bench-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	var manifest strings.Builder
	for i, cr := range cases {
		for j, d := range cr.c.pyData {
			if err := writeFloats(filepath.Join(dir, fmt.Sprintf("%d.%d", i, j)), d); err != nil {
				return nil, nil, err
			}
		}
		fmt.Fprintf(&manifest, "%s %d %s\n", cr.c.kernel, i, cr.c.pyArgs)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.txt"), []byte(manifest.String()), 0o644); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, script, "--kernels", dir,
		"--budget", strconv.FormatFloat(budget.Seconds(), 'g', -1, 64), "--reps", strconv.Itoa(reps))
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s --kernels: %v: %s", python, script, err, lastLine(stderr.String()))
	}
	run, err := parsePython(out)
	if err != nil {
		return nil, nil, err
	}
	if why, ok := run.missing["numpy"]; ok {
		return nil, run.info, fmt.Errorf("NumPy is missing: %s", why)
	}
	for i, cr := range cases {
		k, ok := run.kernels[strconv.Itoa(i)]
		if !ok {
			return nil, run.info, fmt.Errorf("%s %s --kernels reported nothing for %s %s", python, script, cr.c.kernel, cr.c.label)
		}
		if err := cr.c.pyCheck(k.check); err != nil {
			return nil, run.info, wrongAnswer{fmt.Errorf("%s %s: %v", pyKernelName, cr.c.label, err)}
		}
		t := timing{name: pyKernelName, reps: k.times, iters: k.calls}
		t.perOp, t.spread = summarize(k.times)
		ts = append(ts, t)
	}
	return ts, run.info, nil
}

// wrongAnswer marks an error as a contender computing something else, which
// stops the run, unlike a library that is merely missing.
type wrongAnswer struct{ error }

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
