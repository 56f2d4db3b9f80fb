package regress

import "fmt"

// Solution is a least-squares fit (QR.Solve) and how well it does on the rows
// it was computed from.
type Solution struct {
	W    []float64 // n×k, the nn.Linear layout
	B    []float64 // n, nil without an intercept
	SSE  []float64 // per target: Σ (W·x + b − y)² over the rows
	SST  []float64 // per target: Σ (y − ȳ)², the error of predicting the mean
	Rows int64
}

// MSE is the mean squared error over every row and target (F.mse_loss).
func (s *Solution) MSE() float64 {
	var t float64
	for _, v := range s.SSE {
		t += v
	}
	return t / float64(s.Rows) / float64(len(s.SSE))
}

// R2 returns target j's coefficient of determination; j out of range panics.
func (s *Solution) R2(j int) float64 { return r2(s.SSE[j], s.SST[j]) }

// W32 returns a copy of W as float32, for a Linear model.
func (s *Solution) W32() []float32 { return to32(s.W) }

// B32 returns B as float32 (see W32).
func (s *Solution) B32() []float32 { return to32(s.B) }

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// SingularError reports inputs that are rank-deficient: input Feature (from
// 0) is constant or a linear combination of the inputs before it, so the
// least-squares solution is not unique.
type SingularError struct {
	Feature int
}

func (e *SingularError) Error() string {
	return fmt.Sprintf("regress: least squares: XᵀX is singular: input %d is constant or a linear combination of the inputs before it (drop it, or add a ridge term)", e.Feature+1)
}

// r2 is the coefficient of determination from the residual and total sums of
// squares, with scikit-learn's convention for a constant target: 1 when it is
// predicted exactly, 0 otherwise.
func r2(sse, sst float64) float64 {
	if sst == 0 {
		if sse == 0 {
			return 1
		}
		return 0
	}
	return 1 - sse/sst
}
