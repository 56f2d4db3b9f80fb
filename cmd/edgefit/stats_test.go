package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
)

// solveOut is edgefit solve -json's output.
type solveOut struct {
	Files      int         `json:"files"`
	Refined    int         `json:"refined"`
	Rows       int64       `json:"rows"`
	MSE        float64     `json:"mse"`
	OptimalMSE *float64    `json:"optimal_mse"`
	Weight     [][]float32 `json:"weight"`
	Bias       []float32   `json:"bias"`
	Exact      struct {
		Weight [][]float64 `json:"weight"`
		Bias   []float64   `json:"bias"`
	} `json:"exact"`
}

func solveJ(t *testing.T, args ...string) solveOut {
	t.Helper()
	r := ok(t, runCmd(t, "", append([]string{"solve", "-json"}, args...)...))
	var out solveOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("solve -json: %v\n%s", err, r.stdout)
	}
	return out
}

// splitCSV writes the data rows of src into 2 to 7 files in dir, cut at
// random points, each with the header; it returns their paths.
func splitCSV(t *testing.T, rng *rand.Rand, src, dir string) []string {
	return splitCSVInto(t, rng, src, dir, 2+rng.IntN(6))
}

// splitCSVInto is splitCSV into the number of parts given, none empty (as
// many as there are rows, if fewer).
func splitCSVInto(t *testing.T, rng *rand.Rand, src, dir string, parts int) []string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimRight(string(b), "\n")+"\n", "\n")
	header, rows := lines[0], lines[1:len(lines)-1]
	cuts := []int{0, len(rows)}
	for len(cuts) < min(parts, len(rows))+1 {
		cuts = sortedUnique(append(cuts, 1+rng.IntN(len(rows)-1)))
	}
	var paths []string
	for i := 0; i+1 < len(cuts); i++ {
		p := filepath.Join(dir, fmt.Sprintf("part%d.csv", i))
		if err := os.WriteFile(p, []byte(header+strings.Join(rows[cuts[i]:cuts[i+1]], "")), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func sortedUnique(v []int) []int {
	out := []int{}
	for len(v) > 0 {
		m := 0
		for i := range v {
			if v[i] < v[m] {
				m = i
			}
		}
		if len(out) == 0 || out[len(out)-1] != v[m] {
			out = append(out, v[m])
		}
		v = append(v[:m], v[m+1:]...)
	}
	return out
}

// statsParts runs edgefit stats on each part and returns the stats files,
// comma-separated, in a random order.
func statsParts(t *testing.T, rng *rand.Rand, parts []string, y string, bias bool) string {
	t.Helper()
	var out []string
	for _, p := range parts {
		st := strings.TrimSuffix(p, ".csv") + ".stats"
		ok(t, runCmd(t, "", "stats", "-data", p, "-y", y, fmt.Sprintf("-bias=%v", bias), "-o", st))
		out = append(out, st)
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return strings.Join(out, ",")
}

// singlePass is the library's one-pass solution over a CSV file read as
// float64.
func singlePass(t *testing.T, path, y string, intercept bool) *regress.Solution {
	t.Helper()
	f, err := data.OpenCSVFile(path, splitNames(y), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, n := len(f.Cols.X), len(f.Cols.Y)
	qr, err := regress.NewQR(k, n, intercept)
	if err != nil {
		t.Fatal(err)
	}
	// Chunks of the command's size: rows are reduced in blocks from the
	// start of each chunk, so the same chunks round alike.
	rows := statsRows(k, n)
	err = f.Pass64(make([]float64, rows*k), make([]float64, rows*n), func(m int, X, Y []float64) error {
		return qr.AddRows(m, X, k, Y, n)
	})
	if err != nil {
		t.Fatal(err)
	}
	sol, err := qr.Solve(0)
	if err != nil {
		t.Fatal(err)
	}
	return sol
}

// trainExact is edgefit train -init lstsq -epochs 0's exact solution on the
// whole file (refined by a second pass over its rows), as a Solution.
func trainExact(t *testing.T, path, y string, bias bool) *regress.Solution {
	t.Helper()
	r := ok(t, runCmd(t, "", "train", "-quiet", "-json", "-data", path, "-y", y, "-init", "lstsq", "-epochs", "0", fmt.Sprintf("-bias=%v", bias)))
	var out struct {
		Exact struct {
			Weight [][]float64 `json:"weight"`
			Bias   []float64   `json:"bias"`
		} `json:"exact"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("train -json: %v\n%s", err, r.stdout)
	}
	sol := &regress.Solution{B: out.Exact.Bias, SSE: make([]float64, len(out.Exact.Weight))}
	for _, row := range out.Exact.Weight {
		sol.W = append(sol.W, row...)
	}
	return sol
}

// lre is the log relative error (correct significant digits), capped at
// 15; against a zero, −log10 |est|.
func lre(est, ref float64) float64 {
	e := math.Abs(est - ref)
	if ref != 0 {
		e /= math.Abs(ref)
	}
	if e == 0 {
		return 15
	}
	return math.Max(0, math.Min(15, -math.Log10(e)))
}

// exactLRE is the least LRE of solve's exact coefficients against sol's,
// and the LRE of its optimal MSE.
func exactLRE(out solveOut, sol *regress.Solution) (coef, mse float64) {
	k := len(sol.W) / len(sol.SSE)
	coef = 15.0
	for j := range out.Exact.Weight {
		for p, v := range out.Exact.Weight[j] {
			coef = math.Min(coef, lre(v, sol.W[j*k+p]))
		}
	}
	for j, v := range out.Exact.Bias {
		coef = math.Min(coef, lre(v, sol.B[j]))
	}
	if sol.Rows == 0 { // no MSE to compare
		return coef, 15
	}
	return coef, lre(*out.OptimalMSE, sol.MSE())
}

// checkRoundedOnce: the float32 model is the exact solution rounded once.
func checkRoundedOnce(t *testing.T, name string, out solveOut) {
	t.Helper()
	for j, row := range out.Exact.Weight {
		for p, v := range row {
			if out.Weight[j][p] != float32(v) {
				t.Errorf("%s: weight[%d][%d] %v, want float32(%v) = %v", name, j, p, out.Weight[j][p], v, float32(v))
			}
		}
	}
	for j, v := range out.Exact.Bias {
		if out.Bias[j] != float32(v) {
			t.Errorf("%s: bias[%d] %v, want float32(%v)", name, j, out.Bias[j], v)
		}
	}
}

// TestStatsSolveNIST: every NIST set, split into 2 to 7 parts at random,
// each part through edgefit stats, the stats files in random order through
// edgefit solve, against the single pass (the library's QR over the whole
// file). On NoInt1, NoInt2 and Longley the two agree to LRE ≥ 12, and with
// train -init lstsq -epochs 0 (refined) too. On the others a merge, like any float64 solve, is limited by the conditioning:
// each part's accumulation and each merge commit the rounding one pass
// commits, which the condition number magnifies, so the merged solution is
// as accurate as the single pass against NIST's certified values, give or
// take the 2 digits that regress's TestQRMergeNIST allows, not equal to it
// to 12 digits (a refinement needs the rows: the second round,
// TestRefineSolveNIST). The optimal MSE is compared where it is not 0 (Wampler1 and 2
// fit exactly: both MSEs are rounding noise).
func TestStatsSolveNIST(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "nist", "certified.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cert map[string]struct {
		File         string    `json:"file"`
		Intercept    bool      `json:"intercept"`
		Coefficients []float64 `json:"coefficients"` // intercept first
		MSE          float64   `json:"certified_mse"`
	}
	if err := json.Unmarshal(raw, &cert); err != nil {
		t.Fatal(err)
	}
	// Where the merge keeps a margin of a digit or more over 12; Norris and
	// Pontius reach 12.1 (an intercept small beside its terms) and are held
	// to the rule of the others.
	wellConditioned := map[string]bool{"NoInt1": true, "NoInt2": true, "Longley": true}
	rng := rand.New(rand.NewPCG(12, 5))
	for _, name := range []string{"Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley",
		"Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5"} {
		c := cert[name]
		src := filepath.Join("..", "..", "fixtures", "nist", c.File)
		want := singlePass(t, src, "y", c.Intercept)
		need := 12.0
		if !wellConditioned[name] {
			m := 15.0
			for i, v := range append(append([]float64(nil), want.B...), want.W...) {
				m = math.Min(m, lre(v, c.Coefficients[i]))
			}
			need = math.Min(need, m-2)
		}
		refined := trainExact(t, src, "y", c.Intercept)
		least, leastMSE, leastTrain := 15.0, 15.0, 15.0
		for trial := 0; trial < 3; trial++ {
			parts := splitCSV(t, rng, src, t.TempDir())
			out := solveJ(t, "-stats", statsParts(t, rng, parts, "y", c.Intercept))
			if out.Rows != want.Rows || out.Files != len(parts) {
				t.Errorf("%s: %d rows from %d files, want %d from %d", name, out.Rows, out.Files, want.Rows, len(parts))
			}
			checkRoundedOnce(t, name, out)
			l, lm := exactLRE(out, want)
			least = math.Min(least, l)
			lt, _ := exactLRE(out, refined)
			leastTrain = math.Min(leastTrain, lt)
			if c.MSE != 0 {
				leastMSE = math.Min(leastMSE, lm)
			}
		}
		t.Logf("%-9s least of 3 splits against the single pass: coefficients LRE %5.2f, MSE %5.2f (want ≥ %.1f); against train -init lstsq -epochs 0 (refined) %5.2f", name, least, leastMSE, need, leastTrain)
		if !(least >= need) || !(leastMSE >= need) {
			t.Errorf("%s: merged against the single pass: coefficients LRE %.2f, MSE %.2f, want ≥ %.1f", name, least, leastMSE, need)
		}
		if wellConditioned[name] && !(leastTrain >= 12) {
			t.Errorf("%s: merged against train -init lstsq -epochs 0: coefficients LRE %.2f, want ≥ 12", name, leastTrain)
		}
	}
}

// TestStatsSolveGenerated: a CSV of 16 inputs of scales 10⁻³ to 10³ and 2
// noisy targets, split into 2 to 7 parts, gives the single-pass solution
// to LRE ≥ 12, with and without an intercept; one stats file of the whole
// file gives it exactly (the stats file holds the accumulator bit for bit).
func TestStatsSolveGenerated(t *testing.T) {
	rows := 100_000
	if testing.Short() {
		rows = 10_000
	}
	const k = 16
	dir := t.TempDir()
	src := filepath.Join(dir, "all.csv")
	writeGenerated(t, src, rows, k)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, bias := range []bool{true, false} {
		want := singlePass(t, src, "y1,y2", bias)
		whole := filepath.Join(dir, "all.stats")
		ok(t, runCmd(t, "", "stats", "-data", src, "-y", "y1,y2", fmt.Sprintf("-bias=%v", bias), "-o", whole))
		if l, lm := exactLRE(solveJ(t, "-stats", whole), want); l != 15 || lm != 15 {
			t.Errorf("bias %v: one stats file of every row: LRE %.2f and MSE %.2f against the single pass, want it exactly", bias, l, lm)
		}
		refined := trainExact(t, src, "y1,y2", bias)
		for trial := 0; trial < 2; trial++ {
			parts := splitCSV(t, rng, src, t.TempDir())
			out := solveJ(t, "-stats", statsParts(t, rng, parts, "y1,y2", bias))
			checkRoundedOnce(t, "generated", out)
			l, lm := exactLRE(out, want)
			lt, _ := exactLRE(out, refined)
			t.Logf("%d rows, bias %v, %d parts: coefficients LRE %.2f, MSE LRE %.2f against the single pass, %.2f against train -init lstsq -epochs 0", rows, bias, len(parts), l, lm, lt)
			if !(l >= 12) || !(lm >= 12) || !(lt >= 12) || out.Rows != int64(rows) {
				t.Errorf("bias %v, %d parts: %d rows, coefficients LRE %.2f (%.2f against train), MSE %.2f, want %d rows and LRE ≥ 12", bias, len(parts), out.Rows, l, lt, lm, rows)
			}
		}
	}
}

// writeGenerated writes rows of k inputs x0… of scales 10⁻³ to 10³ around
// offsets of up to 100 times that, and 2 targets y1, y2 linear in them with
// weights of the inverse scales (each well determined) and noise, with 4
// decimals.
func writeGenerated(t *testing.T, path string, rows, k int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	scale, off, W := make([]float64, k), make([]float64, k), make([]float64, 2*k)
	var b strings.Builder
	for p := range scale {
		scale[p] = math.Pow(10, float64(p%7-3))
		off[p] = scale[p] * float64(rng.IntN(200)-100)
		fmt.Fprintf(&b, "x%d,", p)
	}
	for i := range W {
		W[i] = (0.5 + rng.Float64()) * float64(1-2*rng.IntN(2)) / scale[i%k]
	}
	b.WriteString("y1,y2\n")
	x := make([]float64, k)
	for i := 0; i < rows; i++ {
		for p := range x {
			x[p] = off[p] + scale[p]*rng.NormFloat64()
			fmt.Fprintf(&b, "%.4f,", x[p])
		}
		for j := 0; j < 2; j++ {
			y := float64(j+1)*100 + rng.NormFloat64()
			for p, v := range x {
				y += W[j*k+p] * v
			}
			fmt.Fprintf(&b, "%.4f%s", y, map[bool]string{true: ",", false: "\n"}[j == 0])
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
