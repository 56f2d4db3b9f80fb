package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
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

// trainResult is what train reports; its JSON form is the -json output.
type trainResult struct {
	Epochs     int         `json:"epochs"`
	Rows       int64       `json:"rows"`
	ValRows    int64       `json:"val_rows"`
	TrainMSE   float64     `json:"train_mse"`
	ValMSE     *float64    `json:"val_mse"`
	R2         float64     `json:"r2"`
	MAE        float64     `json:"mae"`
	OptimalMSE *float64    `json:"optimal_mse"`
	RowsPerSec float64     `json:"rows_per_sec"`
	Weight     [][]float32 `json:"weight"`
	Bias       []float32   `json:"bias"`
	Exact      *exactJSON  `json:"exact,omitempty"`
	Inputs     []string    `json:"inputs"`
	Outputs    []string    `json:"outputs"`
	Streamed   bool        `json:"streamed"`
	BestEpoch  int         `json:"best_epoch,omitempty"`
	Rollbacks  int         `json:"rollbacks"`
	Model      string      `json:"model,omitempty"`

	lossCurve  []float64
	qr         *regress.QR // the least-squares accumulator of the training rows
	optimalErr error
	mf         *modelfile.File // the model to save
}

// isVal puts row i in the validation split with probability frac: a hash of
// the seed and the row index, so that every pass over a streamed file makes
// the same split without remembering it.
func isVal(i int64, seed uint64, frac float64) bool {
	if frac == 0 {
		return false
	}
	z := seed + uint64(i)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11)/(1<<53) < frac
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

// keepTraining moves the training rows of a chunk of m rows, the first of
// which is row number first in the file, to the front of X and Y (the
// validation rows are dropped) and returns how many there are.
func keepTraining[T float32 | float64](m int, X, Y []T, k, n int, first int64, f *trainFlags) int {
	kept := 0
	for i := 0; i < m; i++ {
		if !isVal(first+int64(i), f.seed, f.val) {
			copy(X[kept*k:(kept+1)*k], X[i*k:(i+1)*k])
			copy(Y[kept*n:(kept+1)*n], Y[i*n:(i+1)*n])
			kept++
		}
	}
	return kept
}

