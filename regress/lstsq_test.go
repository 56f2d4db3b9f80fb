package regress

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// cropRows is the tutorial's data: temp, rainfall, humidity -> apples, oranges.
var cropRows = [][5]float32{
	{73, 67, 43, 56, 70}, {91, 88, 64, 81, 101}, {87, 134, 58, 119, 133}, {102, 43, 37, 22, 37}, {69, 96, 70, 103, 119},
	{74, 66, 43, 57, 69}, {91, 87, 65, 80, 102}, {88, 134, 59, 118, 132}, {101, 44, 37, 21, 38}, {68, 96, 71, 104, 118},
	{73, 66, 44, 57, 69}, {92, 87, 64, 82, 100}, {87, 135, 57, 118, 134}, {103, 43, 36, 20, 38}, {68, 97, 70, 102, 120},
}

func cropXY() (X, Y []float32) {
	for _, r := range cropRows {
		X = append(X, r[0], r[1], r[2])
		Y = append(Y, r[3], r[4])
	}
	return X, Y
}

// sse computes Σ(W·x + b − y)² over rows directly, in float64.
func sse(W, b []float64, k, n int, X, Y []float32) []float64 {
	out := make([]float64, n)
	for i := 0; i < len(X)/k; i++ {
		for j := 0; j < n; j++ {
			p := b[j]
			for q := 0; q < k; q++ {
				p += W[j*k+q] * float64(X[i*k+q])
			}
			d := p - float64(Y[i*n+j])
			out[j] += d * d
		}
	}
	return out
}

func TestLeastSquaresRecoversExactModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const m, k, n = 200, 5, 3
	Wt := []float64{1, -2, 0.5, 3, 0, 0.25, 4, -1, 2, 1, -3, 1, 1, 1, 1}
	bt := []float64{10, -5, 1000}
	X := make([]float32, m*k)
	Y := make([]float32, m*n)
	for i := 0; i < m; i++ {
		for q := 0; q < k; q++ {
			// Integer inputs with a large offset, so the float32 targets
			// are exact and the means are large compared to the spread.
			X[i*k+q] = float32(1000 + rng.IntN(64))
		}
		for j := 0; j < n; j++ {
			s := bt[j]
			for q := 0; q < k; q++ {
				s += Wt[j*k+q] * float64(X[i*k+q])
			}
			Y[i*n+j] = float32(s)
		}
	}
	ls := must(newLeastSquares(k, n))
	ls.AddRows(m, X, k, Y, n)
	sol, err := ls.Solve(0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range Wt {
		if math.Abs(sol.W[i]-Wt[i]) > 1e-6 {
			t.Errorf("W[%d] = %v, want %v", i, sol.W[i], Wt[i])
		}
	}
	for j := range bt {
		if math.Abs(sol.B[j]-bt[j]) > 1e-3 {
			t.Errorf("b[%d] = %v, want %v", j, sol.B[j], bt[j])
		}
		if sol.R2(j) < 1-1e-9 {
			t.Errorf("R²[%d] = %v, want 1", j, sol.R2(j))
		}
	}
	if sol.MSE() > 1e-6 {
		t.Errorf("MSE = %v, want ~0", sol.MSE())
	}
}

