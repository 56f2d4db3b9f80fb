package regress

import (
	"fmt"
	"math"

	"github.com/edgefit/edgefit/linalg"
)

// Metrics accumulates the MSE, MAE and R² of predictions, per output.
type Metrics struct {
	Count int64 // rows added
	sse   []float64
	sae   []float64
	mean  []float64
	m2    []float64
}

// NewMetrics returns an empty accumulator for n ≥ 1 outputs.
func NewMetrics(n int) (*Metrics, error) {
	if n < 1 {
		return nil, fmt.Errorf("regress: NewMetrics: %d outputs: want at least 1", n)
	}
	if err := checkCount("NewMetrics", "outputs", n); err != nil {
		return nil, err
	}
	return &Metrics{sse: make([]float64, n), sae: make([]float64, n), mean: make([]float64, n), m2: make([]float64, n)}, nil
}

// Add adds predictions P against targets T: all rows or, on error, none.
func (e *Metrics) Add(P, T linalg.Dense) error {
	n := len(e.sse)
	if n == 0 || P.Cols != n || T.Cols != n || P.Rows != T.Rows {
		return fmt.Errorf("regress: Metrics.Add: %d×%d predictions and %d×%d targets for %d outputs: want %d columns and as many rows of each", P.Rows, P.Cols, T.Rows, T.Cols, n, n)
	}
	if err := P.Check("Metrics.Add", "P"); err != nil {
		return err
	}
	if err := T.Check("Metrics.Add", "T"); err != nil {
		return err
	}
	for i := 0; i < P.Rows; i++ {
		e.Count++
		inv := 1 / float64(e.Count)
		for j, pv := range P.Row(i) {
			p, t := float64(pv), float64(T.Data[i*T.Stride+j])
			r := p - t
			e.sse[j] += r * r
			e.sae[j] += math.Abs(r)
			d := t - e.mean[j]
			e.mean[j] += d * inv
			e.m2[j] += d * (t - e.mean[j])
		}
	}
	return nil
}

// MSE returns output j's mean squared error.
func (e *Metrics) MSE(j int) float64 { return e.sse[j] / float64(e.Count) }

// MAE returns output j's mean absolute error.
func (e *Metrics) MAE(j int) float64 { return e.sae[j] / float64(e.Count) }

// R2 returns output j's coefficient of determination.
func (e *Metrics) R2(j int) float64 { return r2(e.sse[j], e.m2[j]) }

// TotalMSE returns the MSE over every row and output (F.mse_loss).
func (e *Metrics) TotalMSE() float64 { return mean(e.sse) / float64(e.Count) }

// TotalMAE returns the MAE over every row and output.
func (e *Metrics) TotalMAE() float64 { return mean(e.sae) / float64(e.Count) }

// MeanR2 returns the mean of the outputs' R² (scikit-learn's r2_score).
func (e *Metrics) MeanR2() float64 {
	var s float64
	for j := range e.sse {
		s += e.R2(j)
	}
	return s / float64(len(e.sse))
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
