package regress

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// genLinear makes m rows of k inputs with varied scales and offsets and n
// noisy linear targets, row-major float64.
func genLinear(seed uint64, m, k, n int) (X, Y []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	scale := make([]float64, k)
	off := make([]float64, k)
	for q := range scale {
		scale[q] = math.Pow(10, float64(q%7-3))
		off[q] = scale[q] * float64(rng.IntN(200)-100)
	}
	W := make([]float64, n*k)
	for i := range W {
		// Weights away from zero, so that each has its own relative
		// precision to compare.
		W[i] = (0.5 + rng.Float64()) * float64(1-2*rng.IntN(2)) / scale[i%k]
	}
	X = make([]float64, m*k)
	Y = make([]float64, m*n)
	for i := 0; i < m; i++ {
		x := X[i*k : i*k+k]
		for q := range x {
			x[q] = off[q] + scale[q]*rng.NormFloat64()
		}
		for j := 0; j < n; j++ {
			s := float64(j+1) * 100
			for q, v := range x {
				s += W[j*k+q] * v
			}
			Y[i*n+j] = s + rng.NormFloat64()
		}
	}
	return X, Y
}

// lsProblem is a least-squares problem for the merge tests.
type lsProblem struct {
	name      string
	X, Y      []float64
	m, k, n   int
	intercept bool
}

// addParts accumulates rows [lo, hi) of d in chunks of random sizes, so that
// the block boundaries differ from a single pass.
func addParts(t *testing.T, rng *rand.Rand, a *QR, d *lsProblem, lo, hi int) {
	t.Helper()
	for lo < hi {
		c := min(hi-lo, 1+rng.IntN(200))
		if err := a.AddRows(c, d.X[lo*d.k:], d.k, d.Y[lo*d.n:], d.n); err != nil {
			t.Fatal(err)
		}
		lo += c
	}
}

// coefLRE is the least LRE of got's weights and bias against want's.
func coefLRE(got, want *Solution) float64 {
	return math.Min(minLRE(got.W, want.W), minLRE(got.B, want.B))
}

// sseLRE is the least LRE of got's residual sums of squares against want's,
// relative to the larger of the two and 1e-15 times the target's spread, so
// that an exact fit (SSE at the rounding level) compares as equal.
func sseLRE(got, want *Solution) float64 {
	l := 15.0
	for j := range want.SSE {
		ref := math.Max(want.SSE[j], 1e-15*want.SST[j])
		l = math.Min(l, lre(ref+got.SSE[j]-want.SSE[j], ref))
	}
	return l
}

