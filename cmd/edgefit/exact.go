package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// The statistics of train are computed from the values read as float64: the
// standardisation's means and spreads (Welford) and the exact least-squares
// solution, a streaming QR factorisation (regress.QR). Rounding the data to
// float32 first would cost the solution most of its digits, whatever the
// solver. The rows trained on are the same values rounded to float32.

// firstPass is what train's first pass over the data gathers.
type firstPass struct {
	rows, trainRows int64
	inMemory        bool
	mem             *table     // the training rows (float32), while they fit
	val             *rowBlocks // the validation split
	welford         *regress.Welford
	qr              *regress.QR
	// The training rows as float64, kept when the data is read once and
	// the exact solution is refined by a second pass over them.
	rows64 *rows64
	x, y   []float32 // a row rounded to float32
}

// pass64Rows bounds the rows of the float64 buffers of the passes that read
// float64: the pass's results do not depend on it.
const pass64Rows = 4096

// readFirstPass reads the data once: the validation split, the
// standardisation's statistics, the least-squares accumulator, and the
// training rows themselves while they fit in memory (extra: the bytes a row
// in memory takes besides its values).
func readFirstPass(ctx context.Context, f *trainFlags, file *data.CSVFile, chunk int, extra int64, prog *progress) (*firstPass, error) {
	cols := file.Cols
	k, n := len(cols.X), len(cols.Y)
	budget := int64(f.memMB) << 20
	// A pipe or a device is read once: into memory, within the budget.
	pipe := !file.Rereadable()
	fp := &firstPass{inMemory: pipe, val: newRowBlocks(k, n, max(budget, valMinBudget)),
		x: make([]float32, k), y: make([]float32, n)}
	if pipe && f.init == "lstsq" {
		extra += int64(8 * (k + n))
		fp.rows64 = &rows64{k: k, n: n}
	}
	fp.mem = &table{k: k, n: n, budget: budget, extra: extra}
	if !pipe {
		// Load the rows only if they surely fit, deciding up front so that
		// the memory a large file takes stays the streaming buffers.
		most, err := mostRows(f.data, len(cols.Header), k+n)
		if err != nil {
			return nil, err
		}
		fp.inMemory = fp.mem.reserve(most)
	}
	var err error
	if fp.welford, err = regress.NewWelford(k); err != nil {
		return nil, err
	}
	if fp.qr, err = regress.NewQR(k, n, f.bias); err != nil {
		return nil, fmt.Errorf("%s: %s: use fewer inputs (-x)", f.data, strings.TrimPrefix(err.Error(), "regress: "))
	}
	rows := min(chunk, pass64Rows)
	// Reading and the work on the rows read overlap (passAhead).
	err = passAhead(file.Pass64, make([]float64, rows*k), make([]float64, rows*n), func(m int, X, Y []float64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		prog.reading(f.data, fp.rows)
		kept, err := fp.add(f, pipe, m, X, Y)
		if err != nil {
			return err
		}
		return fp.qr.AddRows(kept, X, k, Y, n)
	})
	if err != nil {
		return nil, err
	}
	prog.done()
	if fp.inMemory && pipe {
		// The storage outgrown while reading is garbage: collected now,
		// its memory takes the copies made next.
		runtime.GC()
	}
	return fp, nil
}

// add sorts a chunk's m rows into the validation split and the training
// rows, which it moves to the front of X and Y and counts.
func (fp *firstPass) add(f *trainFlags, pipe bool, m int, X, Y []float64) (int, error) {
	k, n, x, y := len(fp.x), len(fp.y), fp.x, fp.y
	kept := 0
	for i := 0; i < m; i++ {
		x64, y64 := X[i*k:(i+1)*k], Y[i*n:(i+1)*n]
		round32(x, x64)
		round32(y, y64)
		row := fp.rows
		fp.rows++
		if isVal(row, f.seed, f.val) {
			if fp.val.add(x, y) != nil {
				return 0, fmt.Errorf("%s: the validation split passed the memory allowed (-mem-mb %d, at least %d MiB): lower -val or raise -mem-mb", f.data, f.memMB, valMinBudget>>20)
			}
			continue
		}
		fp.trainRows++
		if err := fp.welford.Add64(x64); err != nil {
			return 0, err
		}
		if fp.inMemory && !fp.mem.add(x, y) {
			if pipe {
				return 0, pipeBudgetError(f)
			}
			// More rows than the file's size promised: stream.
			fp.inMemory, fp.mem = false, &table{k: k, n: n}
		}
		if fp.rows64 != nil {
			fp.rows64.add(x64, y64)
		}
		copy(X[kept*k:(kept+1)*k], x64)
		copy(Y[kept*n:(kept+1)*n], y64)
		kept++
	}
	return kept, nil
}

