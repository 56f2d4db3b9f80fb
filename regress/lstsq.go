package regress

import "fmt"

// Solution is a least-squares fit (QR.Solve) and its errors on its rows.
type Solution struct {
	W, B     []float64 // n×k (as nn.Linear) and n (nil without an intercept)
	SSE, SST []float64 // per target: Σ (W·x + b − y)², Σ (y − ȳ)²
	Rows     int64
}

// MSE is the mean squared error over every row and target.
func (s *Solution) MSE() float64 {
	var t float64
	for _, v := range s.SSE {
		t += v
	}
	return t / float64(s.Rows) / float64(len(s.SSE))
}

// R2 returns target j's coefficient of determination.
func (s *Solution) R2(j int) float64 { return r2(s.SSE[j], s.SST[j]) }

// W32 returns a float32 copy of W.
func (s *Solution) W32() []float32 { return to32(s.W) }

// B32 returns a float32 copy of B.
func (s *Solution) B32() []float32 { return to32(s.B) }

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// SingularError names an input that is a linear combination of those before.
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