func sortedInts(v []int) []int {
	out := append([]int(nil), v...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ridgeBig solves the ridge normal equations of rows X, Y (k inputs, n
// targets) in 256-bit arithmetic: (XcᵀXc + αI)·w = Xcᵀyc on data centred on
// its exact means with an intercept, on the raw data without.
func ridgeBig(X, Y []float64, m, k, n int, alpha float64, intercept bool) (W, B []float64) {
	const prec = 256
	nf := func(v float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(v) }
	p := k + n
	mean := make([]*big.Float, p)
	col := func(i, c int) float64 {
		if c < k {
			return X[i*k+c]
		}
		return Y[i*n+c-k]
	}
	for c := range mean {
		mean[c] = nf(0)
		if intercept {
			for i := 0; i < m; i++ {
				mean[c].Add(mean[c], nf(col(i, c)))
			}
			mean[c].Quo(mean[c], nf(float64(m)))
		}
	}
	// G = [XᵀX + αI | XᵀY] as a k×p augmented system.
	G := make([][]*big.Float, k)
	for a := range G {
		G[a] = make([]*big.Float, p)
		for c := range G[a] {
			s := nf(0)
			for i := 0; i < m; i++ {
				u := new(big.Float).Sub(nf(col(i, a)), mean[a])
				v := new(big.Float).Sub(nf(col(i, c)), mean[c])
				s.Add(s, u.Mul(u, v))
			}
			if a == c {
				s.Add(s, nf(alpha))
			}
			G[a][c] = s
		}
	}
	for a := 0; a < k; a++ { // Gauss-Jordan; the matrix is positive definite
		for r := 0; r < k; r++ {
			if r == a {
				continue
			}
			f := new(big.Float).Quo(G[r][a], G[a][a])
			for c := a; c < p; c++ {
				G[r][c].Sub(G[r][c], new(big.Float).Mul(f, G[a][c]))
			}
		}
	}
	W = make([]float64, n*k)
	for j := 0; j < n; j++ {
		b := new(big.Float).Set(mean[k+j])
		for a := 0; a < k; a++ {
			w := new(big.Float).Quo(G[a][k+j], G[a][a])
			W[j*k+a], _ = w.Float64()
			b.Sub(b, w.Mul(w, mean[a]))
		}
		if intercept {
			v, _ := b.Float64()
			B = append(B, v)
		}
	}
	return W, B
}

func TestQRRidgeMatchesNormalEquations(t *testing.T) {
	// Well-conditioned inputs of unit scale, so that the penalty weighs on
	// every input and both solvers are accurate to near 1e-15.
	const m, k, n = 300, 5, 2
	rng := rand.New(rand.NewPCG(9, 9))
	X, Y := make([]float64, m*k), make([]float64, m*n)
	for i := range X {
		X[i] = 0.5 + rng.NormFloat64()
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := float64(j) + rng.NormFloat64()
			for q := 0; q < k; q++ {
				s += float64(q-j) * X[i*k+q]
			}
			Y[i*n+j] = s
		}
	}
	for _, intercept := range []bool{true, false} {
		for _, alpha := range []float64{0, 0.5, 30, 1e4} {
			a, _ := NewQR(k, n, intercept)
			if err := a.AddRows(m, X, k, Y, n); err != nil {
				t.Fatal(err)
			}
			sol, err := a.Solve(alpha)
			if err != nil {
				t.Fatal(err)
			}
			W, B := ridgeBig(X, Y, m, k, n, alpha, intercept)
			if l := math.Min(minLRE(sol.W, W), minLRE(sol.B, B)); !(l >= 12) {
				t.Errorf("intercept %v, α = %v: LRE %.2f against the normal equations in big.Float, want ≥ 12", intercept, alpha, l)
			}
			if intercept != (sol.B != nil) {
				t.Errorf("intercept %v: bias %v", intercept, sol.B)
			}
			// SSE is the residual sum of squares of the returned solution,
			// without the penalty.
			for j := 0; j < n; j++ {
				var want float64
				for i := 0; i < m; i++ {
					r := -Y[i*n+j]
					if intercept {
						r += sol.B[j]
					}
					for q := 0; q < k; q++ {
						r += sol.W[j*k+q] * X[i*k+q]
					}
					want += r * r
				}
				if l := lre(sol.SSE[j], want); !(l >= 10) {
					t.Errorf("intercept %v, α = %v: SSE[%d] = %v, direct %v", intercept, alpha, j, sol.SSE[j], want)
				}
			}
		}
	}
}

// rankData returns m rows of k = 4 integer inputs (so that sums are exact)
// with column dep set by build, and one target.
func rankData(m int, build func(x []float64)) (X, Y []float64) {
	rng := rand.New(rand.NewPCG(4, 4))
	X = make([]float64, m*4)
	Y = make([]float64, m)
	for i := 0; i < m; i++ {
		x := X[i*4 : i*4+4]
		for q := range x {
			x[q] = float64(rng.IntN(1000)) + 1e6
		}
		build(x)
		Y[i] = x[0] - 2*x[1] + rng.NormFloat64()
	}
	return X, Y
}

func TestQRRankDeficiencyNamed(t *testing.T) {
	cases := []struct {
		name      string
		build     func(x []float64)
		intercept bool
		want      int // -1: solves
	}{
		{"constant with intercept", func(x []float64) { x[2] = 0.1 }, true, 2},
		{"constant without intercept", func(x []float64) { x[2] = 0.1 }, false, -1},
		{"zero without intercept", func(x []float64) { x[1] = 0 }, false, 1},
		{"sum of two", func(x []float64) { x[3] = x[0] + 2*x[1] }, true, 3},
		{"sum of two without intercept", func(x []float64) { x[3] = x[0] - x[2] }, false, 3},
		{"affine with intercept", func(x []float64) { x[1] = 3*x[0] + 7 }, true, 1},
		{"duplicate", func(x []float64) { x[2] = x[1] }, true, 2},
		{"independent", func(x []float64) {}, true, -1},
	}
	rng := rand.New(rand.NewPCG(8, 8))
	for _, c := range cases {
		const m = 20000
		X, Y := rankData(m, c.build)
		d := &lsProblem{c.name, X, Y, m, 4, 1, c.intercept}
		// Single pass and merged parts must agree on the verdict.
		parts := []*QR{}
		for lo := 0; lo < m; lo += m / 3 {
			a, _ := NewQR(4, 1, c.intercept)
			addParts(t, rng, a, d, lo, min(lo+m/3, m))
			parts = append(parts, a)
		}
		for _, p := range parts[1:] {
			if err := parts[0].Merge(p); err != nil {
				t.Fatal(err)
			}
		}
		whole, _ := NewQR(4, 1, c.intercept)
		if err := whole.AddRows(m, X, 4, Y, 1); err != nil {
			t.Fatal(err)
		}
		for _, a := range []*QR{whole, parts[0]} {
			_, err := a.Solve(0)
			var se *SingularError
			switch {
			case c.want < 0 && err != nil:
				t.Errorf("%s: %v, want a solution", c.name, err)
			case c.want >= 0 && (!errors.As(err, &se) || se.Feature != c.want):
				t.Errorf("%s: error %v, want a *SingularError naming input %d", c.name, err, c.want)
			}
			if c.want >= 0 {
				if _, err := a.Solve(1); err != nil {
					t.Errorf("%s: with a ridge term: %v", c.name, err)
				}
			}
		}
	}
	a, _ := NewQR(5, 1, true)
	X, Y := genLinear(1, 3, 5, 1)
	a.AddRows(3, X, 5, Y, 1)
	var se *SingularError
	if _, err := a.Solve(0); !errors.As(err, &se) {
		t.Errorf("3 rows, 5 inputs: %v, want a *SingularError", err)
	} else if !strings.HasPrefix(err.Error(), "regress: ") {
		t.Errorf("SingularError %q: want the package's prefix", err)
	}
}

func TestQRAddRowsAllocatesNothing(t *testing.T) {
	const m, k, n = 300, 16, 2
	X, Y := genLinear(2, m, k, n)
	X32, Y32 := make([]float32, len(X)), make([]float32, len(Y))
	for i, v := range X {
		X32[i] = float32(v)
	}
	for i, v := range Y {
		Y32[i] = float32(v)
	}
	a, _ := NewQR(k, n, true)
	b, _ := NewQR(k, n, true)
	b.AddRows(m, X, k, Y, n)
	for name, f := range map[string]func(){
		"AddRows":   func() { a.AddRows(m, X, k, Y, n) },
		"AddRows32": func() { a.AddRows32(rawDense(m, k, k, X32), rawDense(m, n, n, Y32)) },
		"Merge":     func() { a.Merge(b) },
	} {
		if allocs := zeroalloc.AllocsPerRun(20, f); allocs != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, allocs)
		}
	}
}