// chunkRows is the number of rows read at a time when streaming: a multiple
// of the batch size, so that only the file's last batch can be short.
func chunkRows(rows, batch int) int { return max(1, rows/batch) * batch }

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
	var opt regress.Optimizer
	if f.optimizer == "adam" {
		c := regress.AdamDefaults(f.lr)
		c.WeightDecay = f.weightDecay
		opt, err = regress.NewAdam(c)
	} else {
		opt, err = regress.NewSGD(regress.SGDConfig{LR: f.lr, Momentum: f.momentum, Nesterov: f.nesterov, WeightDecay: f.weightDecay})
	}
	if err != nil {
		return nil, err
	}
	sched, err := parseSchedule(f.schedule)
	if err != nil {
		return nil, fmt.Errorf("-%v", err)
	}
	if ep := regress.ScheduleUnderflow(sched, float32(f.lr), f.epochs); ep >= 0 {
		return nil, fmt.Errorf("-schedule %s: the learning rate %g falls below float32's normal range (1.2e-38) at epoch %d of %d: use fewer -epochs or a gentler schedule", f.schedule, f.lr, ep+1, f.epochs)
	}
	var initW, initB []float32
	if f.init != "" && f.init != "lstsq" {
		if initW, initB, err = readInit(f.init, cols.XNames(), cols.YNames()); err != nil {
			return nil, err
		}
		if initB != nil && !f.bias {
			return nil, fmt.Errorf("-init %s has a bias and -bias=false trains a model without one: remove the bias from it or leave out -bias=false", f.init)
		}
	}
	// A row in memory takes its values and the loader's index of it. A
	// regular file's rows are standardised in place, with what brings them
	// back for the final metrics (rawBack); a pipe's, read once, into a copy
	// beside the raw ones.
	pipe := !file.Rereadable()
	extra := int64(strconv.IntSize / 8)
	switch {
	case f.standardize && pipe:
		extra += int64(4 * k)
	case f.standardize:
		extra += int64(math.Ceil(rawBackBytes * float64(k)))
	}

	// Pass 0: the split, the statistics for standardisation, the least
	// squares, and the rows themselves while they fit in memory.
	prog := newProgress(e.stderr, e.tty, f.epochs, f.quiet || f.json && !e.tty)
	fp, err := readFirstPass(ctx, f, file, chunk, extra, prog)
	if err != nil {
		return nil, err
	}
	mem, inMemory, valT, trainRows := fp.mem, fp.inMemory, fp.val, fp.trainRows
	if c := constantInputs(fp.welford, f.bias); len(c) > 0 {
		fmt.Fprintln(e.stderr, constantWarning(cols.XNames(), c))
	}
	if trainRows == 0 {
		return nil, fmt.Errorf("%s: no rows left for training after the validation split (-val %v)", f.data, f.val)
	}
	if f.val > 0 && valT.rows == 0 {
		return nil, fmt.Errorf("%s: the validation split (-val %v) drew none of the %d rows: raise -val", f.data, f.val, fp.rows)
	}
	res := &trainResult{qr: fp.qr, Rows: trainRows, ValRows: int64(valT.rows), Inputs: cols.XNames(), Outputs: cols.YNames(), Streamed: !inMemory}
	start, err := solveExact(ctx, f, file, fp, res)
	if err != nil {
		return nil, err
	}
	prog.start, prog.last = time.Now(), time.Now()

	std := &regress.Standardizer{Mean: make([]float32, k), Scale: make([]float32, k)}
	for p := range std.Scale {
		std.Scale[p] = 1
	}
	if f.standardize && f.bias {
		std = fp.welford.Standardizer()
	} else if f.standardize {
		std = fp.welford.ScaleOnly() // no bias to take the means: scale only
	}

	// The model, in the standardised space it is trained in.
	model, err := initModel(f, k, n, std, start, res, initW, initB)
	if err != nil {
		return nil, err
	}
	tr, err := regress.NewTrainer(model, regress.MSE, opt, int(min(int64(f.batch), trainRows)))
	if err != nil {
		return nil, err
	}
	defer tr.Close()

	// The data as trained on: the rows in memory, standardised (in place,
	// or into a copy for a pipe), or a standardising pass over the file
	// per epoch.
	trainStd, rawKept, back := standardizeTable(mem, inMemory, f.standardize, pipe, std)
	// Loaders over the chunk buffers, by size: when streaming, every chunk
	// but the last has the same size (unless a validation split thins it),
	// so two cover the usual case without a new loader per chunk.
	var loaders [2]*data.Loader
	made := uint64(0)
	loaderFor := func(X, Y linalg.Dense) (*data.Loader, error) {
		for _, l := range loaders {
			if l != nil && l.Dataset().Len() == X.Rows && &l.Dataset().X.Data[0] == &X.Data[0] {
				return l, nil
			}
		}
		ds, err := data.NewDataset(X, Y)
		if err != nil {
			return nil, err
		}
		l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: f.batch, Shuffle: f.shuffle, Seed: f.seed + made})
		if err != nil {
			return nil, err
		}
		loaders[made%2] = l
		made++
		return l, nil
	}

	bufX, bufY := make([]float32, chunk*k), make([]float32, chunk*n)
	var trained int64
	var trainTime time.Duration
	// runEpoch trains one epoch and returns its loss: the MSE over the rows
	// as they were trained on, each batch before its update.
	runEpoch := func(epoch int) (float32, error) {
		start := time.Now()
		defer func() { trainTime += time.Since(start) }()
		var sq float64
		var elems, done int64
		step := func(X, Y linalg.Dense) error {
			l, err := loaderFor(X, Y)
			if err != nil {
				return err
			}
			st, err := tr.Epoch(ctx, l)
			if err != nil {
				return err
			}
			sq += float64(st.Loss) * float64(X.Rows*n)
			elems += int64(X.Rows * n)
			done += int64(X.Rows)
			trained += int64(X.Rows)
			prog.update(epoch, float64(done)/float64(trainRows), sq/float64(elems), float64(trained)/(trainTime+time.Since(start)).Seconds())
			return nil
		}
		if inMemory {
			X, Y := trainStd.dense()
			if err := step(X, Y); err != nil {
				return 0, err
			}
		} else {
			var row int64
			err := file.Pass(bufX, bufY, func(m int, X, Y []float32) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				// Keep the training rows, standardised, in place.
				kept := keepTraining(m, X, Y, k, n, row, f)
				row += int64(m)
				if kept == 0 {
					return nil
				}
				if err := std.Apply(kept, X, k, X, k); err != nil {
					return err
				}
				Xd, _ := linalg.FromSlice(kept, k, X[:kept*k])
				Yd, _ := linalg.FromSlice(kept, n, Y[:kept*n])
				return step(Xd, Yd)
			})
			if err != nil {
				return 0, err
			}
		}
		return float32(sq / float64(elems)), nil
	}

	guard, err := regress.NewGuard(tr, f.rollbacks)
	if err != nil {
		return nil, err
	}
	if f.rollbacks == 0 {
		// Without rollbacks a false alarm would end a good run: only a
		// loss a million times the best, as Fit uses, counts as growth
		// without bound (NaN and Inf always count).
		guard.Limit = 1e6
	}
	var early *regress.EarlyStop
	if f.patience > 0 {
		if early, err = regress.NewEarlyStop(f.patience, 0, len(model.W.Data), len(model.B)); err != nil {
			return nil, err
		}
	}
	lrScale := 1.0
	for epoch := 0; epoch < f.epochs; epoch++ {
		lr := f.lr * lrScale
		if sched != nil {
			lr = float64(sched.LR(float32(f.lr), epoch)) * lrScale
		}
		if err := opt.SetLR(lr); err != nil {
			return nil, err
		}
		loss, err := runEpoch(epoch + 1)
		if errors.Is(err, context.Canceled) {
			prog.done()
			return nil, err
		}
		retry, err := guard.After(epoch+1, loss, err)
		if err != nil {
			prog.done()
			return nil, explainOverflow(err, f.data, res.Outputs)
		}
		if retry {
			lrScale /= 2
			prog.done()
			if !f.quiet {
				fmt.Fprintf(e.stderr, "epoch %d diverged (loss %.4g): rolled back, learning rate now %g\n", epoch+1, loss, f.lr*lrScale)
			}
			epoch--
			continue
		}
		res.Epochs = epoch + 1
		res.lossCurve = append(res.lossCurve, float64(loss))
		if valT.rows > 0 {
			vl, err := valT.loss(tr, std)
			if err != nil {
				return nil, err
			}
			if early != nil {
				stop, err := early.Observe(epoch, float64(vl), model.W.Data, model.B)
				if err != nil {
					return nil, err
				}
				if stop {
					break
				}
			}
		}
	}
	prog.done()
	res.Rollbacks = guard.Rollbacks
	if early != nil && early.BestEpoch >= 0 {
		copy(model.W.Data, early.W)
		copy(model.B, early.B)
		res.BestEpoch = early.BestEpoch + 1
	}
	if trainTime > 0 {
		res.RowsPerSec = float64(trained) / trainTime.Seconds()
	}

	// Export: weights for raw inputs, measured on the raw rows.
	mf, err := exportModel(f, model, std, start, initW, initB, res)
	if err != nil {
		return nil, err
	}
	met, err := regress.NewMetrics(n)
	if err != nil {
		return nil, err
	}
	P := make([]float32, chunk*n)
	addRows := func(m int, X, Y []float32) error {
		for lo := 0; lo < m; lo += chunk {
			hi := min(lo+chunk, m)
			if err := mf.Predict(hi-lo, X[lo*k:hi*k], P[:(hi-lo)*n]); err != nil {
				return err
			}
			if err := met.Add(hi-lo, P[:(hi-lo)*n], Y[lo*n:hi*n]); err != nil {
				return err
			}
		}
		return nil
	}
	if back != nil {
		back.restore(mem, std)
		rawKept = true
	}
	if rawKept {
		err = addRows(mem.rows(), mem.X, mem.Y)
	} else {
		var row int64
		err = file.Pass(bufX, bufY, func(m int, X, Y []float32) error {
			kept := keepTraining(m, X, Y, k, n, row, f)
			row += int64(m)
			return addRows(kept, X, Y)
		})
	}
	if err != nil {
		return nil, err
	}
	res.TrainMSE, res.R2, res.MAE = met.TotalMSE(), met.MeanR2(), met.TotalMAE()
	if valT.rows > 0 {
		vm, err := valT.metrics(mf)
		if err != nil {
			return nil, err
		}
		v := vm.TotalMSE()
		res.ValMSE = &v
	}
	for j := 0; j < n; j++ {
		res.Weight = append(res.Weight, mf.W[j*k:(j+1)*k])
	}
	res.Bias = append([]float32{}, mf.B...) // [] in JSON without a bias
	res.mf = mf
	return res, nil
}