func round32(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// solveExact solves the least squares of the training rows: the plain
// solution for optimal_mse and, with -init lstsq, the starting point (with
// -ridge), refined by a second pass over the rows. It returns the starting
// point, nil without -init lstsq.
func solveExact(ctx context.Context, f *trainFlags, file *data.CSVFile, fp *firstPass, res *trainResult) (*regress.Solution, error) {
	plain, plainErr := fp.qr.Solve(0)
	if f.init != "lstsq" {
		setOptimal(res, plain, plainErr)
		return nil, nil
	}
	start, err := plain, plainErr
	if f.ridge != 0 {
		start, err = fp.qr.Solve(f.ridge)
	}
	if err != nil {
		return nil, fmt.Errorf("-init lstsq: %v", explainSingular(err, res.Inputs))
	}
	sols, alphas := []*regress.Solution{start}, []float64{f.ridge}
	if f.ridge != 0 && plainErr == nil {
		sols, alphas = append(sols, plain), append(alphas, 0)
	}
	if sols, err = refine(ctx, f, file, fp, sols, alphas); err != nil {
		return nil, err
	}
	start = sols[0]
	if f.ridge == 0 {
		plain = start
	} else if plainErr == nil {
		plain = sols[1]
	}
	setOptimal(res, plain, plainErr)
	if res.Exact, err = exactOf(start, len(res.Inputs)); err != nil {
		return nil, err
	}
	return start, nil
}

// setOptimal records the least-squares optimum's MSE, or why there is none.
func setOptimal(res *trainResult, sol *regress.Solution, err error) {
	if err != nil {
		res.optimalErr = explainSingular(err, res.Inputs)
		return
	}
	v := sol.MSE()
	res.OptimalMSE = &v
}

// refine takes each solution (for its ridge term) through a step of
// iterative refinement over the training rows as float64, read again from
// the file or from memory.
func refine(ctx context.Context, f *trainFlags, file *data.CSVFile, fp *firstPass, sols []*regress.Solution, alphas []float64) ([]*regress.Solution, error) {
	k, n := fp.qr.K(), fp.qr.N()
	refs := make([]*regress.QRRefinement, len(sols))
	for i, s := range sols {
		r, err := fp.qr.Refinement(s, alphas[i])
		if err != nil {
			return nil, err
		}
		refs[i] = r
	}
	add := func(m int, X, Y []float64) error {
		for _, r := range refs {
			if err := r.AddRows(m, X, k, Y, n); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if fp.rows64 != nil {
		err = fp.rows64.each(add)
	} else {
		rows := min(pass64Rows, int(min(fp.rows, math.MaxInt32)))
		var row int64
		err = file.Pass64(make([]float64, rows*k), make([]float64, rows*n), func(m int, X, Y []float64) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			kept := keepTraining(m, X, Y, k, n, row, f)
			row += int64(m)
			return add(kept, X, Y)
		})
	}
	if err != nil {
		return nil, err
	}
	out := make([]*regress.Solution, len(refs))
	for i, r := range refs {
		if out[i], err = r.Solve(); err != nil {
			return nil, fmt.Errorf("%s: the second pass over the rows (refining the exact solution): %v", f.data, err)
		}
	}
	return out, nil
}

// exactJSON is the float64 solution in the -json output: weight n×k and bias
// (empty without an intercept), every value at full precision.
type exactJSON struct {
	Weight [][]json64 `json:"weight"`
	Bias   []json64   `json:"bias"`
}

// json64 is a float64 written with 17 significant digits, which read back
// to the same float64.
type json64 float64

func (v json64) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(v), 'g', 17, 64), nil
}