// At the least-squares optimum the residuals are orthogonal to every input
// column and to the constant column, and the SSE reported is the SSE computed
// directly; moving any parameter away from it raises the error.
func TestLeastSquaresOptimality(t *testing.T) {
	X, Y := cropXY()
	ls := must(newLeastSquares(3, 2))
	ls.AddRows(15, X, 3, Y, 2)
	sol, err := ls.Solve(0)
	if err != nil {
		t.Fatal(err)
	}
	direct := sse(sol.W, sol.B, 3, 2, X, Y)
	for j := range direct {
		if math.Abs(direct[j]-sol.SSE[j]) > 1e-6*math.Max(1, direct[j]) {
			t.Errorf("SSE[%d] = %v, direct %v", j, sol.SSE[j], direct[j])
		}
	}
	for j := 0; j < 2; j++ {
		for q := -1; q < 3; q++ {
			var g float64
			for i := 0; i < 15; i++ {
				r := sol.B[j] - float64(Y[i*2+j])
				for p := 0; p < 3; p++ {
					r += sol.W[j*3+p] * float64(X[i*3+p])
				}
				x := 1.0
				if q >= 0 {
					x = float64(X[i*3+q])
				}
				g += r * x
			}
			if math.Abs(g) > 1e-6 {
				t.Errorf("output %d: residuals·column %d = %v, want 0", j, q, g)
			}
		}
	}
	for i := range sol.W {
		for _, d := range []float64{-1e-3, 1e-3} {
			W := append([]float64(nil), sol.W...)
			W[i] += d
			if s := sse(W, sol.B, 3, 2, X, Y); s[i/3] <= direct[i/3] {
				t.Errorf("moving W[%d] by %v lowered SSE to %v from %v", i, d, s[i/3], direct[i/3])
			}
		}
	}
}

func TestLeastSquaresSingular(t *testing.T) {
	ls := must(newLeastSquares(3, 1))
	for i := 0; i < 10; i++ {
		x := float32(i)
		ls.Add([]float32{x, 2*x + 1, float32(i * i)}, []float32{x})
	}
	_, err := ls.Solve(0)
	var se *SingularError
	if !errors.As(err, &se) || se.Feature != 1 {
		t.Fatalf("Solve(0) error = %v, want SingularError on input 2", err)
	}
	if _, err := ls.Solve(1e-3); err != nil {
		t.Errorf("Solve with a ridge term: %v", err)
	}
	c := must(newLeastSquares(2, 1))
	for i := 0; i < 10; i++ {
		c.Add([]float32{5, float32(i)}, []float32{float32(i)})
	}
	if _, err := c.Solve(0); !errors.As(err, &se) || se.Feature != 0 {
		t.Errorf("constant input: error = %v, want SingularError on input 1", err)
	}
	if _, err := must(newLeastSquares(2, 1)).Solve(0); err == nil {
		t.Error("no rows: no error")
	}
}

// A ridge term shrinks the weights; the solution must satisfy the ridge normal
// equations (Xcᵀ·Xc + αI)·w = Xcᵀ·yc.
func TestLeastSquaresRidge(t *testing.T) {
	X, Y := cropXY()
	ls := must(newLeastSquares(3, 2))
	ls.AddRows(15, X, 3, Y, 2)
	plain, _ := ls.Solve(0)
	const alpha = 500.0
	sol, err := ls.Solve(alpha)
	if err != nil {
		t.Fatal(err)
	}
	var nPlain, nRidge float64
	for i := range sol.W {
		nPlain += plain.W[i] * plain.W[i]
		nRidge += sol.W[i] * sol.W[i]
	}
	if !(nRidge < nPlain) {
		t.Errorf("‖W‖² with ridge %v = %v, without %v: want smaller", alpha, nRidge, nPlain)
	}
	// Gradient of SSE + α‖w‖² is zero at the ridge solution.
	for j := 0; j < 2; j++ {
		for q := 0; q < 3; q++ {
			g := alpha * sol.W[j*3+q]
			for i := 0; i < 15; i++ {
				r := sol.B[j] - float64(Y[i*2+j])
				for p := 0; p < 3; p++ {
					r += sol.W[j*3+p] * float64(X[i*3+p])
				}
				g += r * float64(X[i*3+q])
			}
			if math.Abs(g) > 1e-5 {
				t.Errorf("output %d input %d: ridge gradient %v, want 0", j, q, g)
			}
		}
	}
}

func TestLeastSquaresAddAllocs(t *testing.T) {
	ls := must(newLeastSquares(3, 2))
	x, y := []float32{1, 2, 3}, []float32{4, 5}
	if a := zeroalloc.AllocsPerRun(100, func() { ls.Add(x, y) }); a != 0 {
		t.Errorf("Add allocates %v times", a)
	}
}
