package regress

import (
	"context"
	"errors"
	"fmt"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/internal/batches"
)

// batch is one step's rows: X and Y themselves, or, when idx is set, rows idx
// of X and Y gathered into bx and by (a shuffled Loader's batch), with next
// rows of nx and ny to prefetch (batches.Batch).
type batch struct {
	X, Y      linalg.Dense
	idx, next []int
	nx, ny    linalg.Dense // the rows next names
	bx, by    linalg.Dense
	ahead     *batches.Ahead // the loader's work ahead, for idle workers
}

// rows returns the batch's rows once gathered.
func (b *batch) rows() (X, Y linalg.Dense) {
	if b.idx == nil {
		return b.X, b.Y
	}
	return b.bx.Slice(0, len(b.idx)), b.by.Slice(0, len(b.idx))
}

// Backward computes a batch's loss and Gradients, without a step.
func (t *Trainer) Backward(X, Y linalg.Dense) (float32, error) {
	if err := t.checkBatch(X, Y); err != nil {
		return 0, err
	}
	return t.backward(&batch{X: X, Y: Y})
}

// checkBatch returns an error unless X and Y are a batch the trainer takes.
func (t *Trainer) checkBatch(X, Y linalg.Dense) error {
	m := t.model
	if err := t.checkStd("Step"); err != nil {
		return err
	}
	if X.Cols != m.In() || Y.Cols != m.Out() || X.Rows != Y.Rows {
		return fmt.Errorf("regress: batch of %d×%d inputs and %d×%d targets for a %d→%d model: want one target row per input row, %d input and %d target columns", X.Rows, X.Cols, Y.Rows, Y.Cols, m.In(), m.Out(), m.In(), m.Out())
	}
	if X.Rows == 0 {
		return errors.New("regress: empty batch")
	}
	if X.Rows > t.maxBatch {
		return fmt.Errorf("regress: batch of %d rows, the trainer was made for at most %d", X.Rows, t.maxBatch)
	}
	if err := X.Check("Step", "inputs"); err != nil {
		return err
	}
	return Y.Check("Step", "targets")
}

// backward computes the loss and gradients of batch b, checked: in one fused
// pass for a tiny batch, else with the kernels, split across the workers
// (parallel.go).
func (t *Trainer) backward(b *batch) (float32, error) {
	m := t.model
	rows := b.X.Rows
	if b.idx != nil {
		rows = len(b.idx)
	}
	n := rows * m.Out()
	alpha := t.loss.gradScale(n)
	work := m.In() * m.Out()
	chunks, share := t.chunksFor(rows, work)
	if t.path == pathFused || (t.path == pathAuto && chunks == 1 && rows <= fusedMaxWork/work) {
		t.job.seq++ // rows gathered ahead are no longer where they were
		X, Y := b.rows()
		if b.idx != nil {
			batches.Gather(X, b.X, Y, b.Y, b.idx)
		}
		if len(b.next) > 0 {
			batches.Prefetch(b.nx, b.ny, b.next)
		}
		X, err := standardized(m.Std, t.job.xs, X, 0)
		if err != nil {
			return 0, err
		}
		return t.loss.fromSum(t.backwardTiny(X, Y, alpha), n), nil
	}
	j := t.job
	j.kind, j.m, j.alpha, j.share = jobStep, m, alpha, share
	j.X, j.Y, j.idx, j.next, j.bx, j.by = b.X, b.Y, b.idx, b.next, b.bx, b.by
	j.nx, j.ny = b.nx, b.ny
	if tm := t.team; tm != nil && b.ahead != nil && tm.side.Load() != b.ahead {
		tm.side.Store(b.ahead)
	}
	err := t.do(chunks)
	var sq float32
	for c := range chunks {
		sq += float32(j.out[c].sq)
	}
	// With α = 1 each element is rounded once, as g[i] += v would.
	for c := 1; c < chunks; c++ {
		edgefit.Axpy(1, j.grads[c][:len(t.grad)], t.grad)
	}
	return t.loss.fromSum(sq, n), err
}

