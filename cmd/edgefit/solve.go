package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

type solveFlags struct {
	stats, out, refine string
	ridge              float64
	json               bool
}

// cmdSolve merges stats files (edgefit stats) into the least-squares
// solution over all their rows, exact to float64 rounding, and exports it:
// the float32 model is the float64 solution rounded once.
func cmdSolve(e *env, args []string) error {
	var f solveFlags
	fs := newFlags(e, "solve", "-stats A.stats,B.stats,... [-o MODEL] [flags]")
	fs.StringVar(&f.stats, "stats", "", "stats `files` written by edgefit stats, comma-separated")
	fs.Float64Var(&f.ridge, "ridge", 0, "ridge term α: minimises ‖Xw + b − y‖² + α‖w‖², for collinear inputs")
	fs.StringVar(&f.refine, "refine", "", "second round: refinement `files` (edgefit stats -refine) of the solution these -stats give, comma-separated")
	fs.StringVar(&f.out, "o", "", "save the model to this `file` (safetensors layout)")
	fs.BoolVar(&f.json, "json", false, "print the results as one JSON object")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	paths := splitNames(f.stats)
	switch {
	case len(pos) > 0:
		return fmt.Errorf("unexpected argument %q (edgefit solve -h lists the flags)", pos[0])
	case len(paths) == 0:
		return errors.New("-stats is required: the stats files to merge, comma-separated")
	case f.ridge < 0 || math.IsNaN(f.ridge) || math.IsInf(f.ridge, 0):
		return fmt.Errorf("-ridge %v: want a finite number ≥ 0", f.ridge)
	}
	refs := splitNames(f.refine)
	if err := checkStatsPaths(f.out, "-stats", paths); err != nil {
		return err
	}
	if err := checkStatsPaths(f.out, "-refine", refs); err != nil {
		return err
	}
	signal.Ignore(syscall.SIGPIPE)
	res, err := solveStats(&f, paths, refs)
	if err != nil {
		return err
	}
	if f.out == "" {
		if err := res.print(e, &f); err != nil {
			return err
		}
		return flush(e.stdout)
	}
	res.Model = f.out
	var printErr error
	err = modelfile.SaveIf(f.out, res.mf, func() error {
		if printErr = res.print(e, &f); printErr == nil {
			printErr = flush(e.stdout)
		}
		return printErr
	})
	if err != nil && err == printErr {
		return fmt.Errorf("writing the results: %v (no model written)", err)
	}
	if err != nil {
		return fmt.Errorf("saving the model: %v", err)
	}
	return nil
}

// checkStatsPaths refuses a stats (or refinement) file named twice (its
// rows would count twice) and an output that is one of them or cannot be
// written. Each path is looked at once and the output checked once, so that
// thousands of files cost thousands of system calls, not millions.
func checkStatsPaths(out, flag string, paths []string) error {
	sts := make([]os.FileInfo, len(paths))
	for i, p := range paths {
		sts[i], _ = statPath(p)
		for j, q := range paths[:i] {
			if p == q || sts[i] != nil && sts[j] != nil && os.SameFile(sts[i], sts[j]) {
				return fmt.Errorf("%s names %s and %s, the same file: its rows would count twice", flag, q, p)
			}
		}
	}
	if out == "" {
		return nil
	}
	if ost, err := statPath(out); err == nil {
		for i, p := range paths {
			if sts[i] != nil && os.SameFile(ost, sts[i]) {
				return fmt.Errorf("-o %s is the same file as %s %s: refusing to overwrite an input", out, flag, p)
			}
		}
	}
	return checkOutput(out, nil)
}

// statPath is os.Stat, counted by a test.
var statPath = os.Stat

// solveResult is what solve reports; its JSON form is the -json output.
type solveResult struct {
	Files      int         `json:"files"`
	Refined    int         `json:"refined"`
	Rows       int64       `json:"rows"`
	Ridge      float64     `json:"ridge"`
	MSE        float64     `json:"mse"`
	OptimalMSE *float64    `json:"optimal_mse"`
	Exact      *exactJSON  `json:"exact"`
	Weight     [][]float32 `json:"weight"`
	Bias       []float32   `json:"bias"`
	Inputs     []string    `json:"inputs"`
	Outputs    []string    `json:"outputs"`
	Model      string      `json:"model,omitempty"`

	optimalErr error
	mf         *modelfile.File
}

