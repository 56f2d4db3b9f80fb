package regress

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// welfordExact returns feature q's mean and Σ (x − mean)² over m rows of k,
// in rational arithmetic.
func welfordExact(X []float32, m, k, q int) (mean, m2 float64) {
	sum := new(big.Rat)
	for i := 0; i < m; i++ {
		sum.Add(sum, new(big.Rat).SetFloat64(float64(X[i*k+q])))
	}
	mu := sum.Quo(sum, new(big.Rat).SetInt64(int64(m)))
	s := new(big.Rat)
	for i := 0; i < m; i++ {
		d := new(big.Rat).Sub(new(big.Rat).SetFloat64(float64(X[i*k+q])), mu)
		s.Add(s, d.Mul(d, d))
	}
	mean, _ = mu.Float64()
	m2, _ = s.Float64()
	return mean, m2
}

// TestWelfordMergeMatchesOnePass: the accumulators of two parts of the rows,
// merged, give the one-pass mean and M2 within the rounding both can have.
// Chan, Golub and LeVeque bound the relative error of the updating
// algorithm's M2 by about n·κ·u, κ = ‖x‖/√M2 (u = 2⁻⁵³), and each of its n
// mean updates rounds by at most about 4u·max|x|; merged and one-pass values
// each lie within that of the exact ones, hence within twice of each other.
// The columns drift, so that the parts' means differ and the merge's δ² term
// weighs (leaving it out misses by far more than the bound).
func TestWelfordMergeMatchesOnePass(t *testing.T) {
	const m, k = 3000, 3
	rng := rand.New(rand.NewPCG(17, 4))
	X := make([]float32, m*k)
	for i := 0; i < m; i++ {
		X[i*k] = float32(1e6 + 1e-3*float64(i) + rng.Float64() - 0.5) // large mean, small spread
		X[i*k+1] = float32(rng.NormFloat64() + 2e-3*float64(i))
		X[i*k+2] = float32(1e-3 * (5 + rng.NormFloat64() - 1e-3*float64(i)))
	}
	whole := must(NewWelford(k))
	whole.AddRows(rawDense(m, k, k, X))
	u := math.Ldexp(1, -53)
	for _, cut := range []int{m / 2, 1 + rng.IntN(m-1), 1, m - 1, 0, m} {
		a, b := must(NewWelford(k)), must(NewWelford(k))
		a.AddRows(rawDense(cut, k, k, X))
		b.AddRows(rawDense(m-cut, k, k, X[cut*k:]))
		if err := a.Merge(b); err != nil {
			t.Fatal(err)
		}
		if a.Count != m {
			t.Fatalf("cut %d: merged count %d, want %d", cut, a.Count, m)
		}
		for q := 0; q < k; q++ {
			mean, m2 := welfordExact(X, m, k, q)
			var maxAbs, ss float64
			for i := 0; i < m; i++ {
				v := float64(X[i*k+q])
				maxAbs = math.Max(maxAbs, math.Abs(v))
				ss += v * v
			}
			kappa := math.Sqrt(ss / m2)
			tolMean := 2 * 4 * m * u * maxAbs
			tolM2 := 2 * m * kappa * u * m2
			if d := math.Abs(a.Mean[q] - whole.Mean[q]); !(d <= tolMean) {
				t.Errorf("cut %d, feature %d: merged mean %v, one pass %v (exact %v): differ by %.3g > %.3g", cut, q, a.Mean[q], whole.Mean[q], mean, d, tolMean)
			}
			if d := math.Abs(a.M2[q] - whole.M2[q]); !(d <= tolM2) {
				t.Errorf("cut %d, feature %d: merged M2 %v, one pass %v (exact %v): differ by %.3g > %.3g", cut, q, a.M2[q], whole.M2[q], m2, d, tolM2)
			}
		}
	}
	c, d := must(NewWelford(k)), must(NewWelford(k))
	d.AddRows(rawDense(1, k, k, X))
	if a := zeroalloc.AllocsPerRun(10, func() { c.Merge(d) }); a != 0 {
		t.Errorf("Merge allocates %v times", a)
	}
}

func TestWelfordMergeChecks(t *testing.T) {
	w := must(NewWelford(2))
	w.AddRows(rawDense(2, 2, 2, []float32{1, 2, 3, 4}))
	before := *w
	before.Mean, before.M2 = append([]float64(nil), w.Mean...), append([]float64(nil), w.M2...)
	cases := map[string]*Welford{
		"nil":            nil,
		"self":           w,
		"other width":    must(NewWelford(3)),
		"ragged":         {Count: 1, Mean: []float64{1, 2}, M2: []float64{0}},
		"negative count": {Count: -1, Mean: []float64{1, 2}, M2: []float64{0, 0}},
		"count overflow": {Count: math.MaxInt64, Mean: []float64{1, 2}, M2: []float64{0, 0}},
	}
	for name, o := range cases {
		err := w.Merge(o)
		if err == nil || !strings.HasPrefix(err.Error(), "regress: Welford.Merge: ") {
			t.Errorf("%s: error %v, want one naming Welford.Merge", name, err)
		}
		if w.Count != before.Count || w.Mean[0] != before.Mean[0] || w.M2[1] != before.M2[1] {
			t.Errorf("%s: the accumulator changed on error", name)
		}
	}
	// An empty accumulator merges as nothing, and into an empty one as a copy.
	if err := w.Merge(must(NewWelford(2))); err != nil || w.Count != 2 || w.Mean[1] != 3 || w.M2[1] != 2 {
		t.Errorf("merging an empty accumulator: %v, count %d, mean %v, M2 %v", err, w.Count, w.Mean, w.M2)
	}
	e := must(NewWelford(2))
	if err := e.Merge(w); err != nil || e.Count != 2 || e.Mean[0] != 2 || e.M2[0] != 2 {
		t.Errorf("merging into an empty accumulator: %v, count %d, mean %v, M2 %v", err, e.Count, e.Mean, e.M2)
	}
}
