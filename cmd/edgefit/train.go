package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/edgefit/edgefit/regress/data"
)

type trainFlags struct {
	data, y, x, optimizer, init, out, schedule       string
	epochs, batch, patience, memMB, rollbacks, chunk int
	lr, momentum, weightDecay, val, ridge            float64
	nesterov, shuffle, standardize, json, quiet      bool
	lrSet                                            bool // -lr given: 0 is then an error, not the default
	bias                                             bool // -bias: false trains y = W·x
	seed                                             uint64
}

func cmdTrain(e *env, args []string) error {
	var f trainFlags
	fs := newFlags(e, "train", "-data FILE.csv -y COLS [flags]")
	fs.StringVar(&f.data, "data", "", "training data: a CSV `file` with a header row naming the columns")
	fs.StringVar(&f.y, "y", "", "target `columns`, comma-separated names")
	fs.StringVar(&f.x, "x", "", "input `columns`, comma-separated names (default: every column not in -y)")
	fs.IntVar(&f.epochs, "epochs", 100, "passes over the data (0 with -init: export the starting model untouched)")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate (default 0.1 for sgd, 0.01 for adam: rates for standardised inputs)")
	fs.IntVar(&f.batch, "batch", 32, "rows per batch")
	fs.StringVar(&f.optimizer, "optimizer", "sgd", "sgd or adam")
	fs.Float64Var(&f.momentum, "momentum", 0, "SGD momentum")
	fs.BoolVar(&f.nesterov, "nesterov", false, "Nesterov momentum (needs -momentum)")
	fs.Float64Var(&f.weightDecay, "weight-decay", 0, "L2 penalty, as torch.optim's weight_decay")
	fs.BoolVar(&f.shuffle, "shuffle", true, "a fresh random order every epoch (within each chunk when streaming)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for the initial weights, the shuffling and the validation split")
	fs.BoolVar(&f.standardize, "standardize", true, "standardise the inputs during training (folded into the saved weights)")
	fs.BoolVar(&f.bias, "bias", true, "fit an intercept b (false: y = W·x, as nn.Linear(bias=False))")
	fs.StringVar(&f.init, "init", "", `starting weights: a JSON `+"`file`"+` {"weight": [[...]], "bias": [...]} or a model file written by -o (weights for raw inputs), or "lstsq" for the exact solution`)
	fs.Float64Var(&f.ridge, "ridge", 0, "ridge term α for -init lstsq: solves (XᵀX + αI)w = Xᵀy, for collinear inputs")
	fs.Float64Var(&f.val, "val", 0, "fraction of rows held out for validation")
	fs.IntVar(&f.patience, "patience", 0, "stop after this many epochs without a better validation loss (needs -val); keeps the best epoch's weights")
	fs.StringVar(&f.schedule, "schedule", "constant", "learning-rate schedule: constant, step:EVERY:GAMMA or invscaling:POWER")
	fs.IntVar(&f.rollbacks, "rollbacks", 0, "divergence guard: on divergence, roll back to the last good epoch and halve the learning rate, at most this many times")
	fs.IntVar(&f.memMB, "mem-mb", 1024, "load the data into memory if it fits in this many MiB, else train by streaming passes over the file")
	fs.IntVar(&f.chunk, "chunk-rows", 65536, "rows read at a time when streaming (rounded down to a multiple of -batch); shuffling mixes rows within a chunk")
	fs.StringVar(&f.out, "o", "", "save the model to this `file` (safetensors layout)")
	fs.BoolVar(&f.json, "json", false, "print the results as one JSON object")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress or chart on stderr")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (edgefit train -h lists the flags)", pos[0])
	}
	fs.Visit(func(fl *flag.Flag) { f.lrSet = f.lrSet || fl.Name == "lr" })
	if err := f.check(); err != nil {
		return err
	}
	inputs := map[string]string{"-data": f.data}
	if f.init != "" && f.init != "lstsq" {
		inputs["-init"] = f.init
	}
	if err := checkOutput(f.out, inputs); err != nil {
		return err
	}
	// A closed stdout is then an error to handle (no model is written),
	// not a SIGPIPE that kills the process mid-save.
	signal.Ignore(syscall.SIGPIPE)
	// The first ^C or SIGTERM ends the run cleanly at the next chunk or
	// batch, with no model written; a second one (the run may be blocked
	// reading) kills the process.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }()
	res, err := train(ctx, e, &f)
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted: no model written")
	}
	if err != nil {
		return err
	}
	return report(ctx, e, &f, res)
}