// exactOf is sol for -json; it must be finite.
func exactOf(sol *regress.Solution, k int) (*exactJSON, error) {
	ex := &exactJSON{Bias: []json64{}}
	for j := 0; j < len(sol.W)/k; j++ {
		row := make([]json64, k)
		for p, v := range sol.W[j*k : (j+1)*k] {
			row[p] = json64(v)
		}
		ex.Weight = append(ex.Weight, row)
	}
	for _, v := range sol.B {
		ex.Bias = append(ex.Bias, json64(v))
	}
	for _, v := range append(append([]float64(nil), sol.W...), sol.B...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("-init lstsq: the exact solution overflows float64 (rescale the data)")
		}
	}
	return ex, nil
}

// unfold64 is the starting model for standardised inputs from the float64
// solution for raw inputs, W' = W·σ and b' = b + W·μ, computed in float64
// and rounded to float32 once.
func unfold64(std *regress.Standardizer, sol *regress.Solution, k int) (W, b []float32) {
	n := len(sol.W) / k
	W, b = make([]float32, n*k), make([]float32, n)
	for j := 0; j < n; j++ {
		var bj float64
		if len(sol.B) > 0 {
			bj = sol.B[j]
		}
		for p, w := range sol.W[j*k : (j+1)*k] {
			bj += w * float64(std.Mean[p])
			W[j*k+p] = float32(w * float64(std.Scale[p]))
		}
		b[j] = float32(bj)
	}
	return W, b
}

// exportModel makes the model file: the trained model, its standardisation
// folded in; with -epochs 0 the starting point untouched, for raw inputs (the
// exact solution rounded to float32 once), with the standardisation recorded.
func exportModel(f *trainFlags, model *regress.Linear, std *regress.Standardizer, start *regress.Solution, rawW, rawB []float32, res *trainResult) (*modelfile.File, error) {
	if f.epochs > 0 {
		mf, err := model.File()
		if err != nil && !errors.Is(err, modelfile.ErrTooLarge) {
			return nil, fmt.Errorf("the trained model is unusable (%v): lower the learning rate", err)
		}
		return mf, err
	}
	if start != nil {
		rawW, rawB = start.W32(), start.B32()
	}
	k, n := len(res.Inputs), len(res.Outputs)
	rows := make([][]float32, n)
	for j := range rows {
		rows[j] = rawW[j*k : (j+1)*k]
	}
	var lin *regress.Linear
	var err error
	if f.bias {
		lin, err = regress.NewLinearFrom(rows, rawB)
	} else {
		lin, err = regress.NewLinearNoBiasFrom(rows)
	}
	if err != nil {
		return nil, fmt.Errorf("-init %s: the starting model does not fit float32: %v", f.init, err)
	}
	lin.Inputs, lin.Outputs = res.Inputs, res.Outputs
	mf, err := lin.File()
	if err != nil {
		return nil, err
	}
	copy(mf.Mean, std.Mean)
	copy(mf.Scale, std.Scale)
	return mf, nil
}

// rows64 holds float64 rows in blocks, growing from small ones for small
// data to rows64Block rows: growing never copies.
type rows64 struct {
	k, n int
	X, Y [][]float64
	rows int
}

const rows64Block = 4096

func (r *rows64) add(x, y []float64) {
	b := len(r.X) - 1
	if b < 0 || len(r.Y[b]) == cap(r.Y[b]) {
		m := min(rows64Block, max(64, r.rows))
		r.X = append(r.X, make([]float64, 0, m*r.k))
		r.Y = append(r.Y, make([]float64, 0, m*r.n))
		b++
	}
	r.X[b], r.Y[b] = append(r.X[b], x...), append(r.Y[b], y...)
	r.rows++
}

// each calls fn with every block's rows, in order.
func (r *rows64) each(fn func(m int, X, Y []float64) error) error {
	for b := range r.X {
		if err := fn(len(r.Y[b])/r.n, r.X[b], r.Y[b]); err != nil {
			return err
		}
	}
	return nil
}
