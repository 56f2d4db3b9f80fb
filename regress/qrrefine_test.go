package regress

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// exactLS solves the least-squares problem of d's first target in rational
// arithmetic: the exact solution of the float64 data, intercept first.
func exactLS(d *lsProblem) []float64 {
	p := d.k
	if d.intercept {
		p++
	}
	row := func(i int) []*big.Rat {
		r := make([]*big.Rat, 0, p)
		if d.intercept {
			r = append(r, big.NewRat(1, 1))
		}
		for _, v := range d.X[i*d.k : i*d.k+d.k] {
			r = append(r, new(big.Rat).SetFloat64(v))
		}
		return r
	}
	A := make([][]*big.Rat, p) // [XᵀX | Xᵀy]
	for a := range A {
		A[a] = make([]*big.Rat, p+1)
		for c := range A[a] {
			A[a][c] = new(big.Rat)
		}
	}
	for i := 0; i < d.m; i++ {
		r := append(row(i), new(big.Rat).SetFloat64(d.Y[i*d.n]))
		for a := 0; a < p; a++ {
			for c := 0; c <= p; c++ {
				A[a][c].Add(A[a][c], new(big.Rat).Mul(r[a], r[c]))
			}
		}
	}
	for a := 0; a < p; a++ { // Gauss-Jordan on a positive definite matrix
		for r := 0; r < p; r++ {
			if r == a || A[r][a].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Quo(A[r][a], A[a][a])
			for c := a; c <= p; c++ {
				A[r][c].Sub(A[r][c], new(big.Rat).Mul(f, A[a][c]))
			}
		}
	}
	out := make([]float64, p)
	for a := range out {
		out[a], _ = new(big.Rat).Quo(A[a][p], A[a][a]).Float64()
	}
	return out
}

// TestQRRefinedIsExact: one step of refinement reaches the exact
// least-squares solution of every NIST set's float64 data. (On Filip that
// solution is 7.6 digits from NIST's certified values, whose powers of x are
// exact where the CSV's are rounded to float64.)
func TestQRRefinedIsExact(t *testing.T) {
	for _, s := range loadNIST(t) {
		d := &lsProblem{s.Name, s.X, s.Y, s.M, s.K, 1, s.Intercept}
		a, _ := NewQR(s.K, 1, s.Intercept)
		a.AddRows(s.M, s.X, s.K, s.Y, 1)
		sol, err := a.Solve(0)
		if err != nil {
			t.Fatal(err)
		}
		sol = refine(t, a, sol, 0, d)
		if l := minLRE(coefs(sol), exactLS(d)); !(l >= 12) {
			t.Errorf("%s: refined solution's LRE against the exact solution of the data %.2f, want ≥ 12", s.Name, l)
		}
	}
}

// TestQRRefinedMergeNIST: the two rounds of merging across devices (the
// parts' QR states merged and solved, then the parts' refinements of that
// solution merged and solved with the merged accumulator) give the refined
// single-pass solution to LRE ≥ 12 on every NIST set split into 2 to 7
// parts, coefficients and residual sum of squares, where the unrefined
// ones differ by the sets' conditioning (TestQRMergeNIST).
func TestQRRefinedMergeNIST(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	for _, s := range loadNIST(t) {
		d := &lsProblem{s.Name, s.X, s.Y, s.M, s.K, 1, s.Intercept}
		whole, _ := NewQR(d.k, 1, d.intercept)
		whole.AddRows(d.m, d.X, d.k, d.Y, 1)
		want, err := whole.Solve(0)
		if err != nil {
			t.Fatal(err)
		}
		want = refine(t, whole, want, 0, d)
		lc, ls := 15.0, 15.0
		for trial := 0; trial < 10; trial++ {
			merged, cuts := splitMerge(t, rng, d)
			sol, err := merged.Solve(0)
			if err != nil {
				t.Fatal(err)
			}
			got := secondRound(t, rng, merged, sol, 0, d, cuts)
			c, e := coefLRE(got, want), sseLRE(got, want)
			lc, ls = math.Min(lc, c), math.Min(ls, e)
			if !(c >= 12) || !(e >= 12) {
				t.Errorf("%s, %d parts: refined merged solution's LRE against the refined single pass: coefficients %.2f, SSE %.2f, want ≥ 12", s.Name, len(cuts)-1, c, e)
			}
		}
		t.Logf("%-9s refined, merged against single pass, least of 10 splits: coefficients LRE %5.2f, SSE LRE %5.2f", s.Name, lc, ls)
	}
}

func TestQRRefinedRidge(t *testing.T) {
	const m, k, n = 300, 5, 2
	X, Y := genLinear(19, m, k, n)
	for _, intercept := range []bool{true, false} {
		a, _ := NewQR(k, n, intercept)
		a.AddRows(m, X, k, Y, n)
		sol, err := a.Solve(3)
		if err != nil {
			t.Fatal(err)
		}
		sol = refine(t, a, sol, 3, &lsProblem{"ridge", X, Y, m, k, n, intercept})
		W, B := ridgeBig(X, Y, m, k, n, 3, intercept)
		if l := math.Min(minLRE(sol.W, W), minLRE(sol.B, B)); !(l >= 13) {
			t.Errorf("intercept %v: refined ridge solution's LRE %.2f, want ≥ 13", intercept, l)
		}
	}
}

func TestQRRefinementChecks(t *testing.T) {
	const m, k, n = 100, 3, 1
	X, Y := genLinear(23, m, k, n)
	a, _ := NewQR(k, n, true)
	a.AddRows(m, X, k, Y, n)
	sol, _ := a.Solve(0)
	if _, err := a.Refinement(&Solution{W: sol.W}, 0); err == nil {
		t.Error("a solution without bias refined an accumulator with an intercept")
	}
	f, _ := a.Refinement(sol, 0)
	f.AddRows(m-1, X, k, Y, n)
	if _, err := f.Solve(); err == nil {
		t.Error("a refinement missing a row solved")
	}
	f.AddRows(1, X[(m-1)*k:], k, Y[m-1:], n)
	a.AddRows(1, X, k, Y, n)
	if _, err := f.Solve(); err == nil {
		t.Error("a refinement of an accumulator that has changed solved")
	}
	g, _ := a.Refinement(sol, 1)
	if err := f.Merge(g); err == nil {
		t.Error("refinements of different ridge terms merged")
	}
	h, _ := a.Refinement(sol, 0)
	x32, y32 := make([]float32, k*m), make([]float32, m)
	if allocs := zeroalloc.AllocsPerRun(10, func() {
		h.AddRows(m, X, k, Y, n)
		h.addRows32(rawDense(m, k, k, x32), rawDense(m, n, n, y32))
	}); allocs != 0 {
		t.Errorf("QRRefinement.AddRows: %v allocations, want 0", allocs)
	}
}
