package regress

import (
	"errors"
	"fmt"
	"math"
)

// EarlyStop stops Fit when the validation loss stalls, keeping the best epoch.
type EarlyStop struct {
	Patience  int     // epochs without improvement before stopping; ≤ 0 never stops
	MinDelta  float64 // an improvement must lower the loss by more than this
	Best      float64 // best validation loss so far
	BestEpoch int     // its epoch (from 1); -1 before any
	bad       int
	w, b      []float32 // the parameters at BestEpoch: copyBest
}

// NewEarlyStop returns an EarlyStop for nw weights and nb biases.
func NewEarlyStop(patience int, minDelta float64, nw, nb int) (*EarlyStop, error) {
	if err := checkCount("NewEarlyStop", "weights", nw); err != nil {
		return nil, err
	}
	if err := checkCount("NewEarlyStop", "biases", nb); err != nil {
		return nil, err
	}
	if !(minDelta >= 0) || math.IsInf(minDelta, 0) {
		return nil, fmt.Errorf("regress: NewEarlyStop: minimum improvement %v: want a finite number ≥ 0", minDelta)
	}
	return &EarlyStop{Patience: patience, MinDelta: minDelta, Best: math.Inf(1), BestEpoch: -1,
		w: make([]float32, nw), b: make([]float32, nb)}, nil
}

// observe records the validation loss after an epoch and the parameters that
// gave it, and reports whether training should stop. A NaN loss never counts
// as an improvement. Parameters of other lengths than NewEarlyStop's are an
// error. It allocates nothing.
func (e *EarlyStop) observe(epoch int, valLoss float64, W, b []float32) (stop bool, err error) {
	if err := e.checkLens("Observe", W, b); err != nil {
		return false, err
	}
	if valLoss < e.Best-e.MinDelta {
		e.Best, e.BestEpoch, e.bad = valLoss, epoch, 0
		copy(e.w, W)
		copy(e.b, b)
		return false, nil
	}
	e.bad++
	return e.Patience > 0 && e.bad >= e.Patience, nil
}

// copyBest copies the parameters kept at BestEpoch into W and b (the weights
// row by row and the biases, of NewEarlyStop's lengths), as Fit does when it
// ends: the copies themselves stay the EarlyStop's. Before any epoch observed,
// or with other lengths, it is an error. It allocates nothing.
func (e *EarlyStop) copyBest(W, b []float32) error {
	if err := e.checkLens("CopyBest", W, b); err != nil {
		return err
	}
	if e.BestEpoch < 0 {
		return errors.New("regress: EarlyStop.CopyBest: no epoch observed yet")
	}
	copy(W, e.w)
	copy(b, e.b)
	return nil
}

// checkLens returns an error unless W and b have the lengths of the kept
// parameters.
func (e *EarlyStop) checkLens(method string, W, b []float32) error {
	if len(W) != len(e.w) || len(b) != len(e.b) {
		return fmt.Errorf("regress: EarlyStop.%s: %d weights and %d biases, want %d and %d", method, len(W), len(b), len(e.w), len(e.b))
	}
	return nil
}
