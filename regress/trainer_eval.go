package regress

import (
	"errors"
	"fmt"

	"github.com/edgefit/edgefit/linalg"
)

// Evaluate returns the loss on X and Y without training (no_grad).
func (t *Trainer) Evaluate(X, Y linalg.Dense) (float32, error) {
	m := t.model
	if X.Cols != m.In() || Y.Cols != m.Out() || X.Rows != Y.Rows {
		return 0, fmt.Errorf("regress: Evaluate: %d×%d inputs and %d×%d targets for a %d→%d model: want one target row per input row, %d input and %d target columns", X.Rows, X.Cols, Y.Rows, Y.Cols, m.In(), m.Out(), m.In(), m.Out())
	}
	if X.Rows == 0 {
		return 0, errors.New("regress: Evaluate: no rows")
	}
	if err := t.checkStd("Evaluate"); err != nil {
		return 0, err
	}
	if err := X.Check("Evaluate", "inputs"); err != nil {
		return 0, fmt.Errorf("regress: %w", err)
	}
	if err := Y.Check("Evaluate", "targets"); err != nil {
		return 0, fmt.Errorf("regress: %w", err)
	}
	chunks := t.post(jobEval, X, Y)
	if err := t.do(chunks); err != nil {
		return 0, err
	}
	var sq float64
	for c := range chunks {
		sq += t.job.out[c].sq
	}
	return t.loss.fromSum(float32(sq), X.Rows*Y.Cols), nil
}

// Predict is Linear.Predict shared by the trainer's workers.
func (t *Trainer) Predict(Y, X linalg.Dense) error {
	m := t.model
	if err := m.checkPredict(Y, X); err != nil {
		return err
	}
	if err := t.checkStd("Predict"); err != nil {
		return err
	}
	if err := X.Check("Predict", "inputs"); err != nil {
		return fmt.Errorf("regress: %w", err)
	}
	if err := Y.Check("Predict", "outputs"); err != nil {
		return fmt.Errorf("regress: %w", err)
	}
	return t.do(t.post(jobPredict, X, Y))
}

// post sets up a job of kind Evaluate or Predict over the rows of X and Y
// and returns its chunks. Each chunk works in blocks of pshare rows, in its
// own part of the trainer's buffers.
func (t *Trainer) post(kind jobKind, X, Y linalg.Dense) int {
	m := t.model
	chunks, share := t.chunksFor(X.Rows, m.In()*m.Out())
	if chunks > t.maxBatch && (kind == jobEval || m.Std != nil) {
		chunks, share = split(X.Rows, t.maxBatch)
	}
	pshare := t.maxBatch / chunks
	if chunks > 1 && pshare >= chunkAlign {
		pshare = pshare / chunkAlign * chunkAlign
	}
	j := t.job
	j.kind, j.m, j.X, j.Y, j.share, j.pshare = kind, m, X, Y, share, pshare
	return chunks
}

// predict is chunk c of Predict: its rows, standardised pshare rows at a
// time into its part of xs when the model has Std.
func (j *job) predict(c int) error {
	lo, hi := span(c, j.X.Rows, j.share)
	if j.m.Std == nil {
		return linalg.MatMulBias(j.Y.Slice(lo, hi), j.X.Slice(lo, hi), j.m.W, j.m.B)
	}
	for b := lo; b < hi; b += j.pshare {
		e := min(b+j.pshare, hi)
		X, err := standardized(j.m.Std, j.xs, j.X.Slice(b, e), c*j.pshare)
		if err != nil {
			return err
		}
		if err := linalg.MatMulBias(j.Y.Slice(b, e), X, j.m.W, j.m.B); err != nil {
			return err
		}
	}
	return nil
}

// Snapshot holds a copy of a model's parameters and its optimiser's state.
type Snapshot struct {
	Params, State []float32
	Steps         int
}

// Snapshot copies the parameters and optimiser state into s.
func (t *Trainer) Snapshot(s *Snapshot) error {
	if s == nil {
		return errors.New("regress: Snapshot: nil snapshot")
	}
	s.Params = append(s.Params[:0], t.model.params...)
	n := t.opt.StateLen()
	if cap(s.State) < n {
		s.State = make([]float32, n)
	}
	s.State = s.State[:n]
	steps, err := t.opt.SaveState(s.State)
	s.Steps = steps
	return err
}

// Restore puts back a Snapshot taken from this trainer.
func (t *Trainer) Restore(s *Snapshot) error {
	if s == nil {
		return errors.New("regress: Restore: nil snapshot")
	}
	if len(s.Params) != len(t.model.params) {
		return fmt.Errorf("regress: Restore: snapshot of %d parameters, the model has %d", len(s.Params), len(t.model.params))
	}
	if err := t.opt.LoadState(s.State, s.Steps); err != nil {
		return err
	}
	copy(t.model.params, s.Params)
	return nil
}
