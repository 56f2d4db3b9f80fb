package regress

import (
	"math"
	"math/rand/v2"
	"testing"
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

// data is a least-squares problem for the merge tests.
type data struct {
	name      string
	X, Y      []float64
	m, k, n   int
	intercept bool
}

// addParts accumulates rows [lo, hi) of d in chunks of random sizes, so that
// the block boundaries differ from a single pass.
func addParts(t *testing.T, rng *rand.Rand, a *QR, d *data, lo, hi int) {
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

func TestQRMergeMatchesSinglePass(t *testing.T) {
	var sets []*data
	cert := map[string][]float64{}
	for _, s := range loadNIST(t) {
		sets = append(sets, &data{s.Name, s.X, s.Y, s.M, s.K, 1, s.Intercept})
		cert[s.Name] = s.Coefficients
	}
	m := 1_000_000
	if testing.Short() {
		m = 20_000
	}
	X, Y := genLinear(3, m, 16, 2)
	sets = append(sets, &data{"generated", X, Y, m, 16, 2, true}, &data{"generated/no intercept", X, Y, m, 16, 2, false})
	rng := rand.New(rand.NewPCG(5, 6))
	for _, d := range sets {
		whole, _ := NewQR(d.k, d.n, d.intercept)
		if err := whole.AddRows(d.m, d.X, d.k, d.Y, d.n); err != nil {
			t.Fatal(err)
		}
		want, err := whole.Solve(0)
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		for trial := 0; trial < 3; trial++ {
			parts := 2 + rng.IntN(6)
			cuts := []int{0, d.m}
			for len(cuts) < parts+1 {
				cuts = append(cuts, 1+rng.IntN(d.m-1))
			}
			accs := make([]*QR, parts)
			for i, lo := range sortedInts(cuts[:]) {
				if i == parts {
					break
				}
				accs[i], _ = NewQR(d.k, d.n, d.intercept)
				addParts(t, rng, accs[i], d, lo, sortedInts(cuts)[i+1])
			}
			rng.Shuffle(parts, func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
			// Merge pairwise in random order until one is left, so both
			// sequential and tree-shaped merges occur.
			for len(accs) > 1 {
				i := rng.IntN(len(accs) - 1)
				if err := accs[i].Merge(accs[i+1]); err != nil {
					t.Fatal(err)
				}
				accs = append(accs[:i+1], accs[i+2:]...)
			}
			if accs[0].Count() != int64(d.m) {
				t.Fatalf("%s: merged count %d, want %d", d.name, accs[0].Count(), d.m)
			}
			got, err := accs[0].Solve(0)
			if err != nil {
				t.Fatalf("%s, %d parts: %v", d.name, parts, err)
			}
			t.Logf("%s %d parts: %.1f %.1f cert %.1f", d.name, parts, coefLRE(got, want), sseLRE(got, want), minLRE(coefs(got), cert[d.name]))
		}
	}
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
