package regress

import (
	"fmt"

	"github.com/edgefit/edgefit/linalg"
)

// Loss is a squared-error loss: F.mse_loss's reduction "mean" or "sum".
type Loss int

const (
	MSE Loss = iota
	SumSquares
)

// String names the loss.
func (l Loss) String() string {
	switch l {
	case MSE:
		return "mse"
	case SumSquares:
		return "sum of squares"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

func (l Loss) check() error {
	if l != MSE && l != SumSquares {
		return fmt.Errorf("regress: unknown loss %d (want MSE or SumSquares)", int(l))
	}
	return nil
}

// scale is the factor between Σ(P−T)² over n elements and the loss.
func (l Loss) scale(n int) float32 {
	if l == MSE {
		return 1 / float32(n)
	}
	return 1
}

// fromSum turns Σ(P−T)² over n elements into the loss. MSE divides rather
// than multiplying by 1/n, as torch's mean does.
func (l Loss) fromSum(sq float32, n int) float32 {
	if l == MSE {
		return sq / float32(n)
	}
	return sq
}

// gradScale is α in ∂L/∂P = α·(P−T): 2/n for MSE, 2 for the sum.
func (l Loss) gradScale(n int) float32 {
	if l == MSE {
		return 2 / float32(n)
	}
	return 2
}

// Value returns the loss of P against T (same shape).
func (l Loss) Value(P, T linalg.Dense) (float32, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	sq, err := linalg.SqErrSum(P, T)
	if err != nil {
		return 0, err
	}
	return l.fromSum(sq, P.Rows*P.Cols), nil
}

// grad returns the loss of P against T and writes its gradient ∂L/∂P, what
// loss.backward() leaves in P.grad, into D (same shape; D may be P or T).
func (l Loss) grad(D, P, T linalg.Dense) (float32, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	sq, err := linalg.SqErr(D, P, T)
	if err != nil {
		return 0, err
	}
	n := P.Rows * P.Cols
	alpha := l.gradScale(n)
	for i := 0; i < D.Rows; i++ {
		r := D.Row(i)
		for j := range r {
			r[j] *= alpha
		}
	}
	return l.fromSum(sq, n), nil
}