func TestQRBadArguments(t *testing.T) {
	for _, kn := range [][2]int{{0, 1}, {1, 0}, {-1, 1}, {maxQRCols, 1}, {math.MaxInt, 1}, {1, math.MaxInt}} {
		if _, err := NewQR(kn[0], kn[1], true); err == nil {
			t.Errorf("NewQR(%d, %d): no error", kn[0], kn[1])
		}
	}
	a, _ := NewQR(3, 1, true)
	x := []float64{1, 2, 3, 4, 5, 6}
	y := []float64{1, 2}
	nan := []float64{1, 2, math.NaN(), 4, 5, 6}
	inf := []float64{1, math.Inf(-1)}
	for name, f := range map[string]func() error{
		"negative rows": func() error { return a.AddRows(-1, x, 3, y, 1) },
		"short X":       func() error { return a.AddRows(3, x, 3, y, 1) },
		"short Y":       func() error { return a.AddRows(2, x, 3, y[:1], 1) },
		"stride < k":    func() error { return a.AddRows(1, x, 2, y, 1) },
		"huge stride":   func() error { return a.AddRows(2, x, math.MaxInt, y, 1) },
		"huge rows":     func() error { return a.AddRows(math.MaxInt, x, 3, y, 1) },
		"NaN":           func() error { return a.AddRows(2, nan, 3, y, 1) },
		"Inf target":    func() error { return a.AddRows(2, x, 3, inf, 1) },
		"float32 NaN": func() error {
			return a.AddRows32(rawDense(1, 3, 3, []float32{1, float32(math.NaN()), 3}), rawDense(1, 1, 1, []float32{1}))
		},
		"merge shape":     func() error { b, _ := NewQR(2, 1, true); return a.Merge(b) },
		"merge intercept": func() error { b, _ := NewQR(3, 1, false); return a.Merge(b) },
		"merge nil":       func() error { return a.Merge(nil) },
		"merge self":      func() error { a.AddRows(1, x, 3, y, 1); defer a.reset(); return a.Merge(a) },
		"no rows":         func() error { _, err := a.Solve(0); return err },
		"negative ridge":  func() error { a.AddRows(2, x, 3, y, 1); defer a.reset(); _, err := a.Solve(-1); return err },
		"NaN ridge":       func() error { a.AddRows(2, x, 3, y, 1); defer a.reset(); _, err := a.Solve(math.NaN()); return err },
	} {
		err := f()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if a.Count() != 0 {
			t.Errorf("%s: %d rows added on error", name, a.Count())
			a.reset()
		}
	}
	// Zero rows add nothing and are not an error, with any slices.
	if err := a.AddRows(0, nil, 3, nil, 1); err != nil || a.Count() != 0 {
		t.Errorf("zero rows: %v, count %d", err, a.Count())
	}
}

