package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/edgefit/edgefit/internal/emulator"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
)

// The tests run the built binary end to end, as a user does.

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "edgefit-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "edgefit")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the command: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	if runtime.GOOS == "linux" {
		launcherBin = filepath.Join(dir, "launcher")
		if out, err := exec.Command("go", "build", "-o", launcherBin, "./testdata/launcher").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the launcher: %v\n%s", err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// launcherBin is the launcher that reports a command's peak resident set
// (see launcher_test.go), built from testdata/launcher on Linux.
var launcherBin string

// qemu, when set, is the user-mode emulator that runs the built binary.
var qemu string

type result struct {
	stdout, stderr string
	code           int
}

func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	run := func() error {
		cmd := exec.Command(bin, args...)
		if qemu != "" {
			cmd = exec.Command(qemu, append([]string{bin}, args...)...)
		}
		cmd.Stdin = strings.NewReader(stdin)
		out.Reset()
		errb.Reset()
		cmd.Stdout, cmd.Stderr = &out, &errb
		return cmd.Run()
	}
	err := run()
	if errors.Is(err, syscall.ENOEXEC) && qemu == "" {
		// The tests run under a user-mode emulator without binfmt_misc
		// (GOARCH=arm64 go test -exec qemu-aarch64-static): the kernel cannot
		// start the binary, built for the same GOARCH, so run it under the
		// same emulator.
		qemu = mustEmulator(t, err)
		err = run()
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func ok(t *testing.T, r result) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	return r
}

const crops = "../../fixtures/crops.csv"

func TestEmbeddedDataIsTheFixture(t *testing.T) {
	b, err := os.ReadFile(crops)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, cropsCSV) {
		t.Error("cmd/edgefit/crops.csv differs from fixtures/crops.csv")
	}
}