// solveStats loads and merges the stats files, one at a time, and solves;
// with refinement files, it refines the solution with them.
func solveStats(f *solveFlags, paths, refs []string) (*solveResult, error) {
	var acc *regress.QR
	var first *modelfile.Stats
	for i, p := range paths {
		s, err := modelfile.LoadStats(p)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = s
		} else if err := sameColumns(paths[0], first, p, s); err != nil {
			return nil, err
		}
		qr, err := qrOf(s)
		if err == nil && i > 0 {
			err = acc.Merge(qr)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		if i == 0 {
			acc = qr
		}
	}
	res := &solveResult{Files: len(paths), Refined: len(refs), Rows: acc.Count(), Ridge: f.ridge, Inputs: first.Inputs, Outputs: first.Outputs}
	if res.Inputs == nil || res.Outputs == nil {
		return nil, fmt.Errorf("%s: no column names", paths[0])
	}
	sol, err := acc.Solve(f.ridge)
	if err != nil {
		return nil, explainSingular(err, res.Inputs)
	}
	if len(refs) > 0 {
		if sol, err = refineSolution(acc, sol, f.ridge, paths[0], first, refs); err != nil {
			return nil, err
		}
	}
	res.MSE = sol.MSE()
	plain, perr := sol, error(nil)
	if f.ridge != 0 {
		plain, perr = acc.Solve(0)
	}
	if perr != nil {
		res.optimalErr = explainSingular(perr, res.Inputs)
	} else {
		v := plain.MSE()
		res.OptimalMSE = &v
	}
	if err := res.export(acc, sol); err != nil {
		return nil, err
	}
	return res, nil
}

// sameColumns refuses stats of other columns, or of another model (with or
// without an intercept), than the first file's.
func sameColumns(path0 string, s0 *modelfile.Stats, path string, s *modelfile.Stats) error {
	if s.Intercept != s0.Intercept {
		with := map[bool]string{true: "with an intercept", false: "without an intercept (-bias=false)"}
		return fmt.Errorf("%s: stats %s, %s has them %s: merge only stats of the same model", path, with[s.Intercept], path0, with[s0.Intercept])
	}
	cols := func(s *modelfile.Stats) string {
		return clipArg(strings.Join(s.Inputs, ",")) + " → " + clipArg(strings.Join(s.Outputs, ","))
	}
	if s.K != s0.K || s.N != s0.N || strings.Join(s.Inputs, "\x00") != strings.Join(s0.Inputs, "\x00") ||
		strings.Join(s.Outputs, "\x00") != strings.Join(s0.Outputs, "\x00") || (s.Inputs == nil) != (s0.Inputs == nil) {
		return fmt.Errorf("%s: stats of columns %s, %s has %s: merge only stats of the same columns, in the same order", path, cols(s), path0, cols(s0))
	}
	return nil
}

// export makes the model: the float64 solution rounded to float32 once, for
// raw inputs (without a bias when the stats have no intercept), with the
// standardisation train's defaults would use on all the rows recorded.
func (r *solveResult) export(acc *regress.QR, sol *regress.Solution) error {
	k, n := acc.K(), acc.N()
	mean, m2 := acc.Moments()
	w := &regress.Welford{Count: acc.Count(), Mean: mean[:k], M2: m2[:k]}
	std := w.Standardizer()
	if !acc.Intercept() {
		std = w.ScaleOnly() // as train -bias=false standardises
	}
	mf := &modelfile.File{Inputs: r.Inputs, Outputs: r.Outputs, In: k, Out: n,
		W: sol.W32(), B: sol.B32(), Mean: std.Mean, Scale: std.Scale}
	if !acc.Intercept() {
		mf.B = nil // a model without bias
	}
	var err error
	if r.Exact, err = exactOf(sol, k); err != nil {
		return errors.New("the exact solution overflows float64 (rescale the data)")
	}
	for j := 0; j < n; j++ {
		r.Weight = append(r.Weight, mf.W[j*k:(j+1)*k])
	}
	r.Bias = append([]float32{}, mf.B...) // [] in JSON without a bias
	if err := mf.Check(); err != nil {
		return fmt.Errorf("the solution does not fit a float32 model: %v", err)
	}
	r.mf = mf
	return mf.CheckLimits()
}

func (r *solveResult) print(e *env, f *solveFlags) error {
	w := e.stdout
	if f.json {
		return json.NewEncoder(w).Encode(r)
	}
	fmt.Fprintf(w, "solved %d rows from %d stats files", r.Rows, r.Files)
	if r.Refined > 0 {
		fmt.Fprintf(w, ", refined by %d refinement files", r.Refined)
	}
	fmt.Fprintf(w, ": MSE %.6g", r.MSE)
	if r.Ridge != 0 && r.OptimalMSE != nil {
		fmt.Fprintf(w, " with ridge %g (least-squares optimum MSE %.6g)", r.Ridge, *r.OptimalMSE)
	}
	fmt.Fprintln(w)
	for j, name := range r.Outputs {
		fmt.Fprintf(w, "%s = ", name)
		for p, in := range r.Inputs {
			fmt.Fprintf(w, "%+.6g·%s ", r.Weight[j][p], in)
		}
		if len(r.Bias) > 0 {
			fmt.Fprintf(w, "%+.6g", r.Bias[j])
		}
		fmt.Fprintln(w)
	}
	if r.Model != "" {
		fmt.Fprintf(w, "model saved to %s\n", r.Model)
	}
	return nil
}
