package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// The optional second round of a merge across devices. Merged stats files
// give a solution as accurate as one pass of the QR, which on
// ill-conditioned data is a few digits short of train -init lstsq's, refined
// by a second pass over the rows. So each device sums its rows' residuals
// for the merged solution (edgefit stats -refine round1.json, where
// round1.json is solve -json's output) into a refinement file, and solve
// -stats … -refine … merges them and corrects the solution with the merged
// R (regress.QRRefinement): the refined single pass, to about 12 digits.

// roundOne is the part of solve -json's output a refinement needs.
type roundOne struct {
	Ridge float64 `json:"ridge"`
	Exact *struct {
		Weight [][]float64 `json:"weight"`
		Bias   []float64   `json:"bias"`
	} `json:"exact"`
	Inputs  []string `json:"inputs"`
	Outputs []string `json:"outputs"`
}

// maxRoundOne bounds the JSON read: the widest solution's 17-digit values
// take far less.
const maxRoundOne = 1 << 30

// readRoundOne reads the solution to refine from solve -json's output.
func readRoundOne(path string) (*roundOne, *regress.Solution, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("-refine: %v", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxRoundOne+1))
	if err != nil {
		return nil, nil, fmt.Errorf("-refine: %v", err)
	}
	if len(b) > maxRoundOne {
		return nil, nil, fmt.Errorf("%s: over %d bytes: not edgefit solve -json's output", path, maxRoundOne)
	}
	var r roundOne
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, nil, fmt.Errorf("%s%s: not edgefit solve -json's output: %v", path, jsonWhere(b, err), err)
	}
	k, n := len(r.Inputs), len(r.Outputs)
	switch {
	case r.Exact == nil:
		return nil, nil, fmt.Errorf(`%s: no "exact" solution: want edgefit solve -json's output`, path)
	case k == 0 || n == 0:
		return nil, nil, fmt.Errorf(`%s: no "inputs" or "outputs": want edgefit solve -json's output`, path)
	case len(r.Exact.Weight) != n || (len(r.Exact.Bias) != n && len(r.Exact.Bias) != 0):
		return nil, nil, fmt.Errorf(`%s: "exact" has %d rows of weights and %d intercepts for %d outputs`, path, len(r.Exact.Weight), len(r.Exact.Bias), n)
	case r.Ridge < 0:
		return nil, nil, fmt.Errorf(`%s: "ridge" is %v, want ≥ 0`, path, r.Ridge)
	}
	sol := &regress.Solution{}
	for j, row := range r.Exact.Weight {
		if len(row) != k {
			return nil, nil, fmt.Errorf(`%s: "exact" weights of output %d: %d values for %d inputs`, path, j, len(row), k)
		}
		sol.W = append(sol.W, row...)
	}
	if len(r.Exact.Bias) > 0 {
		sol.B = r.Exact.Bias
	}
	return &r, sol, nil
}

// jsonWhere is ":line:column" of the byte a JSON error was found at (the
// last one read), or "".
func jsonWhere(b []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) {
		off = se.Offset
	} else if errors.As(err, &te) {
		off = te.Offset
	}
	if off < 1 || off > int64(len(b)) {
		return ""
	}
	before := b[:off-1]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf(":%d:%d", line, col)
}