// TestQRMoments: the means and centred sums of squares, merged or not, are
// those of all the rows, with or without an intercept.
func TestQRMoments(t *testing.T) {
	const m, k, n = 1000, 4, 2
	X, Y := genLinear(31, m, k, n)
	for _, intercept := range []bool{true, false} {
		a, _ := NewQR(k, n, intercept)
		b, _ := NewQR(k, n, intercept)
		a.AddRows(300, X, k, Y, n)
		b.AddRows(m-300, X[300*k:], k, Y[300*n:], n)
		a.Merge(b)
		mean, m2 := a.Moments()
		for c := 0; c < k+n; c++ {
			v := func(i int) float64 {
				if c < k {
					return X[i*k+c]
				}
				return Y[i*n+c-k]
			}
			var s, ss float64
			for i := 0; i < m; i++ {
				s += v(i)
			}
			mu := s / m
			for i := 0; i < m; i++ {
				ss += (v(i) - mu) * (v(i) - mu)
			}
			if lre(mean[c], mu) < 13 || lre(m2[c], ss) < 12 {
				t.Errorf("intercept %v, column %d: mean %v, M2 %v, want %v and %v", intercept, c, mean[c], m2[c], mu, ss)
			}
		}
	}
}

// TestQRRefinementOutlier: one row a million times farther out than the
// spread of the others makes the centred values lose digits (the rounding of
// x − x̄ is on the outlier's scale, so a QR solve gets about 5); a step of
// refinement restores the exact solution.
func TestQRRefinementOutlier(t *testing.T) {
	const m, k, n = 200, 2, 1
	rng := rand.New(rand.NewPCG(41, 41))
	X, Y := make([]float64, m*k), make([]float64, m*n)
	for i := 0; i < m; i++ {
		X[i*k], X[i*k+1] = rng.NormFloat64(), rng.NormFloat64()
		if i == m/2 {
			X[i*k] = 1e12
		}
		Y[i] = 3*X[i*k] - 2*X[i*k+1] + 5 + rng.NormFloat64()
	}
	a, _ := NewQR(k, n, true)
	a.AddRows(m, X, k, Y, n)
	sol, err := a.Solve(0)
	if err != nil {
		t.Fatal(err)
	}
	sol = refine(t, a, sol, 0, &lsProblem{"outlier", X, Y, m, k, n, true})
	W, B := ridgeBig(X, Y, m, k, n, 0, true)
	if l := math.Min(minLRE(sol.W, W), minLRE(sol.B, B)); !(l >= 12) {
		t.Errorf("refined LRE %.2f against the normal equations in big.Float, want ≥ 12", l)
	}
}

// TestQRExtremeScales: data scaled by 2^±900 (where squares overflow or
// underflow float64) solve to the same weights, with or without intercept.
func TestQRExtremeScales(t *testing.T) {
	const m, k, n = 300, 3, 1
	X, Y := genLinear(17, m, k, n)
	for _, intercept := range []bool{true, false} {
		a, _ := NewQR(k, n, intercept)
		a.AddRows(m, X, k, Y, n)
		want, err := a.Solve(0)
		if err != nil {
			t.Fatal(err)
		}
		for _, scale := range []float64{0x1p900, 0x1p-900} {
			Xs, Ys := make([]float64, len(X)), make([]float64, len(Y))
			for i, v := range X {
				Xs[i] = v * scale
			}
			for i, v := range Y {
				Ys[i] = v * scale
			}
			b, _ := NewQR(k, n, intercept)
			b.AddRows(m, Xs, k, Ys, n)
			got, err := b.Solve(0)
			if err != nil {
				t.Errorf("intercept %v, scale %g: %v", intercept, scale, err)
				continue
			}
			for j := range got.B {
				got.B[j] /= scale
			}
			if l := coefLRE(got, want); !(l >= 13) {
				t.Errorf("intercept %v, scale %g: LRE %.2f against the unscaled solution, want ≥ 13", intercept, scale, l)
			}
		}
	}
}