// standardizeTable returns the rows in memory as trained on, and whether
// mem still holds the raw ones, which the final metrics measure: without
// standardisation they are the same; a regular file's rows are standardised
// in place, with what brings them back (back; nil: the metrics read the
// file again), a pipe's into a copy.
func standardizeTable(mem *table, inMemory, standardize, pipe bool, std *regress.Standardizer) (trainStd *table, rawKept bool, back *rawBack) {
	switch {
	case !inMemory:
		return nil, false, nil
	case !standardize:
		return mem, true, nil
	case !pipe:
		return mem, false, standardizeInPlace(mem, std)
	}
	s := &table{k: mem.k, n: mem.n, X: make([]float32, len(mem.X)), Y: mem.Y}
	std.Apply(mem.rows(), mem.X, mem.k, s.X, mem.k)
	return s, true, nil
}

// initModel makes the starting model in the standardised space.
func initModel(f *trainFlags, k, n int, std *regress.Standardizer, start *regress.Solution, res *trainResult, rawW, rawB []float32) (*regress.Linear, error) {
	switch f.init {
	case "":
		if !f.bias {
			return regress.NewLinearNoBias(k, n, f.seed)
		}
		m, err := regress.NewLinear(k, n, f.seed)
		if err != nil {
			return nil, err
		}
		if f.standardize {
			// On centred inputs the best bias is the targets' mean:
			// starting there spares SGD its slowest direction.
			mean, _ := res.qr.Moments()
			for j := range m.B {
				m.B[j] = float32(mean[k+j])
			}
		}
		return m, nil
	}
	var W, b []float32
	switch {
	case start != nil:
		W, b = unfold64(std, start, k)
	default:
		W, b = make([]float32, n*k), make([]float32, n)
		if !f.bias {
			b = nil
		} else if rawB == nil { // a model without bias: start b at 0
			rawB = make([]float32, n)
		}
		if err := std.Unfold(rawW, rawB, W, b); err != nil {
			return nil, fmt.Errorf("-init %s: %v", f.init, err)
		}
	}
	rows := make([][]float32, n)
	for j := range rows {
		rows[j] = W[j*k : (j+1)*k]
	}
	if !f.bias {
		return regress.NewLinearNoBiasFrom(rows)
	}
	m, err := regress.NewLinearFrom(rows, b)
	if err != nil {
		return nil, fmt.Errorf("-init %s: %v", f.init, err)
	}
	return m, nil
}