func (f *trainFlags) check() error {
	switch {
	case f.data == "":
		return errors.New("-data is required: the training CSV file")
	case f.y == "":
		return errors.New("-y is required: the target column names, comma-separated")
	case f.epochs < 0:
		return fmt.Errorf("-epochs %d: want 0 or more", f.epochs)
	case f.epochs == 0 && f.init == "":
		return errors.New("-epochs 0 exports the starting model untouched: it needs -init (a file or lstsq)")
	case f.epochs == 0 && f.patience > 0:
		return errors.New("-patience stops training early: with -epochs 0 there is none")
	case f.batch <= 0 || f.batch > maxBatch:
		return fmt.Errorf("-batch %d: want 1 to %d", f.batch, maxBatch)
	case f.lrSet && (!(f.lr > 0) || math.IsInf(f.lr, 0)):
		return fmt.Errorf("-lr %v: want a positive number (leave -lr out for the default)", f.lr)
	case f.lrSet && float32(f.lr) < 0x1p-126:
		return fmt.Errorf("-lr %v: below float32's smallest normal number (1.2e-38): every step would round to nothing", f.lr)
	case f.lrSet && f.lr > math.MaxFloat32:
		return fmt.Errorf("-lr %v: beyond float32's range", f.lr)
	case !(f.val >= 0 && f.val < 1):
		return fmt.Errorf("-val %v: want a fraction in [0, 1)", f.val)
	case f.patience < 0:
		return fmt.Errorf("-patience %d: want 0 (off) or more", f.patience)
	case f.patience > 0 && f.val == 0:
		return errors.New("-patience needs a validation split: add -val, e.g. -val 0.2")
	case f.ridge < 0 || math.IsNaN(f.ridge) || math.IsInf(f.ridge, 0):
		return fmt.Errorf("-ridge %v: want a finite number ≥ 0", f.ridge)
	case f.momentum < 0 || math.IsNaN(f.momentum) || math.IsInf(f.momentum, 0):
		return fmt.Errorf("-momentum %v: want a finite number ≥ 0", f.momentum)
	case f.weightDecay < 0 || math.IsNaN(f.weightDecay) || math.IsInf(f.weightDecay, 0):
		return fmt.Errorf("-weight-decay %v: want a finite number ≥ 0", f.weightDecay)
	case f.memMB < 0 || f.memMB > maxMemMB:
		return fmt.Errorf("-mem-mb %d: want 0 to %d", f.memMB, maxMemMB)
	case f.chunk <= 0 || f.chunk > maxChunk:
		return fmt.Errorf("-chunk-rows %d: want 1 to %d", f.chunk, maxChunk)
	case f.rollbacks < 0:
		return fmt.Errorf("-rollbacks %d: want 0 or more", f.rollbacks)
	case f.optimizer != "sgd" && f.optimizer != "adam":
		return fmt.Errorf("-optimizer %q: want sgd or adam", f.optimizer)
	case f.optimizer == "adam" && (f.momentum != 0 || f.nesterov):
		return errors.New("-momentum and -nesterov apply to sgd, not adam")
	}
	if f.lr == 0 {
		f.lr = map[string]float64{"sgd": 0.1, "adam": 0.01}[f.optimizer]
	}
	return nil
}

// Limits on sizes given on the command line, so that a typo is an error
// rather than an attempt to allocate terabytes.
const (
	maxBatch = 1 << 20
	maxChunk = 1 << 24
	maxMemMB = 1 << 30 // a pebibyte: budgets in bytes fit in an int64
)

// valMinBudget is the memory the validation split may always take: it is
// held in memory even when the training rows are streamed.
const valMinBudget = 256 << 20

// chunkRows is the number of rows read at a time when streaming: a multiple
// of the batch size, so that only the file's last batch can be short.
func chunkRows(rows, batch int) int { return max(1, rows/batch) * batch }

// train is flags → configuration → Fit → export: it reads the data once
// (statistics, exact solution, the rows while they fit in memory), makes the
// model, trains it with regress's Fit (fit.go) and exports it for raw inputs,
// measured on the raw rows.
func train(ctx context.Context, e *env, f *trainFlags) (*trainResult, error) {
	file, err := data.OpenCSVFile(f.data, splitNames(f.y), splitNames(f.x))
	if err != nil {
		return nil, err
	}
	defer file.Close()
	cols := file.Cols
	k, n := len(cols.X), len(cols.Y)
	chunk, err := bufferRows(f, file.Rereadable(), k, n)
	if err != nil {
		return nil, err
	}
	// Everything the flags alone decide is checked before the data is read.
	opt, sched, err := newOptimizer(f)
	if err != nil {
		return nil, err
	}
	initW, initB, err := readInitFlag(f, cols.XNames(), cols.YNames())
	if err != nil {
		return nil, err
	}
	// A row in memory takes its values and the loader's index of it: the
	// rows stay raw, the model standardises each batch.
	extra := int64(strconv.IntSize / 8)

	// Pass 0: the split, the statistics for standardisation, the least
	// squares, and the rows themselves while they fit in memory.
	prog := newProgress(e.stderr, e.tty, f.epochs, f.quiet || f.json && !e.tty)
	fp, err := readFirstPass(ctx, f, file, chunk, extra, prog)
	if err != nil {
		return nil, err
	}
	if c := constantInputs(fp.welford, f.bias); len(c) > 0 {
		fmt.Fprintln(e.stderr, constantWarning(cols.XNames(), c))
	}
	if fp.trainRows == 0 {
		return nil, fmt.Errorf("%s: no rows left for training after the validation split (-val %v)", f.data, f.val)
	}
	if f.val > 0 && fp.val.rows == 0 {
		return nil, fmt.Errorf("%s: the validation split (-val %v) drew none of the %d rows: raise -val", f.data, f.val, fp.rows)
	}
	res := &trainResult{qr: fp.qr, Rows: fp.trainRows, ValRows: int64(fp.val.rows), Inputs: cols.XNames(), Outputs: cols.YNames(), Streamed: !fp.inMemory}
	start, err := solveExact(ctx, f, file, fp, res)
	if err != nil {
		return nil, err
	}
	prog.start, prog.last = time.Now(), time.Now()

	// The model, in the standardised space it is trained in (its Std).
	std := standardizer(f, fp, k)
	model, err := initModel(f, k, n, std, start, res, initW, initB)
	if err != nil {
		return nil, err
	}
	run := newTrainRun(ctx, e, f, file, fp, prog, chunk)
	if err := run.fit(model, opt, sched, res); err != nil {
		return nil, err
	}
	mf, err := exportModel(f, model, std, start, initW, initB, res)
	if err != nil {
		return nil, err
	}
	if err := res.measure(run, mf, chunk); err != nil {
		return nil, err
	}
	return res, nil
}
