package regress

import (
	"errors"
	"fmt"
	"math"

	"github.com/edgefit/edgefit/linalg"
)

// badLoss explains a non-finite loss: bad data if the batch holds any, else
// divergence.
func (t *Trainer) badLoss(X, Y linalg.Dense, loss float32, epoch int) error {
	if err := linalg.CheckFinite("regress: batch inputs", X); err != nil {
		return err
	}
	if err := linalg.CheckFinite("regress: batch targets", Y); err != nil {
		return err
	}
	if e := targetsOverflow(Y); e != nil {
		e.Epoch = epoch
		return e
	}
	return &DivergedError{Epoch: epoch, Loss: loss}
}

// targetsOverflow returns an *OverflowError if the batch's targets alone are
// large enough for their float32 squared error to overflow: Σ y² over a
// quarter of float32's range, so that residuals up to twice the targets
// overflow it. It is called only once the loss is NaN or Inf.
func targetsOverflow(Y linalg.Dense) *OverflowError {
	var sum, big float64
	col := 0
	for i := 0; i < Y.Rows; i++ {
		for j, v := range Y.Row(i) {
			a := math.Abs(float64(v))
			sum += a * a
			if a > big {
				big, col = a, j
			}
		}
	}
	if !(sum > math.MaxFloat32/4) {
		return nil
	}
	return &OverflowError{Column: col, Max: float32(big)}
}

// OverflowError reports targets too large to square in float32: scale them.
type OverflowError struct {
	Epoch  int     // 1-based epoch in which it was seen; 0 outside Fit
	Column int     // the target column (from 0) with the largest magnitude
	Max    float32 // that magnitude
}

// overflowEpoch records epoch in an *OverflowError in err that has none.
func overflowEpoch(err error, epoch int) {
	var o *OverflowError
	if errors.As(err, &o) && o.Epoch == 0 {
		o.Epoch = epoch
	}
}

func (e *OverflowError) Error() string {
	where := ""
	if e.Epoch > 0 {
		where = fmt.Sprintf(" at epoch %d", e.Epoch)
	}
	return fmt.Sprintf("regress: the squared error overflowed float32%s: target column %d reaches %.3g, too large to square in float32 (max %.3g): scale the targets down, e.g. divide them by 1e%d, and the predictions back up",
		where, e.Column, e.Max, math.MaxFloat32, int(math.Floor(math.Log10(float64(e.Max)))))
}

// DivergedError reports training that diverged: NaN, Inf or a loss explosion.
type DivergedError struct {
	Epoch  int     // 1-based epoch in which it was seen; 0 outside Fit
	Loss   float32 // the offending loss
	Reason string  // what was seen, if not a NaN or Inf loss
}

func (e *DivergedError) Error() string {
	what := fmt.Sprintf("loss %v", e.Loss)
	if e.Reason != "" {
		what = e.Reason
	}
	where := ""
	if e.Epoch > 0 {
		where = fmt.Sprintf(" at epoch %d", e.Epoch)
	}
	return fmt.Sprintf("regress: training diverged%s (%s): lower the learning rate or standardise the inputs", where, what)
}