func explainSingular(err error, inputs []string) error {
	var se *regress.SingularError
	if errors.As(err, &se) && se.Feature < len(inputs) {
		return fmt.Errorf("least squares: XᵀX is singular: input %q is constant or a linear combination of the inputs before it", inputs[se.Feature])
	}
	return err
}

// print writes the results on stdout; printNotes then adds the chart and
// notes on stderr, once stdout has taken the results (a failure before
// must leave stderr its one line).
func (r *trainResult) printNotes(e *env, f *trainFlags) {
	if !f.quiet && len(r.lossCurve) > 1 {
		chart(e.stderr, "training loss (MSE) by epoch", r.lossCurve, 60, 10)
	}
	if r.optimalErr != nil && !f.quiet {
		fmt.Fprintf(e.stderr, "note: no optimal_mse: %v\n", r.optimalErr)
	}
}

func (r *trainResult) print(e *env, f *trainFlags) error {
	w := e.stdout
	if f.json {
		enc := json.NewEncoder(w)
		return enc.Encode(r)
	}
	mode := "in memory"
	if r.Streamed {
		mode = "streamed from disk"
	}
	if f.epochs == 0 {
		fmt.Fprintf(w, "no training (-epochs 0): the -init %s model, measured on %d rows (%s)\n", f.init, r.Rows, mode)
	} else {
		fmt.Fprintf(w, "trained %d epochs on %d rows (%s), %s rows/s\n", r.Epochs, r.Rows, mode, si(r.RowsPerSec))
	}
	if r.BestEpoch > 0 {
		fmt.Fprintf(w, "early stopping: kept epoch %d, the best on validation\n", r.BestEpoch)
	}
	if r.Rollbacks > 0 {
		fmt.Fprintf(w, "divergence guard: %d rollbacks\n", r.Rollbacks)
	}
	fmt.Fprintf(w, "train MSE %.6g   R² %.4f   MAE %.4g", r.TrainMSE, r.R2, r.MAE)
	if r.OptimalMSE != nil {
		fmt.Fprintf(w, "   (least-squares optimum MSE %.6g)", *r.OptimalMSE)
	}
	fmt.Fprintln(w)
	if r.ValMSE != nil {
		fmt.Fprintf(w, "validation MSE %.6g on %d rows\n", *r.ValMSE, r.ValRows)
	}
	for j, name := range r.Outputs {
		fmt.Fprintf(w, "%s = ", name)
		for p, in := range r.Inputs {
			if p > 0 {
				fmt.Fprint(w, " ")
			}
			fmt.Fprintf(w, "%+.6g·%s", r.Weight[j][p], in)
		}
		if len(r.Bias) > 0 {
			fmt.Fprintf(w, " %+.6g", r.Bias[j])
		}
		fmt.Fprintln(w)
	}
	if r.Model != "" {
		fmt.Fprintf(w, "model saved to %s\n", r.Model)
	}
	return nil
}
