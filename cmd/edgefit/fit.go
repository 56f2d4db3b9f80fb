package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// trainRun is what train gives regress's Fit: the training rows as a
// data.Stream (the rows in memory, one chunk, or a pass over the file per
// epoch, a chunk at a time), the validation split, and the hooks that report
// progress. The rows stay raw: the model standardises its batches (its Std).
type trainRun struct {
	ctx        context.Context
	e          *env
	f          *trainFlags
	file       *data.CSVFile
	fp         *firstPass
	prog       *progress
	bufX, bufY []float32 // the chunk buffers, when streaming
	opt        regress.Optimizer

	trained   int64         // rows trained on, rolled-back epochs included
	trainTime time.Duration // time in passes over the training rows
	passStart time.Time
}

func newTrainRun(ctx context.Context, e *env, f *trainFlags, file *data.CSVFile, fp *firstPass, prog *progress, chunk int) *trainRun {
	r := &trainRun{ctx: ctx, e: e, f: f, file: file, fp: fp, prog: prog}
	if !fp.inMemory {
		r.bufX, r.bufY = make([]float32, chunk*len(file.Cols.X)), make([]float32, chunk*len(file.Cols.Y))
	}
	return r
}

// fit trains model with opt for -epochs epochs (none with -epochs 0) and
// records the run in res.
func (r *trainRun) fit(model *regress.Linear, opt regress.Optimizer, sched regress.Schedule, res *trainResult) error {
	f := r.f
	if f.epochs == 0 {
		return nil
	}
	tr, err := regress.NewTrainer(model, regress.MSE, opt, int(min(int64(f.batch), res.Rows)))
	if err != nil {
		return err
	}
	defer tr.Close()
	r.opt = opt
	lc := data.LoaderConfig{BatchSize: f.batch, Shuffle: f.shuffle, Seed: f.seed}
	// The workers draw the next epoch's order into a second index of the
	// rows held, only if the budget has room for it.
	lc.InPlace = r.fp.inMemory && r.fp.mem.spare() < int64(r.fp.mem.rows())*int64(strconv.IntSize/8)
	src, err := data.NewStream(r.trainChunks, lc)
	if err != nil {
		return err
	}
	cfg := regress.FitConfig{Epochs: f.epochs, Schedule: sched, OnPart: r.onPart, OnEpoch: r.onEpoch}
	if f.rollbacks > 0 {
		if cfg.Guard, err = regress.NewGuard(tr, f.rollbacks); err != nil {
			return err
		}
	}
	if f.patience > 0 {
		if cfg.EarlyStop, err = regress.NewEarlyStop(f.patience, 0, len(model.W.Data), len(model.B)); err != nil {
			return err
		}
		cfg.Val = r.fp.val.chunks
	}
	hist, err := tr.Fit(r.ctx, src, cfg)
	r.prog.done()
	if err != nil {
		return explainOverflow(err, f.data, res.Outputs)
	}
	res.Epochs = len(hist)
	for _, l := range hist {
		res.lossCurve = append(res.lossCurve, float64(l))
	}
	if cfg.Guard != nil {
		res.Rollbacks = cfg.Guard.Rollbacks()
	}
	if es := cfg.EarlyStop; es != nil && es.BestEpoch >= 0 {
		res.BestEpoch = es.BestEpoch
	}
	if r.trainTime > 0 {
		res.RowsPerSec = float64(r.trained) / r.trainTime.Seconds()
	}
	return nil
}

// trainChunks is one pass over the training rows: the rows in memory as one
// chunk, or the file's chunks, the validation rows dropped.
func (r *trainRun) trainChunks(yield func(X, Y linalg.Dense) error) error {
	r.passStart = time.Now()
	defer func() { r.trainTime += time.Since(r.passStart) }()
	if r.fp.inMemory {
		X, Y := r.fp.mem.dense()
		r.trained += int64(X.Rows)
		return yield(X, Y)
	}
	k, n := len(r.file.Cols.X), len(r.file.Cols.Y)
	var row int64
	return r.file.Pass(r.bufX, r.bufY, func(X, Y linalg.Dense) error {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		kept := keepTraining(X.Rows, X.Data, Y.Data, k, n, row, r.f)
		row += int64(X.Rows)
		if kept == 0 {
			return nil
		}
		X, Y = X.Slice(0, kept), Y.Slice(0, kept)
		r.trained += int64(kept)
		return yield(X, Y)
	})
}

// onPart updates the progress bar after each chunk.
func (r *trainRun) onPart(st regress.EpochStats) {
	rate := float64(r.trained) / (r.trainTime + time.Since(r.passStart)).Seconds()
	r.prog.update(st.Epoch, float64(st.Rows)/float64(r.fp.trainRows), float64(st.Loss), rate)
}

// onEpoch notes a rollback of the divergence guard.
func (r *trainRun) onEpoch(st regress.EpochStats) error {
	if st.RolledBack {
		r.prog.done()
		if !r.f.quiet {
			fmt.Fprintf(r.e.stderr, "epoch %d diverged (loss %.4g): rolled back, learning rate now %g\n", st.Epoch, st.Loss, r.opt.LR())
		}
	}
	return nil
}

// measure adds the exported model's metrics over the training rows: those
// in memory, or a pass over the file.
func (r *trainRun) measure(mf *modelfile.File, met *regress.Metrics, chunk int) error {
	k, n := len(r.file.Cols.X), len(r.file.Cols.Y)
	P := newDense(chunk, n)
	addRows := func(m int, X, Y []float32) error {
		Xd, Yd := rowsOf(m, k, X), rowsOf(m, n, Y)
		for lo := 0; lo < m; lo += chunk {
			hi := min(lo+chunk, m)
			Pc := P.Slice(0, hi-lo)
			if err := mf.Predict(Pc.Data, Xd.Slice(lo, hi).Data); err != nil {
				return err
			}
			if err := met.Add(Pc, Yd.Slice(lo, hi)); err != nil {
				return err
			}
		}
		return nil
	}
	if r.fp.inMemory {
		return addRows(r.fp.mem.rows(), r.fp.mem.X, r.fp.mem.Y)
	}
	var row int64
	return r.file.Pass(r.bufX, r.bufY, func(X, Y linalg.Dense) error {
		kept := keepTraining(X.Rows, X.Data, Y.Data, k, n, row, r.f)
		row += int64(X.Rows)
		return addRows(kept, X.Data, Y.Data)
	})
}