func TestDefaultRun(t *testing.T) {
	r := ok(t, runCmd(t, ""))
	epochs := regexp.MustCompile(`(?m)^Epoch \[(\d+)/100\], Loss: (\d+\.\d{4})$`).FindAllStringSubmatch(r.stdout, -1)
	if len(epochs) != 10 {
		t.Fatalf("%d epoch lines, want 10:\n%s", len(epochs), r.stdout)
	}
	for i, m := range epochs {
		if m[1] != strconv.Itoa(10*(i+1)) {
			t.Errorf("line %d reports epoch %s, want %d", i, m[1], 10*(i+1))
		}
	}
	for _, want := range []string{"weight (apples, oranges by temp, rainfall, humidity)", "bias:", "predictions beside targets", "prediction for a new region (75, 63, 44): apples "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	num := func(label string) float64 {
		m := regexp.MustCompile(regexp.QuoteMeta(label) + `.*?\s(\d+\.\d+)\n`).FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("no %q line in:\n%s", label, r.stdout)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	raw, std, exact := num("raw inputs, SGD"), num("standardised inputs, SGD"), num("exact least squares")
	// The exact solution, computed here independently of the command.
	ls, _ := regress.NewQR(3, 2, true)
	tab, err := data.ReadTable(bytes.NewReader(cropsCSV), "crops.csv", []string{"apples", "oranges"}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ls.AddRows32(tab.X, tab.Y)
	sol, _ := ls.Solve(0)
	if math.Abs(exact-sol.MSE()) > 1e-4 {
		t.Errorf("exact MSE printed %v, want %v", exact, sol.MSE())
	}
	if !(exact <= std*(1+1e-5) && std < raw) {
		t.Errorf("MSE raw %v, standardised %v, exact %v: want raw > standardised ≥ exact", raw, std, exact)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
}

type trainJSON struct {
	Epochs     *int        `json:"epochs"`
	Rows       int         `json:"rows"`
	ValRows    int         `json:"val_rows"`
	TrainMSE   *float64    `json:"train_mse"`
	ValMSE     *float64    `json:"val_mse"`
	R2         *float64    `json:"r2"`
	MAE        *float64    `json:"mae"`
	OptimalMSE *float64    `json:"optimal_mse"`
	RowsPerSec *float64    `json:"rows_per_sec"`
	Weight     [][]float64 `json:"weight"`
	Bias       []float64   `json:"bias"`
	Streamed   bool        `json:"streamed"`
	BestEpoch  int         `json:"best_epoch"`
	Rollbacks  int         `json:"rollbacks"`
}

func trainJ(t *testing.T, args ...string) trainJSON {
	t.Helper()
	r := ok(t, runCmd(t, "", append([]string{"train", "-json", "-quiet"}, args...)...))
	var j trainJSON
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"epochs", "train_mse", "val_mse", "r2", "mae", "optimal_mse", "rows_per_sec", "weight", "bias"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestTrainPredictEvalRoundTrip(t *testing.T) {
	model := filepath.Join(t.TempDir(), "crops.safetensors")
	j := trainJ(t, "-data", crops, "-y", "apples,oranges", "-batch", "5", "-o", model)
	if *j.Epochs != 100 || j.Rows != 15 || j.ValMSE != nil || j.Streamed {
		t.Errorf("epochs %d rows %d val %v streamed %v", *j.Epochs, j.Rows, j.ValMSE, j.Streamed)
	}
	if len(j.Weight) != 2 || len(j.Weight[0]) != 3 || len(j.Bias) != 2 {
		t.Fatalf("weight %v bias %v: want 2×3 and 2", j.Weight, j.Bias)
	}
	// Standardised SGD gets within a few per cent of the optimum here, and
	// can never beat it by more than rounding.
	if !(*j.TrainMSE >= *j.OptimalMSE*(1-1e-5) && *j.TrainMSE < 1.1**j.OptimalMSE) {
		t.Errorf("train_mse %v, optimal_mse %v", *j.TrainMSE, *j.OptimalMSE)
	}
	if !(*j.R2 > 0.99 && *j.R2 <= 1 && *j.MAE > 0 && *j.RowsPerSec > 0) {
		t.Errorf("r2 %v mae %v rows/s %v", *j.R2, *j.MAE, *j.RowsPerSec)
	}

	// predict applies exactly the weights reported, to raw inputs.
	r := ok(t, runCmd(t, "", "predict", "-model", model, "75,63,44", "-json"))
	var p struct {
		Outputs     []string
		Predictions [][]float64
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	x := []float64{75, 63, 44}
	for jj := 0; jj < 2; jj++ {
		want := j.Bias[jj]
		for q := range x {
			want += j.Weight[jj][q] * x[q]
		}
		if math.Abs(p.Predictions[0][jj]-want) > 1e-4*math.Abs(want) {
			t.Errorf("predict output %d = %v, weights give %v", jj, p.Predictions[0][jj], want)
		}
	}
	if strings.Join(p.Outputs, ",") != "apples,oranges" {
		t.Errorf("outputs %v", p.Outputs)
	}
	// The CSV (from stdin, with its header) gives one line per row.
	data, _ := os.ReadFile(crops)
	r = ok(t, runCmd(t, string(data), "predict", "-model", model))
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 16 || lines[0] != "apples,oranges" {
		t.Errorf("predict from stdin: %d lines, first %q", len(lines), lines[0])
	}

	// eval on the training rows reproduces train_mse.
	r = ok(t, runCmd(t, "", "eval", "-model", model, "-data", crops, "-json"))
	var ev struct {
		Rows    int
		Overall struct{ MSE, RMSE, MAE, R2 float64 }
		Outputs []struct {
			Name          string
			MSE, RMSE, R2 float64
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Rows != 15 || math.Abs(ev.Overall.MSE-*j.TrainMSE) > 1e-9**j.TrainMSE || math.Abs(ev.Overall.R2-*j.R2) > 1e-9 {
		t.Errorf("eval: %+v; train said mse %v r2 %v", ev, *j.TrainMSE, *j.R2)
	}
	if len(ev.Outputs) != 2 || math.Abs(ev.Outputs[0].RMSE-math.Sqrt(ev.Outputs[0].MSE)) > 1e-12 {
		t.Errorf("eval outputs %+v", ev.Outputs)
	}
	r = ok(t, runCmd(t, "", "eval", "-model", model, "-data", crops))
	for _, want := range []string{"apples", "oranges", "overall", "RMSE", "R²"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("eval output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// bigCSV writes rows of y = 3x₁ − 2x₂ + 0.5x₃ + 10 + noise.
func bigCSV(t *testing.T, rows int) string {
	path := filepath.Join(t.TempDir(), "big.csv")
	var b strings.Builder
	b.WriteString("x1,x2,x3,y\n")
	s := uint32(1)
	next := func() float64 { s = s*1664525 + 1013904223; return float64(s>>8) / (1 << 24) }
	for i := 0; i < rows; i++ {
		x1, x2, x3 := 100*next(), 10*next(), next()
		fmt.Fprintf(&b, "%.4f,%.4f,%.4f,%.4f\n", x1, x2, x3, 3*x1-2*x2+0.5*x3+10+0.1*(next()-0.5))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Streaming passes over the file in chunks train exactly as in memory when
// the rows come in order (chunks are whole batches).
func TestStreamingMatchesInMemory(t *testing.T) {
	path := bigCSV(t, 3000)
	args := []string{"-data", path, "-y", "y", "-epochs", "5", "-batch", "16", "-shuffle=false", "-chunk-rows", "200"}
	mem := trainJ(t, args...)
	str := trainJ(t, append(args, "-mem-mb", "0")...)
	if mem.Streamed || !str.Streamed {
		t.Fatalf("streamed: %v and %v, want false and true", mem.Streamed, str.Streamed)
	}
	for q := range mem.Weight[0] {
		if mem.Weight[0][q] != str.Weight[0][q] {
			t.Errorf("weight %d: %v in memory, %v streamed", q, mem.Weight[0][q], str.Weight[0][q])
		}
	}
	if *mem.TrainMSE != *str.TrainMSE || *mem.OptimalMSE != *str.OptimalMSE {
		t.Errorf("train_mse %v vs %v, optimal %v vs %v", *mem.TrainMSE, *str.TrainMSE, *mem.OptimalMSE, *str.OptimalMSE)
	}
	// Shuffled streaming with a validation split still learns the model.
	sh := trainJ(t, "-data", path, "-y", "y", "-epochs", "20", "-batch", "16", "-chunk-rows", "200", "-mem-mb", "0", "-val", "0.2", "-patience", "3")
	if sh.ValMSE == nil || sh.ValRows < 400 || sh.ValRows > 800 || sh.Rows+sh.ValRows != 3000 {
		t.Fatalf("val_mse %v, %d val rows of 3000", sh.ValMSE, sh.ValRows)
	}
	if w := sh.Weight[0]; math.Abs(w[0]-3) > 0.01 || math.Abs(w[1]+2) > 0.01 || *sh.ValMSE > 0.01 {
		t.Errorf("weights %v, val_mse %v: want about [3 -2 0.5] and the noise's 0.0008", w, *sh.ValMSE)
	}
}

func TestInitAndGuard(t *testing.T) {
	dir := t.TempDir()
	init := filepath.Join(dir, "init.json")
	os.WriteFile(init, []byte(`{"weight": [[-0.42, 0.84, 0.68], [-0.25, 0.79, 0.92]], "bias": [2.2, -5.0]}`), 0o644)
	// One tiny step from given raw weights: the result stays next to them.
	j := trainJ(t, "-data", crops, "-y", "apples,oranges", "-init", init, "-epochs", "1", "-lr", "1e-9")
	if math.Abs(j.Weight[1][2]-0.92) > 1e-4 || math.Abs(j.Bias[0]-2.2) > 1e-3 {
		t.Errorf("weights %v bias %v: want those of -init", j.Weight, j.Bias)
	}
	// Raw inputs at lr 1e-3 diverge; the guard rolls back and halves the
	// rate until training holds.
	args := []string{"-data", crops, "-y", "apples,oranges", "-standardize=false", "-lr", "1e-3", "-batch", "5", "-epochs", "50"}
	r := runCmd(t, "", append([]string{"train"}, args...)...)
	if r.code != 2 || !strings.Contains(r.stderr, "diverged") {
		t.Errorf("without the guard: status %d, stderr %q; want 2 and a divergence", r.code, r.stderr)
	}
	g := trainJ(t, append(args, "-rollbacks", "30")...)
	if g.Rollbacks == 0 || *g.Epochs != 50 || !(*g.TrainMSE < 1000) {
		t.Errorf("with the guard: %d rollbacks, %d epochs, mse %v", g.Rollbacks, *g.Epochs, *g.TrainMSE)
	}
}

// Every user mistake: status 2, one line on stderr naming the problem, no
// panic, and no model file written.
func TestUserMistakes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o644)
		return p
	}
	bad := write("bad.csv", "a,b,y\n1,2,3\n4,x,6\n")
	ragged := write("ragged.csv", "a,b,y\n1,2,3\n4,5\n")
	empty := write("empty.csv", "")
	collinear := write("col.csv", "a,b,y\n1,2,1\n2,4,2\n3,6,3\n")
	corrupt := write("corrupt.safetensors", "\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}        ")
	badInit := write("init.json", `{"weight": [[1, 2]], "bias": [0]}`)
	model := filepath.Join(dir, "out.safetensors")
	good := filepath.Join(dir, "good.safetensors")
	ok(t, runCmd(t, "", "train", "-quiet", "-data", crops, "-y", "apples,oranges", "-epochs", "2", "-o", good))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"train"}, "-data is required"},
		{[]string{"train", "-data", crops}, "-y is required"},
		{[]string{"train", "-data", crops, "-y", "pears"}, `target column "pears" is not in the header`},
		{[]string{"train", "-data", filepath.Join(dir, "none.csv"), "-y", "y"}, "no such file"},
		{[]string{"train", "-data", bad, "-y", "y"}, `bad.csv:3:3: column "b": "x" is not a number`},
		{[]string{"train", "-data", ragged, "-y", "y"}, "ragged.csv:3: ragged row"},
		{[]string{"train", "-data", empty, "-y", "y"}, "empty file"},
		{[]string{"train", "-data", crops, "-y", "apples", "-epochs", "0"}, "-epochs 0"},
		{[]string{"train", "-data", crops, "-y", "apples", "-val", "1.5"}, "-val 1.5"},
		{[]string{"train", "-data", crops, "-y", "apples", "-patience", "3"}, "-patience needs a validation split"},
		{[]string{"train", "-data", crops, "-y", "apples", "-optimizer", "lbfgs"}, `-optimizer "lbfgs"`},
		{[]string{"train", "-data", crops, "-y", "apples", "-lr", "abc"}, "invalid value"},
		{[]string{"train", "-data", crops, "-y", "apples", "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"train", "-data", crops, "-y", "apples", "-schedule", "cosine"}, `schedule "cosine"`},
		{[]string{"train", "-data", crops, "-y", "apples,oranges", "-init", badInit}, "1 weight rows and 1 biases, want 2"},
		{[]string{"train", "-data", collinear, "-y", "y", "-init", "lstsq"}, `input "b" is constant or a linear combination`},
		{[]string{"train", "-data", crops, "-y", "apples", "-nesterov"}, "Nesterov"},
		{[]string{"predict"}, "-model is required"},
		{[]string{"predict", "-model", corrupt, "1,2,3"}, "not a valid edgefit model file"},
		{[]string{"predict", "-model", good, "1,2"}, `row 1 "1,2" has 2 values, the model takes 3`},
		{[]string{"predict", "-model", good, "1,2,z"}, `"z" is not a number`},
		{[]string{"eval", "-model", good, "-data", bad}, "not in the header"},
		{[]string{"eval", "-model", good}, "-model and -data are required"},
		{[]string{"predict", "-model", good}, "stdin: empty file: no rows to predict"},
		{[]string{"predict", "-model", good, "-data", ragged}, "the header has no column \"temp\""},
		{[]string{"bench", "extra"}, `unexpected argument "extra"`},
	} {
		args := tc.args
		if args[0] == "train" {
			args = append(args, "-o", model)
		}
		r := runCmd(t, "", args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 ||
			strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") ||
			strings.Contains(r.stderr, "regress: ") || strings.Contains(r.stderr, "linalg: ") ||
			strings.Contains(r.stderr, "modelfile: ") || strings.Contains(r.stderr, " data: ") {
			t.Errorf("edgefit %s: status %d, stderr %q; want 2 and one line containing %q, without a library's package prefix", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
		if _, err := os.Stat(model); err == nil {
			t.Errorf("edgefit %s wrote %s", strings.Join(tc.args, " "), model)
			os.Remove(model)
		}
	}
	// Nothing but the files written above is left in the directory (no
	// temporary files from saving).
	entries, _ := os.ReadDir(dir)
	if len(entries) != 7 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v", names)
	}
}

func TestInfoAndBench(t *testing.T) {
	r := ok(t, runCmd(t, "", "info"))
	for _, want := range []string{"kernels", "why", "available", "CPU"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("info lacks %q:\n%s", want, r.stdout)
		}
	}
	r = ok(t, runCmd(t, "", "bench", "-time", "5ms"))
	for _, k := range []string{"peak FMA", "peak load", "MatMulBias", "GradW", "SqErr", "SqErrSum", "ColSums", "Axpy", "Dot", "% of the FMA peak", "% of the load peak", "fastest: "} {
		if !strings.Contains(r.stdout, k) {
			t.Errorf("bench lacks %q:\n%s", k, r.stdout)
		}
	}
	r = ok(t, runCmd(t, "", "train", "-h"))
	if !strings.Contains(r.stdout, "-standardize") {
		t.Errorf("train -h:\n%s", r.stdout)
	}
}

// The optimiser flags reach the optimiser: each converges on the crop data,
// except where it should not (weight decay pulls the weights off the
// least-squares optimum; 1/√t decay slows SGD down).
func TestOptimizerFlags(t *testing.T) {
	base := []string{"-data", crops, "-y", "apples,oranges", "-batch", "5"}
	plain := trainJ(t, base...)
	for _, tc := range []struct {
		args     []string
		lo, hi   float64 // bounds on train_mse / optimal_mse
		slowerTo float64 // if set, train_mse must exceed this
	}{
		{[]string{"-optimizer", "adam", "-lr", "0.5"}, 1, 1.05, 0},
		{[]string{"-momentum", "0.9", "-nesterov", "-lr", "0.02"}, 1, 1.05, 0},
		{[]string{"-schedule", "step:30:0.5"}, 1, 1.05, 0},
		{[]string{"-weight-decay", "0.01"}, 1.2, 10, *plain.TrainMSE},
		{[]string{"-schedule", "invscaling:0.5"}, 1.2, 10, *plain.TrainMSE},
	} {
		j := trainJ(t, append(base, tc.args...)...)
		r := *j.TrainMSE / *j.OptimalMSE
		if r < tc.lo*(1-1e-5) || r > tc.hi || *j.TrainMSE <= tc.slowerTo {
			t.Errorf("%v: train_mse %v = %.4f × optimum; want %v to %v×, above %v", tc.args, *j.TrainMSE, r, tc.lo, tc.hi, tc.slowerTo)
		}
	}
}

// Early stopping ends the run patience epochs after the best validation
// loss and keeps that epoch's weights.
func TestEarlyStopping(t *testing.T) {
	path := bigCSV(t, 2000)
	j := trainJ(t, "-data", path, "-y", "y", "-epochs", "300", "-val", "0.25", "-patience", "3")
	if *j.Epochs >= 300 || j.BestEpoch == 0 || *j.Epochs != j.BestEpoch+3 {
		t.Errorf("ran %d epochs, best %d: want to stop 3 epochs after the best, before 300", *j.Epochs, j.BestEpoch)
	}
	if j.ValMSE == nil || *j.ValMSE > 0.01 {
		t.Errorf("val_mse %v", j.ValMSE)
	}
}

// The text output calls it early stopping only when the run stopped early
// (it once said "early stopping: kept epoch 100" after all 100 epochs).
func TestEarlyStoppingText(t *testing.T) {
	r := ok(t, runCmd(t, "", "train", "-data", crops, "-y", "apples,oranges", "-val", "0.2", "-patience", "5"))
	j := trainJ(t, "-data", crops, "-y", "apples,oranges", "-val", "0.2", "-patience", "5")
	if *j.Epochs != 100 || j.BestEpoch != 100 {
		t.Fatalf("ran %d epochs, best %d: the case wants a run whose last epoch is the best", *j.Epochs, j.BestEpoch)
	}
	if strings.Contains(r.stdout, "early stopping") || strings.Contains(r.stdout, "kept") {
		t.Errorf("a run of every epoch, the last the best, says:\n%s", r.stdout)
	}
	path := bigCSV(t, 2000)
	r = ok(t, runCmd(t, "", "train", "-data", path, "-y", "y", "-epochs", "300", "-val", "0.25", "-patience", "3"))
	j = trainJ(t, "-data", path, "-y", "y", "-epochs", "300", "-val", "0.25", "-patience", "3")
	want := fmt.Sprintf("early stopping: stopped at epoch %d, 3 after the best on validation (epoch %d), whose weights are kept\n", *j.Epochs, j.BestEpoch)
	if !strings.Contains(r.stdout, want) {
		t.Errorf("a run that stopped early says:\n%s\nwant a line %q", r.stdout, want)
	}
}

// mustEmulator returns the emulator for this GOARCH, or fails the test with
// why the child could not start and what to install.
func mustEmulator(t *testing.T, cause error) string {
	t.Helper()
	path, err := emulator.For(runtime.GOARCH)
	if err != nil {
		t.Fatalf("cannot start a %s child process (%v): %v", runtime.GOARCH, cause, err)
	}
	return path
}
