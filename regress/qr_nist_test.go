package regress

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// nistSet is one of NIST's StRD linear-regression sets as stored in
// fixtures/nist: the data (y first in the CSV) and the certified values.
type nistSet struct {
	Name         string
	File         string    `json:"file"`
	Intercept    bool      `json:"intercept"`
	Coefficients []float64 `json:"coefficients"` // intercept first when fitted
	CertifiedMSE float64   `json:"certified_mse"`
	X            []float64 `json:"-"` // m×k row-major
	Y            []float64 `json:"-"` // m
	M, K         int
}

var nistOrder = []string{"Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley",
	"Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5"}

// nistWant is the least LRE over the coefficients (intercept included)
// each set must reach in one pass, and nistMSEWant the LRE of the optimal
// MSE (9 when not listed). Two fall short of the project's aims of 7 and 9,
// which TestQRRefinedNIST meets: Wampler5's coefficients, where the data
// centred in float64 already limits any solve to about 7.2 (its exact
// least-squares solution, in rational arithmetic, has that LRE), and a float64
// solve lands a few tenths either side; and Filip's MSE, where the exact
// solution of the CSV itself has LRE 9.3 (its powers of x are rounded to
// float64, NIST's are exact) and centring costs a little more.
var nistWant = map[string]float64{"Norris": 11, "Pontius": 10, "NoInt1": 13, "NoInt2": 13,
	"Filip": 7, "Longley": 10, "Wampler1": 9, "Wampler2": 10, "Wampler3": 9, "Wampler4": 8, "Wampler5": 6.3}

var nistMSEWant = map[string]float64{"Filip": 8}

func loadNIST(t testing.TB) []*nistSet {
	t.Helper()
	dir := filepath.Join("..", "fixtures", "nist")
	raw, err := os.ReadFile(filepath.Join(dir, "certified.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cert map[string]json.RawMessage
	if err := json.Unmarshal(raw, &cert); err != nil {
		t.Fatal(err)
	}
	var sets []*nistSet
	for _, name := range nistOrder {
		s := &nistSet{Name: name}
		if err := json.Unmarshal(cert[name], s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, err := os.Open(filepath.Join(dir, s.File))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", s.File, err)
		}
		if recs[0][0] != "y" {
			t.Fatalf("%s: first column %q, want y", s.File, recs[0][0])
		}
		s.K = len(recs[0]) - 1
		for _, rec := range recs[1:] {
			for c, field := range rec {
				v, err := strconv.ParseFloat(field, 64)
				if err != nil {
					t.Fatalf("%s: %v", s.File, err)
				}
				if c == 0 {
					s.Y = append(s.Y, v)
				} else {
					s.X = append(s.X, v)
				}
			}
			s.M++
		}
		if want := s.K + b2i(s.Intercept); len(s.Coefficients) != want {
			t.Fatalf("%s: %d certified coefficients, want %d", name, len(s.Coefficients), want)
		}
		sets = append(sets, s)
	}
	return sets
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lre is the log relative error, the number of correct significant digits,
// capped at 15; against a zero it is −log10 |est| (NIST's convention).
func lre(est, cert float64) float64 {
	var e float64
	if cert == 0 {
		e = math.Abs(est)
	} else {
		e = math.Abs(est-cert) / math.Abs(cert)
	}
	if e == 0 {
		return 15
	}
	if math.IsNaN(e) {
		return 0
	}
	return math.Max(0, math.Min(15, -math.Log10(e)))
}

// coefs returns the solution's coefficients in NIST's order: intercept first.
func coefs(sol *Solution) []float64 {
	return append(append([]float64(nil), sol.B...), sol.W...)
}

// minLRE returns the least LRE of est against ref, element by element.
func minLRE(est, ref []float64) float64 {
	m := 15.0
	for i := range ref {
		m = math.Min(m, lre(est[i], ref[i]))
	}
	return m
}

func solveNIST(t testing.TB, s *nistSet) *Solution {
	t.Helper()
	a, err := NewQR(s.K, 1, s.Intercept)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AddRows(s.M, s.X, s.K, s.Y, 1); err != nil {
		t.Fatal(err)
	}
	sol, err := a.Solve(0)
	if err != nil {
		t.Fatalf("%s: %v", s.Name, err)
	}
	return sol
}

func TestQRNIST(t *testing.T) {
	for _, s := range loadNIST(t) {
		sol := solveNIST(t, s)
		c := minLRE(coefs(sol), s.Coefficients)
		mse := lre(sol.SSE[0]/float64(s.M), s.CertifiedMSE)
		wantMSE := 9.0
		if w, ok := nistMSEWant[s.Name]; ok {
			wantMSE = w
		}
		t.Logf("%-9s coefficients LRE %5.1f (want %3.1f), optimal MSE LRE %5.1f (want %v)", s.Name, c, nistWant[s.Name], mse, wantMSE)
		if !(c >= nistWant[s.Name]) {
			t.Errorf("%s: least LRE over the coefficients %.2f, want ≥ %v", s.Name, c, nistWant[s.Name])
		}
		if !(mse >= wantMSE) {
			t.Errorf("%s: optimal MSE %v, certified %v: LRE %.2f, want ≥ %v", s.Name, sol.SSE[0]/float64(s.M), s.CertifiedMSE, mse, wantMSE)
		}
	}
}

// refine returns sol after one step of refinement over the set's rows.
func refine(t testing.TB, a *QR, sol *Solution, alpha float64, d *lsProblem) *Solution {
	t.Helper()
	f, err := a.Refinement(sol, alpha)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddRows(d.m, d.X, d.k, d.Y, d.n); err != nil {
		t.Fatal(err)
	}
	out, err := f.Solve()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestQRRefinedNIST: one step of refinement takes every set to at least
// the project's targets, float64's limit on Wampler5 and Filip included.
func TestQRRefinedNIST(t *testing.T) {
	want := map[string]float64{"Norris": 11, "Pontius": 10, "NoInt1": 13, "NoInt2": 13,
		"Filip": 7, "Longley": 10, "Wampler1": 9, "Wampler2": 10, "Wampler3": 9, "Wampler4": 8, "Wampler5": 7}
	for _, s := range loadNIST(t) {
		a, _ := NewQR(s.K, 1, s.Intercept)
		a.AddRows(s.M, s.X, s.K, s.Y, 1)
		sol, err := a.Solve(0)
		if err != nil {
			t.Fatal(err)
		}
		sol = refine(t, a, sol, 0, &lsProblem{s.Name, s.X, s.Y, s.M, s.K, 1, s.Intercept})
		c := minLRE(coefs(sol), s.Coefficients)
		mse := lre(sol.SSE[0]/float64(s.M), s.CertifiedMSE)
		t.Logf("%-9s refined: coefficients LRE %5.1f, optimal MSE LRE %5.1f", s.Name, c, mse)
		if !(c >= want[s.Name]) || !(mse >= 9) {
			t.Errorf("%s refined: coefficients LRE %.2f (want ≥ %v), MSE LRE %.2f (want ≥ 9)", s.Name, c, want[s.Name], mse)
		}
	}
}
