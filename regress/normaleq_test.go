package regress

import (
	"errors"
	"fmt"
	"math"
)

// leastSquares is the solver QR replaced, kept as a baseline for the tests
// and for BenchmarkLeastSquares: the normal equations on centred data,
//
//	Cxx·Wᵀ = Cxy,   b = ȳ − W·x̄,
//
// with Cxx and Cxy accumulated row by row in float64 (Welford's co-moment
// update) and solved by Cholesky; a ridge term α adds α·I to Cxx. It squares
// the condition number, which QR does not.
type leastSquares struct {
	K, N  int
	Count int64
	meanX []float64 // k
	meanY []float64 // n
	cxx   []float64 // k×k, upper triangle used
	cxy   []float64 // k×n
	cyy   []float64 // n: Σ (y − ȳ)²
	dx    []float64 // scratch
	dy    []float64
}

// newLeastSquares returns an empty accumulator for k inputs and n targets.
// Its k×k and k×n matrices must each fit in linalg.MaxElements values: the
// normal equations of more inputs are an error, not an out-of-memory crash.
func newLeastSquares(k, n int) (*leastSquares, error) {
	if k < 0 || n < 1 {
		return nil, fmt.Errorf("regress: newLeastSquares: %d inputs and %d targets: want at least 0 inputs and 1 target", k, n)
	}
	if !fits(k, k) {
		return nil, tooLarge("newLeastSquares", "normal equations", k, k)
	}
	if !fits(k, n) {
		return nil, tooLarge("newLeastSquares", "cross-covariances", k, n)
	}
	return &leastSquares{K: k, N: n,
		meanX: make([]float64, k), meanY: make([]float64, n),
		cxx: make([]float64, k*k), cxy: make([]float64, k*n), cyy: make([]float64, n),
		dx: make([]float64, k), dy: make([]float64, n)}, nil
}

// Add adds one example: inputs x (k) and targets y (n); other lengths are an
// error. It allocates nothing.
func (ls *leastSquares) Add(x, y []float32) error {
	if len(x) != ls.K || len(y) != ls.N || len(ls.dx) != ls.K || len(ls.dy) != ls.N {
		return fmt.Errorf("regress: leastSquares.Add: %d inputs and %d targets, want %d and %d (from newLeastSquares)", len(x), len(y), ls.K, ls.N)
	}
	ls.Count++
	inv := 1 / float64(ls.Count)
	// With d the deviation from the old mean, the co-moment grows by
	// d·dᵀ·(c−1)/c, where c is the new count.
	f := float64(ls.Count-1) * inv
	for p, v := range x {
		d := float64(v) - ls.meanX[p]
		ls.dx[p] = d
		ls.meanX[p] += d * inv
	}
	for j, v := range y {
		d := float64(v) - ls.meanY[j]
		ls.dy[j] = d
		ls.meanY[j] += d * inv
		ls.cyy[j] += d * d * f
	}
	k, n := ls.K, ls.N
	for p := 0; p < k; p++ {
		dp := ls.dx[p] * f
		row := ls.cxx[p*k : p*k+k]
		for q := p; q < k; q++ {
			row[q] += dp * ls.dx[q]
		}
		cy := ls.cxy[p*n : p*n+n]
		for j := range cy {
			cy[j] += dp * ls.dy[j]
		}
	}
	return nil
}

// AddRows adds m examples: X m×k and Y m×n, row strides ldx and ldy. Slices
// too short for them are an error, and then no example is added.
func (ls *leastSquares) AddRows(m int, X []float32, ldx int, Y []float32, ldy int) error {
	if err := checkRows("leastSquares.AddRows", "X", ls.K, rawDense(m, ls.K, ldx, X)); err != nil {
		return err
	}
	if err := checkRows("leastSquares.AddRows", "Y", ls.N, rawDense(m, ls.N, ldy, Y)); err != nil {
		return err
	}
	for i := 0; i < m; i++ {
		if err := ls.Add(X[i*ldx:i*ldx+ls.K], Y[i*ldy:i*ldy+ls.N]); err != nil {
			return err
		}
	}
	return nil
}

// Solve returns the least-squares solution with ridge term alpha ≥ 0 (0 for
// plain least squares). Without a ridge term it needs at least k+1 rows and
// inputs that are not collinear; otherwise it returns a *SingularError.
func (ls *leastSquares) Solve(alpha float64) (*Solution, error) {
	if ls.Count == 0 {
		return nil, errors.New("least squares: no rows")
	}
	if alpha < 0 || math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return nil, fmt.Errorf("least squares: ridge term %v, want a finite number ≥ 0", alpha)
	}
	k, n := ls.K, ls.N
	// L·Lᵀ = Cxx + αI, lower triangle of L in a full k×k array.
	L := make([]float64, k*k)
	for p := 0; p < k; p++ {
		for q := 0; q <= p; q++ {
			L[p*k+q] = ls.cxx[q*k+p] // upper triangle of cxx, transposed
		}
		L[p*k+p] += alpha
	}
	for p := 0; p < k; p++ {
		diag := L[p*k+p]
		for q := 0; q < p; q++ {
			diag -= L[p*k+q] * L[p*k+q]
		}
		// The pivot is the part of feature p's spread that the features
		// before it do not explain: relative to its own spread it is 1 − R²
		// of p on them. Below 1e-10 the solution is noise.
		if !(diag > 1e-10*(ls.cxx[p*k+p]+alpha)) || !(diag > 0) {
			return nil, &SingularError{Feature: p}
		}
		d := math.Sqrt(diag)
		L[p*k+p] = d
		for r := p + 1; r < k; r++ {
			s := ls.cxx[p*k+r] // Cxx[r][p] from the upper triangle
			for q := 0; q < p; q++ {
				s -= L[r*k+q] * L[p*k+q]
			}
			L[r*k+p] = s / d
		}
	}
	sol := &Solution{W: make([]float64, n*k), B: make([]float64, n), SSE: make([]float64, n), SST: make([]float64, n), Rows: ls.Count}
	z := make([]float64, k)
	for j := 0; j < n; j++ {
		// Forward then back substitution for column j of Cxy.
		for p := 0; p < k; p++ {
			s := ls.cxy[p*n+j]
			for q := 0; q < p; q++ {
				s -= L[p*k+q] * z[q]
			}
			z[p] = s / L[p*k+p]
		}
		w := sol.W[j*k : j*k+k]
		for p := k - 1; p >= 0; p-- {
			s := z[p]
			for q := p + 1; q < k; q++ {
				s -= L[q*k+p] * w[q]
			}
			w[p] = s / L[p*k+p]
		}
		b := ls.meanY[j]
		for p := 0; p < k; p++ {
			b -= w[p] * ls.meanX[p]
		}
		sol.B[j] = b
		// SSE = Syy − 2·w·Cxy + wᵀ·Cxx·w on centred data (b fits the means).
		var wc, wCw float64
		for p := 0; p < k; p++ {
			wc += w[p] * ls.cxy[p*n+j]
			var cw float64
			for q := 0; q < k; q++ {
				c := ls.cxx[p*k+q]
				if q < p {
					c = ls.cxx[q*k+p]
				}
				cw += c * w[q]
			}
			wCw += w[p] * cw
		}
		sol.SSE[j] = math.Max(0, ls.cyy[j]-2*wc+wCw)
		sol.SST[j] = ls.cyy[j]
	}
	return sol, nil
}