// backwardTiny is Backward fused into one pass over the rows: per row the
// forward pass, residual, loss and both gradients, then one scaling by α.
// The bias is added first, as torch.addmm(b, X, Wᵀ) does; a model without
// one has neither the bias nor its gradient.
func (t *Trainer) backwardTiny(X, Y linalg.Dense, alpha float32) float32 {
	m := t.model
	in, out := m.In(), m.Out()
	np := len(m.params)
	W, b := m.W.Data[:in*out], m.B // b nil without a bias
	g := t.grad[:np:np]
	gW, gb := g[:in*out], g[in*out:] // gb empty without a bias
	clear(g)
	xs, ys := X.Data, Y.Data
	var sq float32
	for i := 0; i < X.Rows; i++ {
		x := xs[i*X.Stride:][:in]
		y := ys[i*Y.Stride:][:out]
		for j := range y {
			w := W[j*in:][:in]
			var s float32
			if b != nil {
				s = b[j]
			}
			for k, xv := range x {
				s += xv * w[k]
			}
			r := s - y[j]
			sq += r * r
			if b != nil {
				gb[j] += r
			}
			gj := gW[j*in:][:in]
			for k, xv := range x {
				gj[k] += r * xv
			}
		}
	}
	for i := range g {
		g[i] *= alpha
	}
	return sq
}

// Step trains on one batch and returns its loss before the step. A NaN or Inf
// loss leaves the model as it was and is an error: a *DivergedError, an
// *OverflowError (targets too large to square), or the batch's bad value.
func (t *Trainer) Step(X, Y linalg.Dense) (float32, error) {
	if err := t.checkBatch(X, Y); err != nil {
		return 0, err
	}
	return t.step(&batch{X: X, Y: Y})
}

// step is Step on a checked batch.
func (t *Trainer) step(b *batch) (float32, error) {
	loss, err := t.backward(b)
	if err != nil {
		return loss, err
	}
	if !finite(loss) {
		X, Y := b.rows()
		if b.idx != nil {
			// The workers may have gathered the next batch's rows there.
			t.job.settle()
			batches.Gather(X, b.X, Y, b.Y, b.idx)
			t.job.seq++
		}
		return loss, t.badLoss(X, Y, loss, 0)
	}
	if err := t.opt.Step(t.model.params, t.grad); err != nil {
		return loss, err
	}
	return loss, nil
}

// Epoch trains on every batch of l (after l.Reset), checking ctx between
// batches.
func (t *Trainer) Epoch(ctx context.Context, l *data.Loader) (EpochStats, error) {
	var s epochSum
	err := t.epoch(ctx, l, &s)
	s.st.Loss = t.loss.fromSum(float32(s.sq), s.elems)
	return s.st, err
}

// epochSum accumulates an epoch over one loader or several: the statistics
// and the loss's sum of squares over its elements.
type epochSum struct {
	st    EpochStats
	sq    float64
	elems int
}

// epoch trains on every batch of one epoch of l, adding to s.
func (t *Trainer) epoch(ctx context.Context, l *data.Loader, s *epochSum) error {
	if l == nil || ctx == nil {
		return errors.New("regress: Epoch: nil loader or context")
	}
	if err := l.Reset(); err != nil {
		return err
	}
	// Workers may still be gathering the next batch when the epoch stops.
	defer t.job.settle()
	done := ctx.Done()
	for {
		select {
		case <-done:
			return ctx.Err()
		default:
		}
		nb, ok := l.NextBatch()
		if !ok {
			return nil
		}
		b := batch{X: nb.X, Y: nb.Y, idx: nb.Idx, next: nb.Next, nx: nb.NX, ny: nb.NY, bx: nb.BX, by: nb.BY, ahead: nb.Ahead}
		X, Y := b.rows()
		if err := t.checkBatch(X, Y); err != nil {
			return err
		}
		loss, err := t.step(&b)
		if err != nil {
			return err
		}
		n := X.Rows * Y.Cols
		// Back to Σ(P−T)² so that batches of different sizes weigh by rows.
		s.sq += float64(loss) / float64(t.loss.scale(n))
		s.elems += n
		s.st.Batches++
		s.st.Rows += X.Rows
		s.st.LastBatchLoss = loss
	}
}
