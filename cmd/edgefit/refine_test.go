package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/regress"
)

// twoRounds merges the CSV parts across "devices" in two rounds: stats of
// every part and solve -json (round one, written to round1.json beside the
// parts), then stats -refine round1.json of every part and solve -refine
// -json with the same stats files in the same order. flags go to both
// solve runs.
func twoRounds(t *testing.T, rng *rand.Rand, parts []string, y string, bias bool, flags ...string) (round1, round2 solveOut) {
	t.Helper()
	var stats, refs []string
	for _, p := range parts {
		st := strings.TrimSuffix(p, ".csv") + ".stats"
		ok(t, runCmd(t, "", "stats", "-data", p, "-y", y, "-o", st, fmt.Sprintf("-bias=%v", bias)))
		stats = append(stats, st)
	}
	rng.Shuffle(len(stats), func(i, j int) { stats[i], stats[j] = stats[j], stats[i] })
	args := append([]string{"solve", "-json", "-stats", strings.Join(stats, ",")}, flags...)
	r := ok(t, runCmd(t, "", args...))
	if err := json.Unmarshal([]byte(r.stdout), &round1); err != nil {
		t.Fatalf("solve -json: %v\n%s", err, r.stdout)
	}
	j1 := filepath.Join(filepath.Dir(parts[0]), "round1.json")
	if err := os.WriteFile(j1, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		ref := strings.TrimSuffix(p, ".csv") + ".refine"
		// Without -bias: the intercept setting is round one's.
		ok(t, runCmd(t, "", "stats", "-data", p, "-y", y, "-refine", j1, "-o", ref))
		refs = append(refs, ref)
	}
	rng.Shuffle(len(refs), func(i, j int) { refs[i], refs[j] = refs[j], refs[i] })
	round2 = solveJ(t, append(args[2:], "-refine", strings.Join(refs, ","))...)
	return round1, round2
}

// TestRefineSolveNIST: every NIST set split into 3 parts, merged in two
// rounds (stats and solve, then stats -refine and solve -refine), gives
// train -init lstsq -epochs 0's exact solution (one pass over every row,
// refined by a second) to LRE ≥ 12, where round one alone falls short on
// the ill-conditioned sets; the model is the refined solution rounded once.
func TestRefineSolveNIST(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "nist", "certified.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cert map[string]struct {
		File      string `json:"file"`
		Intercept bool   `json:"intercept"`
	}
	if err := json.Unmarshal(raw, &cert); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(21, 3))
	for _, name := range []string{"Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley",
		"Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5"} {
		c := cert[name]
		src := filepath.Join("..", "..", "fixtures", "nist", c.File)
		want := trainExact(t, src, "y", c.Intercept)
		parts := splitCSVInto(t, rng, src, t.TempDir(), 3)
		round1, round2 := twoRounds(t, rng, parts, "y", c.Intercept)
		l1, _ := exactLRE(round1, want)
		l2, _ := exactLRE(round2, want)
		t.Logf("%-9s 3 parts against train -init lstsq -epochs 0: round one LRE %5.2f, after round two %5.2f", name, l1, l2)
		if !(l2 >= 12) || round2.Refined != 3 || round2.Rows != round1.Rows {
			t.Errorf("%s: after two rounds LRE %.2f against train -init lstsq -epochs 0 (%d refinement files, %d rows of %d), want ≥ 12", name, l2, round2.Refined, round2.Rows, round1.Rows)
		}
		checkRoundedOnce(t, name, round2)
	}
}

// TestRefineSolveRidge: with -ridge, both rounds give train -init lstsq
// -ridge -epochs 0's solution (the ridge solution, refined).
func TestRefineSolveRidge(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 9))
	r := ok(t, runCmd(t, "", "train", "-quiet", "-json", "-data", crops, "-y", "apples,oranges", "-init", "lstsq", "-ridge", "2", "-epochs", "0"))
	var train solveOut
	if err := json.Unmarshal([]byte(r.stdout), &train); err != nil {
		t.Fatal(err)
	}
	parts := splitCSVInto(t, rng, crops, t.TempDir(), 3)
	_, round2 := twoRounds(t, rng, parts, "apples,oranges", true, "-ridge", "2")
	want := &regress.Solution{B: train.Exact.Bias, SSE: make([]float64, len(train.Exact.Weight))}
	for _, row := range train.Exact.Weight {
		want.W = append(want.W, row...)
	}
	if l, _ := exactLRE(round2, want); !(l >= 12) {
		t.Errorf("-ridge 2: after two rounds LRE %.2f against train -init lstsq -ridge 2 -epochs 0, want ≥ 12", l)
	}
}
