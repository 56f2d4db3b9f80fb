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

// pyRun is everything one run of the script reported.
type pyRun struct {
	results []pyResult
	info    map[string]string // INFO key=value pairs
	missing map[string]string // library → why it did not run
}

// pythonNames are the names in tables and charts of what the script measures.
var pythonNames = map[string]string{
	"numpy":        "NumPy SGD (float32)",
	"torch-fit":    "PyTorch fit() (DataLoader)",
	"torch-sliced": "PyTorch, sliced batches",
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
	run := &pyRun{info: map[string]string{}, missing: map[string]string{}}
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
		}
	}
	return run, sc.Err()
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
