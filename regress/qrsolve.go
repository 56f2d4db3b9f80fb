package regress

import (
	"errors"
	"fmt"
	"math"
)

// qrRankTol is the rank test of Solve (see dependent): rounding leaves an
// exactly dependent column a remainder orders of magnitude below it, even
// over millions of rows and merges, and a merely ill-conditioned one, such
// as NIST's Filip, keeps orders of magnitude more.
const qrRankTol = 1e-12

// Solve returns the least squares with ridge term alpha (b not penalised).
func (a *QR) Solve(alpha float64) (*Solution, error) {
	k, n, p := a.k, a.n, a.k+a.n
	rr, err := a.triangle(alpha)
	if err != nil {
		return nil, err
	}
	sol := &Solution{W: make([]float64, n*k), SSE: make([]float64, n), SST: make([]float64, n), Rows: a.count}
	if a.intercept {
		sol.B = make([]float64, n)
	}
	for t := 0; t < n; t++ {
		c := k + t
		w := sol.W[t*k : t*k+k]
		for i := k - 1; i >= 0; i-- {
			s := rr[i*p+c]
			for q := i + 1; q < k; q++ {
				s -= float64(rr[i*p+q] * w[q])
			}
			w[i] = s / rr[i*p+i]
		}
		if a.intercept {
			sol.B[t] = a.intercept1(c, w)
		}
		var sse float64
		for i := k; i <= c; i++ {
			sse += float64(a.r[i*p+c] * a.r[i*p+c])
		}
		if alpha > 0 {
			// The part of the residual in the inputs' span, zero at the
			// unpenalised optimum.
			for i := 0; i < k; i++ {
				d := -a.r[i*p+c]
				for q := i; q < k; q++ {
					d += float64(a.r[i*p+q] * w[q])
				}
				sse += float64(d * d)
			}
		}
		sol.SSE[t] = sse
		sol.SST[t] = a.m2[c]
	}
	for _, v := range sol.W {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("regress: least squares: the solution overflows float64 (rescale the data)")
		}
	}
	return sol, nil
}

// triangle returns R, or with alpha > 0 the triangle of the penalised
// problem, after checking the arguments and the rank.
func (a *QR) triangle(alpha float64) ([]float64, error) {
	if a.count == 0 {
		return nil, errors.New("regress: least squares: no rows")
	}
	if alpha < 0 || math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return nil, fmt.Errorf("regress: least squares: ridge term %v, want a finite number ≥ 0", alpha)
	}
	if !a.finite() {
		return nil, errors.New("regress: least squares: the accumulated sums overflow float64 (rescale the data)")
	}
	k, p := a.k, a.k+a.n
	rr := a.r
	if alpha > 0 {
		// Appending the rows √α·I under the weight columns makes the
		// triangle of the penalised problem.
		rr = append([]float64(nil), a.r...)
		aug := make([]float64, p*k)
		for j := 0; j < k; j++ {
			aug[j*k+j] = math.Sqrt(alpha)
		}
		qrHouseholder(rr, p, aug, k, k)
	}
	if j := a.dependent(rr, alpha); j >= 0 {
		return nil, &SingularError{Feature: j}
	}
	return rr, nil
}

// dependent returns the first input whose diagonal in the (possibly ridge-
// augmented) triangle rr fails the rank test, or -1. Input j's column is
// z·(the columns before it) plus a part of norm |rr[j][j]|; rounding leaves
// that part about ε·(‖x_j‖ + Σ|z_q|·‖x_q‖) when the column is exactly
// dependent, which the test compares it with (norms uncentred with an
// intercept, so that a constant column counts as dependent on it).
func (a *QR) dependent(rr []float64, alpha float64) int {
	p := a.k + a.n
	norm := make([]float64, a.k)
	z := make([]float64, a.k)
	for j := 0; j < a.k; j++ {
		// ‖x_j‖ = √(Σ R[i][j]² + count·mean² + α), scaled against overflow.
		m := math.Sqrt(alpha)
		for i := 0; i <= j; i++ {
			m = max(m, math.Abs(a.r[i*p+j]))
		}
		if a.intercept {
			m = max(m, math.Abs(a.mean[j]))
		}
		var ss float64
		if m > 0 {
			ss = alpha / m / m
			for i := 0; i <= j; i++ {
				v := a.r[i*p+j] / m
				ss += float64(v * v)
			}
			if a.intercept {
				v := a.mean[j] / m
				ss += float64(float64(a.count) * v * v)
			}
		}
		norm[j] = m * math.Sqrt(ss)
		ref := norm[j]
		for i := j - 1; i >= 0; i-- {
			s := rr[i*p+j]
			for q := i + 1; q < j; q++ {
				s -= float64(rr[i*p+q] * z[q])
			}
			z[i] = s / rr[i*p+i]
			ref += float64(math.Abs(z[i]) * norm[i])
		}
		if !(math.Abs(rr[j*p+j]) > qrRankTol*ref) {
			return j
		}
	}
	return -1
}

// intercept1 returns ȳ − x̄·w for target column c, in compensated
// arithmetic on the double-double means: the terms are often far larger
// than the intercept.
func (a *QR) intercept1(c int, w []float64) float64 {
	s, e := a.mean[c], a.meanLo[c]
	for q, v := range w {
		t := float64(-a.mean[q] * v)
		te := math.FMA(-a.mean[q], v, -t)
		var se float64
		s, se = twoSum(s, t)
		e += se + te - float64(a.meanLo[q]*v)
	}
	return s + e
}
