package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"syscall"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// edgefit stats reads a CSV file once, as float64, into a least-squares
// accumulator (regress.QR) and writes it as a stats file: what a device
// sends instead of its rows. edgefit solve merges stats files into the
// exact solution over all their rows (solve.go).

type statsFlags struct {
	data, y, x, out, refine string
	bias                    bool
}

func cmdStats(e *env, args []string) error {
	var f statsFlags
	fs := newFlags(e, "stats", "-data FILE.csv -y COLS -o FILE.stats [flags]")
	fs.StringVar(&f.data, "data", "", "the rows: a CSV `file` with a header row naming the columns")
	fs.StringVar(&f.y, "y", "", "target `columns`, comma-separated names")
	fs.StringVar(&f.x, "x", "", "input `columns`, comma-separated names (default: every column not in -y)")
	fs.BoolVar(&f.bias, "bias", true, "fit an intercept (every stats file merged must agree)")
	fs.StringVar(&f.out, "o", "", "write the stats to this `file` (safetensors layout)")
	fs.StringVar(&f.refine, "refine", "", "second round: write a refinement of the solution in this `file` (edgefit solve -json's output) instead of stats")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return fmt.Errorf("unexpected argument %q (edgefit stats -h lists the flags)", pos[0])
	case f.data == "":
		return errors.New("-data is required: the CSV file of rows")
	case f.y == "":
		return errors.New("-y is required: the target column names, comma-separated")
	case f.out == "":
		return errors.New("-o is required: the stats file to write")
	}
	if err := checkOutput(f.out, map[string]string{"-data": f.data, "-refine": f.refine}); err != nil {
		return err
	}
	biasSet := false
	fs.Visit(func(fl *flag.Flag) { biasSet = biasSet || fl.Name == "bias" })
	what := map[bool]string{false: "stats", true: "refinement"}[f.refine != ""]
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }()
	save, summary, err := readStatsOrRefinement(ctx, &f, biasSet)
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted: no %s file written", what)
	}
	if err != nil {
		return err
	}
	var printErr error
	err = save(func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %s\n", f.out, summary)
		printErr = flush(e.stdout)
		return printErr
	})
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted: no %s file written", what)
	case err != nil && err == printErr:
		return fmt.Errorf("writing the results: %v (no %s file written)", err, what)
	case err != nil:
		return fmt.Errorf("saving the %s: %v", what, err)
	}
	return nil
}

// readStatsOrRefinement reads f.data into stats or, with -refine, a
// refinement, and returns how to save it and the line that describes it.
func readStatsOrRefinement(ctx context.Context, f *statsFlags, biasSet bool) (func(commit func() error) error, string, error) {
	rows := func(r int64, k, n int, intercept bool) string {
		return fmt.Sprintf("%s of %s and %s%s", plural(int(min(r, math.MaxInt)), "row"), plural(k, "input"), plural(n, "target"), map[bool]string{true: "", false: ", no intercept"}[intercept])
	}
	if f.refine != "" {
		r, err := readRefinement(ctx, f, biasSet)
		if err != nil {
			return nil, "", err
		}
		save := func(commit func() error) error { return modelfile.SaveRefinementIf(f.out, r, commit) }
		return save, "refinement over " + rows(r.Rows, r.K, r.N, r.Intercept), nil
	}
	st, err := readStats(ctx, f)
	if err != nil {
		return nil, "", err
	}
	save := func(commit func() error) error { return modelfile.SaveStatsIf(f.out, st, commit) }
	return save, rows(st.Rows, st.K, st.N, st.Intercept), nil
}

// statsRows is the rows of the float64 buffers: 4096, fewer for wide rows,
// so that the buffers stay within 8 MiB; a multiple of the QR's blocks of
// 64 rows, so that the result is the same as one AddRows of every row.
func statsRows(k, n int) int {
	return max(64, min(4096, (1<<20)/(k+n))/64*64)
}

// readStats accumulates the rows of f.data.
func readStats(ctx context.Context, f *statsFlags) (*modelfile.Stats, error) {
	file, err := data.OpenCSVFile(f.data, splitNames(f.y), splitNames(f.x))
	if err != nil {
		return nil, err
	}
	defer file.Close()
	cols := file.Cols
	k, n := len(cols.X), len(cols.Y)
	qr, err := regress.NewQR(k, n, f.bias)
	if err != nil {
		return nil, fmt.Errorf("%s: %v: use fewer inputs (-x)", f.data, err)
	}
	rows := statsRows(k, n)
	err = file.Pass64(make([]float64, rows*k), make([]float64, rows*n), func(m int, X, Y []float64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return qr.AddRows(m, X, k, Y, n)
	})
	if err != nil {
		return nil, err
	}
	if qr.Count() == 0 {
		return nil, fmt.Errorf("%s: no rows", f.data)
	}
	return statsOf(qr, cols.XNames(), cols.YNames()), nil
}

// statsOf is the stats file of an accumulator.
func statsOf(qr *regress.QR, inputs, outputs []string) *modelfile.Stats {
	st := qr.State()
	return &modelfile.Stats{Inputs: inputs, Outputs: outputs, K: st.K, N: st.N, Intercept: st.Intercept,
		Rows: st.Count, Mean: st.Mean, MeanLo: st.MeanLo, M2: st.M2, R: st.R}
}

// qrOf is the accumulator a stats file holds.
func qrOf(s *modelfile.Stats) (*regress.QR, error) {
	return regress.NewQRFromState(regress.QRState{K: s.K, N: s.N, Intercept: s.Intercept, Count: s.Rows,
		Mean: s.Mean, MeanLo: s.MeanLo, M2: s.M2, R: s.R})
}

// plural is "1 row", "2 rows".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
