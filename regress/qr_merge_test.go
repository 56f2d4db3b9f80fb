package regress

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// splitMerge splits d's rows into 2 to 7 parts at random cut points,
// accumulates each part (in chunks of random sizes), passes it through its
// QRState as a device sends it, and merges the parts in random order,
// pairwise, until one is left, so that both sequential and tree-shaped
// merges occur. It returns the merged accumulator and the cut points.
func splitMerge(t *testing.T, rng *rand.Rand, d *lsProblem) (*QR, []int) {
	t.Helper()
	parts := 2 + rng.IntN(6)
	cuts := []int{0, d.m}
	for len(cuts) < parts+1 {
		cuts = append(cuts, 1+rng.IntN(d.m-1))
	}
	cuts = sortedInts(cuts)
	accs := make([]*QR, parts)
	for i := range accs {
		accs[i], _ = NewQR(d.k, d.n, d.intercept)
		addParts(t, rng, accs[i], d, cuts[i], cuts[i+1])
		var err error
		if accs[i], err = NewQRFromState(accs[i].State()); err != nil {
			t.Fatal(err)
		}
	}
	rng.Shuffle(parts, func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
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
	return accs[0], cuts
}

// csvRound rounds every value to 4 decimals, as a CSV written with 4
// decimals holds it: math.Round gives the integer N exactly, and N/10⁴, a
// correctly rounded division of two exact numbers, is the float64 that
// parsing the decimal N·10⁻⁴ gives.
func csvRound(v []float64) {
	for i, x := range v {
		v[i] = math.Round(x*1e4) / 1e4
	}
}

// TestQRMergeMillionRows: 1,000,000 rows of 16 inputs of scales 10⁻³ to 10³
// and 2 noisy linear targets, rounded to 4 decimals as a CSV holds them,
// split into 2 to 7 parts and merged in random order, give the single-pass
// solution (coefficients and residual sums of squares) to LRE ≥ 12, with and
// without an intercept, and so does the second round, the parts' refinements
// of the merged solution, against the refined single pass. Under -short,
// 20,000 rows.
func TestQRMergeMillionRows(t *testing.T) {
	m := 1_000_000
	if testing.Short() {
		m = 20_000
	}
	const k, n = 16, 2
	X, Y := genLinear(3, m, k, n)
	csvRound(X)
	csvRound(Y)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, intercept := range []bool{true, false} {
		d := &lsProblem{"generated", X, Y, m, k, n, intercept}
		whole, _ := NewQR(k, n, intercept)
		if err := whole.AddRows(m, X, k, Y, n); err != nil {
			t.Fatal(err)
		}
		want, err := whole.Solve(0)
		if err != nil {
			t.Fatal(err)
		}
		merged, cuts := splitMerge(t, rng, d)
		got, err := merged.Solve(0)
		if err != nil {
			t.Fatal(err)
		}
		c, s := coefLRE(got, want), sseLRE(got, want)
		t.Logf("%d rows, intercept %v, %d parts: merged against single pass: coefficients LRE %.2f, SSE LRE %.2f", m, intercept, len(cuts)-1, c, s)
		if !(c >= 12) || !(s >= 12) {
			t.Errorf("intercept %v, %d parts: merged LRE against the single pass: coefficients %.2f, SSE %.2f, want ≥ 12", intercept, len(cuts)-1, c, s)
		}
		// The second round: the parts refine the merged solution.
		want = refine(t, whole, want, 0, d)
		got = secondRound(t, rng, merged, got, 0, d, cuts)
		c, s = coefLRE(got, want), sseLRE(got, want)
		t.Logf("%d rows, intercept %v, %d parts: refined, merged against single pass: coefficients LRE %.2f, SSE LRE %.2f", m, intercept, len(cuts)-1, c, s)
		if !(c >= 12) || !(s >= 12) {
			t.Errorf("intercept %v, %d parts: refined merged LRE against the refined single pass: coefficients %.2f, SSE %.2f, want ≥ 12", intercept, len(cuts)-1, c, s)
		}
	}
}

// TestQRMergeNIST: every NIST set split into 2 to 7 parts, merged in random
// order, unrefined. The merged solution goes through up to 7 accumulations
// and 6 merges, each committing rounding errors of the size one pass
// commits, which the sets' conditioning magnifies alike: it is as accurate
// as a single pass, not the same to 12 digits, and may lie up to about 2
// digits further from the exact solution than the single pass happens to
// (over many splits, half a digit on the median). TestQRRefinedMergeNIST
// shows that refined, merged and single pass agree to LRE ≥ 12.
func TestQRMergeNIST(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	for _, s := range loadNIST(t) {
		d := &lsProblem{s.Name, s.X, s.Y, s.M, s.K, 1, s.Intercept}
		want := solveNIST(t, s)
		need := math.Min(12, minLRE(coefs(want), s.Coefficients)-2)
		lc, ls := 15.0, 15.0
		for trial := 0; trial < 10; trial++ {
			merged, cuts := splitMerge(t, rng, d)
			got, err := merged.Solve(0)
			if err != nil {
				t.Fatalf("%s, %d parts: %v", s.Name, len(cuts)-1, err)
			}
			lc, ls = math.Min(lc, coefLRE(got, want)), math.Min(ls, sseLRE(got, want))
		}
		t.Logf("%-9s merged against single pass, least of 10 splits: coefficients LRE %5.2f, SSE LRE %5.2f (want ≥ %.1f)", s.Name, lc, ls, need)
		if !(lc >= need) || !(ls >= need) {
			t.Errorf("%s: merged LRE against the single pass: coefficients %.2f, SSE %.2f, want ≥ %.1f", s.Name, lc, ls, need)
		}
	}
}

// Merging states whose means are far apart in float64's range (each state
// finite and solvable) is an error naming the overflow, not an accumulator
// of infinities and NaNs that Solve would call singular; Solve names the
// overflow too.
func TestQRMergeOverflow(t *testing.T) {
	state := func(mean float64) *QR {
		a, err := NewQRFromState(QRState{K: 1, N: 1, Intercept: true, Count: 2,
			Mean: []float64{mean, mean}, MeanLo: []float64{0, 0}, M2: []float64{1e308, 1e308},
			R: []float64{1e308, 0, 0, 1e308}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b := state(1e308), state(-1e308)
	if _, err := a.Solve(0); err != nil {
		t.Fatalf("one state alone: %v", err)
	}
	err := a.Merge(b)
	if err == nil || !strings.Contains(err.Error(), "overflow float64") {
		t.Errorf("Merge = %v, want an overflow error", err)
	}
	var se *SingularError
	if _, err := a.Solve(0); err == nil || errors.As(err, &se) || !strings.Contains(err.Error(), "overflow float64") {
		t.Errorf("Solve after the overflow = %v, want an overflow error", err)
	}
}