// readRefinement sums f.data's rows for round one's solution (f.refine);
// biasSet says whether -bias was given, to be checked against it.
func readRefinement(ctx context.Context, f *statsFlags, biasSet bool) (*modelfile.Refinement, error) {
	r1, sol, err := readRoundOne(f.refine)
	if err != nil {
		return nil, err
	}
	file, err := data.OpenCSVFile(f.data, splitNames(f.y), splitNames(f.x))
	if err != nil {
		return nil, err
	}
	defer file.Close()
	cols := file.Cols
	k, n := len(cols.X), len(cols.Y)
	in, out := cols.XNames(), cols.YNames()
	if strings.Join(in, "\x00") != strings.Join(r1.Inputs, "\x00") || strings.Join(out, "\x00") != strings.Join(r1.Outputs, "\x00") {
		return nil, fmt.Errorf("%s: columns %s → %s, %s solves %s → %s: give round one's -x and -y", f.data,
			clipArg(strings.Join(in, ",")), clipArg(strings.Join(out, ",")), f.refine, clipArg(strings.Join(r1.Inputs, ",")), clipArg(strings.Join(r1.Outputs, ",")))
	}
	intercept := sol.B != nil
	if biasSet && f.bias != intercept {
		return nil, fmt.Errorf("-bias=%v, but %s's solution has %s", f.bias, f.refine, map[bool]string{true: "an intercept", false: "none"}[intercept])
	}
	ref, err := regress.NewQRRefinementFor(k, n, intercept, sol, r1.Ridge)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.refine, err)
	}
	rows := statsRows(k, n)
	err = file.Pass64(make([]float64, rows*k), make([]float64, rows*n), func(m int, X, Y []float64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := ref.AddRows(m, X, k, Y, n); err != nil {
			return fmt.Errorf("%s: refining %s's solution: %v", f.data, f.refine, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s := ref.State()
	if s.Count == 0 {
		return nil, fmt.Errorf("%s: no rows", f.data)
	}
	return &modelfile.Refinement{Inputs: in, Outputs: out, K: k, N: n, Intercept: intercept, Rows: s.Count,
		Ridge: s.Alpha, W: s.W, B: s.B, SXR: s.SXR, SXRLo: s.SXRLo, SR: s.SR, SRLo: s.SRLo, SRR: s.SRR, SRRLo: s.SRRLo}, nil
}

// refineSolution merges the refinement files into a refinement of sol, the
// solution the merged stats (acc, columns those of s0, the first stats
// file) give, and returns the refined solution.
func refineSolution(acc *regress.QR, sol *regress.Solution, ridge float64, s0path string, s0 *modelfile.Stats, paths []string) (*regress.Solution, error) {
	var all *regress.QRRefinement
	var rows int64
	for _, p := range paths {
		r, err := modelfile.LoadRefinement(p)
		if err != nil {
			return nil, err
		}
		if err := refinementFits(p, r, s0path, s0, sol, ridge); err != nil {
			return nil, err
		}
		q, err := regress.NewQRRefinementFromState(regress.QRRefinementState{K: r.K, N: r.N, Intercept: r.Intercept,
			Alpha: r.Ridge, W: r.W, B: r.B, Count: r.Rows, SXR: r.SXR, SXRLo: r.SXRLo, SR: r.SR, SRLo: r.SRLo, SRR: r.SRR, SRRLo: r.SRRLo}, acc)
		if err == nil && r.Rows > acc.Count()-rows {
			err = fmt.Errorf("the refinement files hold more rows than the stats files' %d", acc.Count())
		}
		if err == nil && all != nil {
			err = all.Merge(q)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		if all == nil {
			all = q
		}
		rows += r.Rows
	}
	if rows != acc.Count() {
		return nil, fmt.Errorf("-refine: the refinement files hold %d rows, the stats files %d: refine every stats file's rows, once", rows, acc.Count())
	}
	return all.Solve()
}

// refinementFits refuses a refinement of other columns, another ridge term
// or another solution than the merged stats give.
func refinementFits(path string, r *modelfile.Refinement, s0path string, s0 *modelfile.Stats, sol *regress.Solution, ridge float64) error {
	if err := sameColumns(s0path, s0, path, &modelfile.Stats{Inputs: r.Inputs, Outputs: r.Outputs, K: r.K, N: r.N, Intercept: r.Intercept}); err != nil {
		return err
	}
	if r.Ridge != ridge {
		return fmt.Errorf("%s: a refinement of the solution for -ridge %v, solve has -ridge %v: give round one's -ridge", path, r.Ridge, ridge)
	}
	if !sameBits(r.W, sol.W) || !sameBits(r.B, sol.B) {
		return fmt.Errorf("%s: a refinement of another solution than these stats files give: refine the solution solve -json prints for the same -stats, in the same order", path)
	}
	return nil
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
