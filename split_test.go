package edgefit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"testing"
)

// The proof of the split policy (kernels_split.go) for every SIMD set this
// machine runs: each set is rebuilt with small budgets (simdSplit), so that
// small problems are cut into many assembly calls, down to one tile or row
// per call, and the calls are checked with the suite's guards and references,
// and, where a split keeps the order of every sum, bit for bit against one
// call.

// TestSplitCalls runs the suite's cases of every kernel on sets with small
// budgets: the pieces cover every element exactly once, and the results stay
// within the documented bounds (the sums over GradW's and ColSums's rows and
// over long vectors are cut too).
func TestSplitCalls(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	shapes := [][3]int{{1, 1, 1}, {7, 5, 9}, {13, 9, 17}, {25, 11, 40}, {40, 23, 3}, {3, 37, 50}, {30, 20, 300}}
	for _, budget := range []int{1, 50, 300, 2000} {
		for _, im := range simdSplit(splitter{budget}) {
			for i, s := range shapes {
				for _, c := range []kcase{
					newMM(r, s[0], s[1], s[2], modeOf(i)),
					newGW(r, s[0], s[1], s[2], modeOf(i)),
					newCS(r, s[0], s[1], modeOf(i)),
				} {
					if errs := c.run(im, heapPlacer{}); errs.n > 0 {
						t.Errorf("%s budget %d: %s:\n\t%s", im, budget, c, errs)
					}
				}
			}
			for _, n := range []int{1, 49, 50, 51, 333} {
				for _, c := range []kcase{newSE(r, n, false, modeOf(n)), newSE(r, n, true, modeOf(n)), newVec(r, "Dot", n, modeOf(n)), newVec(r, "Axpy", n, modeOf(n)), newPL(r, n),
					newStd(r, 3, n, modeOf(n)), newStd(r, n, 7, modeOf(n))} {
					if errs := c.run(im, heapPlacer{}); errs.n > 0 {
						t.Errorf("%s budget %d: %s:\n\t%s", im, budget, c, errs)
					}
				}
			}
		}
	}
}

// TestSplitBlock: block takes everything that fits, else whole units within
// the budget (at least one), and never overflows on huge counts.
func TestSplitBlock(t *testing.T) {
	s := splitter{1000}
	for _, c := range []struct{ n, cost, unit int }{{10, 100, 1}, {11, 100, 1}, {11, 100, 4}, {3, 2000, 4}, {math.MaxInt / 2, 3, 16}, {5, 0, 4}} {
		got := s.block(c.n, c.cost, c.unit)
		switch {
		case c.cost == 0 || c.n*c.cost <= s.budget && c.n <= s.budget:
			if got != c.n {
				t.Errorf("block(%d, %d, %d) = %d, want all %d", c.n, c.cost, c.unit, got, c.n)
			}
		case got%c.unit != 0 || got < c.unit || got > c.unit && got*c.cost > s.budget:
			t.Errorf("block(%d, %d, %d) = %d, want whole units within %d (at least one)", c.n, c.cost, c.unit, got, s.budget)
		}
	}
}

// TestGatherSplitCalls cuts batches into many assembly calls, down to one
// row per call, and checks them with the suite's guards and bitwise
// reference.
func TestGatherSplitCalls(t *testing.T) {
	r := rand.New(rand.NewPCG(62, 62))
	for _, budget := range []int{1, 200, 1000, 5000} {
		for _, im := range simdSplit(splitter{budget}) {
			for _, k := range []int{1, 3, 8, 15, 16, 17, 64, 100} {
				for _, n := range []int{1, 2, 15, 16, 17, 40, 63} {
					c := newGR(r, 1+r.IntN(30), n, k, n%numOrders)
					if errs := c.run(im, heapPlacer{}); errs.n > 0 {
						t.Errorf("%s budget %d: %s:\n\t%s", im, budget, c, errs)
					}
				}
			}
		}
	}
}

// TestPrefetchSplitCalls cuts batches into many assembly calls, down to one
// row per call, with idx and X flush against guard pages at either end: no
// call reads an index outside idx, and nothing changes.
func TestPrefetchSplitCalls(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	r := rand.New(rand.NewPCG(65, 65))
	for _, atEnd := range []bool{true, false} {
		p := newFencePlacer(t, atEnd, 64*(1000+9))
		for _, budget := range []int{1, 300, 1000, 5000} {
			for _, im := range simdSplit(splitter{budget}) {
				for _, k := range []int{1, 3, 15, 16, 17, 64, 129, 1000} {
					for _, n := range []int{1, 2, 15, 16, 17, 40, 63} {
						p.reset()
						c := newPR(r, 1+r.IntN(30), n, k, n%numOrders)
						c.lx.extra = 0
						if errs := c.run(im, p); errs.n > 0 {
							t.Errorf("%s budget %d: %s:\n\t%s", im, budget, c, errs)
						}
					}
				}
			}
		}
	}
}

// TestPrefetchPlanCoversRows: for every row length and alignment (in floats
// within a cache line), the plan of each SIMD set prefetches every line of a
// row of fewer than maxLines lines' worth of bytes, or its first maxLines
// lines, and nothing outside the row, with at least one line (the amd64
// kernels loop on it); the distance stays within its clamps.
func TestPrefetchPlanCoversRows(t *testing.T) {
	for _, p := range simdPlans() {
		for k := 1; k <= 5000; k++ {
			ahead, lines, last := p.rows(k)
			if ahead < p.minAhead || ahead > p.maxAhead || lines < 1 || last < 0 || last >= 4*k || 64*(lines-1) >= 4*k {
				t.Fatalf("%+v k=%d: ahead %d, lines %d, last %d", p, k, ahead, lines, last)
			}
			for a := 0; a < 64; a += 4 {
				asked := map[int]bool{(a + last) / 64: true}
				for j := 0; j < lines; j++ {
					asked[(a+64*j)/64] = true
				}
				first, end := a/64, (a+4*k-1)/64 // the row's lines
				want := min(end-first+1, p.maxLines)
				for l := first; l < first+want; l++ {
					if !asked[l] {
						t.Fatalf("%+v k=%d at byte %d of a line: line %d of the row not prefetched (lines %d, last %d)", p, k, a, l-first, lines, last)
					}
				}
				if len(asked) > want {
					t.Fatalf("%+v k=%d at byte %d: %d lines prefetched, want %d", p, k, a, len(asked), want)
				}
			}
		}
	}
}

func randF32(r *rand.Rand, n int) []float32 {
	a := make([]float32, n)
	for i := range a {
		a[i] = 2*r.Float32() - 1
	}
	return a
}

// TestSplitterBoundsCalls runs the splitter's drivers on Go stand-ins for
// the assembly that record every call: no call exceeds the budget (or, when
// one item is over it, one unit), and the calls cover the work exactly once,
// in order, with sums cut only where the doc says so.
func TestSplitterBoundsCalls(t *testing.T) {
	const budget = 1000
	s := splitter{budget}
	x := make([]float32, 10*budget+7)
	var lens []int
	total := func() (n int) {
		for _, l := range lens {
			n += l
		}
		return n
	}
	check := func(what string, want, most int) {
		t.Helper()
		if total() != want {
			t.Errorf("%s: calls cover %d items, want %d", what, total(), want)
		}
		for _, l := range lens {
			if l > most || l < 1 {
				t.Errorf("%s: a call of %d items, want 1…%d", what, l, most)
			}
		}
		lens = lens[:0]
	}
	s.sqErr(func(r, p, t []float32) float32 { lens = append(lens, len(r)); return 0 })(x, x, x)
	check("sqErr", len(x), budget)
	s.sum(func(a, b []float32) float32 { lens = append(lens, len(a)); return 0 })(x, x)
	check("sum", len(x), budget)
	s.axpy(func(_ float32, a, b []float32) { lens = append(lens, len(b)) })(1, x, x)
	check("axpy", len(x), budget)
	s.peakFMA(func(iters int) { lens = append(lens, iters) })(1000)
	check("peakFMA", 1000, budget/costPeakIter)

	// Standardize: each call's elements within the budget (or one block of
	// 64 columns of one row), every element of D covered once.
	for _, sh := range [][2]int{{1, 1}, {3, 1000}, {5000, 3}, {2, 64}, {7, 130}} {
		m, k := sh[0], sh[1]
		X, D, mv := make([]float32, m*k), make([]float32, m*k), make([]float32, k)
		seen := make([]int, m*k)
		s.standardize(func(mc, kc int, x []float32, _ int, mean, _, d []float32, _ int) {
			if mc*kc*costStdElem > budget && (mc > 1 || kc > 64) {
				t.Errorf("standardize %v: a call of %d×%d", sh, mc, kc)
			}
			at := len(D) - len(d) // where d starts in D
			if len(X)-len(x) != at || k-len(mean) != at%k {
				t.Errorf("standardize %v: x, d and mean of a call start at %d, %d and %d", sh, len(X)-len(x), at, k-len(mean))
			}
			for i := 0; i < mc; i++ {
				for p := 0; p < kc; p++ {
					seen[at+i*k+p]++
				}
			}
		}, m, k, X, k, mv, mv, D, k)
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("standardize %v: element %d written %d times", sh, i, c)
			}
		}
	}

	// Standardize's runs of short rows: whole vectors, mean and scale
	// repeated, the rows left fewer than one run, calls within the budget.
	for _, lanes := range []int{8, 16} {
		for k := 1; k <= 70; k++ {
			mean, scale := make([]float32, k), make([]float32, k)
			for p := range mean {
				mean[p], scale[p] = float32(p), float32(-p)
			}
			for _, m := range []int{1, 15, 16, 17, 31, 32, 33, 1000, 100000} {
				var pat stdPattern
				X := make([]float32, m*k)
				q, n, mb := s.runs(&pat, m, k, k, k, lanes, X, mean, scale, X)
				g := lanes / gcd(k, lanes)
				worth := k%lanes != 0 && g*k <= stdPatternMax && m >= 2*g
				switch {
				case !worth && q != 0:
					t.Errorf("runs k=%d m=%d lanes=%d: %d runs, want none", k, m, lanes, q)
				case !worth:
				case n != g*k || n%lanes != 0 || q != m/g:
					t.Errorf("runs k=%d m=%d lanes=%d: %d runs of %d, want %d of %d", k, m, lanes, q, n, m/g, g*k)
				case mb < 1 || mb > q || mb > 1 && mb*n*costStdElem > budget:
					t.Errorf("runs k=%d m=%d lanes=%d: %d runs of %d a call", k, m, lanes, mb, n)
				default:
					for i := 0; i < n; i++ {
						if pat.mean[i] != mean[i%k] || pat.scale[i] != scale[i%k] {
							t.Fatalf("runs k=%d lanes=%d: pattern %d is %v, %v", k, lanes, i, pat.mean[i], pat.scale[i])
						}
					}
				}
				if q, _, _ := s.runs(&pat, m, k, k+1, k, lanes, X, mean, scale, X); q != 0 {
					t.Errorf("runs k=%d m=%d: rows with gaps laid end to end", k, m)
				}
			}
		}
	}

	idx := make([]int, 5000)
	plan := prefetchPlan{8192, 2, 64, 8}
	for _, k := range []int{1, 16, 64, 1000} {
		covered := 0
		s.gatherRows(func(kc int, idx []int, _ []float32, _ int, _ []float32, _ int, ahead, _, _ int) {
			if ahead > len(idx) {
				t.Errorf("gatherRows: ahead %d past the call's %d rows", ahead, len(idx))
			}
			if w := len(idx) * costGatherElem * max(kc, 16); w > budget && (len(idx) > 1 || kc*costGatherElem > budget) {
				t.Errorf("gatherRows k=%d: a call of %d rows of %d columns", k, len(idx), kc)
			}
			covered += len(idx) * kc
		}, plan)(k, idx, x, 1, x, 0)
		if covered != len(idx)*k {
			t.Errorf("gatherRows k=%d: calls cover %d elements, want %d", k, covered, len(idx)*k)
		}
		_, lines, _ := plan.rows(k)
		s.prefetchRows(func(_ int, idx []int, _ []float32, _, _, _ int) { lens = append(lens, len(idx)) }, plan)(k, idx, x, 1)
		check(fmt.Sprintf("prefetchRows k=%d", k), len(idx), max(1, budget/(costPrefetch*(lines+1))))
	}

	// GradW and ColSums: each call's multiply-adds within the budget (or one
	// tile of one row), G covered once, β only on a block's first rows.
	for _, sh := range [][3]int{{1, 1, 1}, {100, 3, 5}, {5000, 2, 3}, {7, 40, 70}, {0, 5, 5}} {
		m, n, k := sh[0], sh[1], sh[2]
		seen := make([]int, n*k) // rows summed into each element
		R, X, G := make([]float32, max(m*n, 1)), make([]float32, max(m*k, 1)), make([]float32, n*k)
		s.gradW(func(mc, nc, kc int, _ float32, r []float32, _ int, xs []float32, _ int, beta float32, g []float32, _ int) {
			if mc*nc*kc > budget && (nc > 4 || kc > 16 || mc > 1) {
				t.Errorf("gradW %v: a call of %d×%d×%d", sh, mc, nc, kc)
			}
			j0, p0 := (len(G)-len(g))/k, (len(G)-len(g))%k
			for j := j0; j < j0+nc; j++ {
				for p := p0; p < p0+kc; p++ {
					if (seen[j*k+p] == 0) != (beta == 0.25) {
						t.Errorf("gradW %v: G[%d,%d] after %d rows gets β %v", sh, j, p, seen[j*k+p], beta)
					}
					seen[j*k+p] += mc
				}
			}
		}, 4, 16, m, n, k, 1, R, n, X, k, 0.25, G, k)
		for i, c := range seen {
			if c != m && !(m == 0 && c == 0) {
				t.Fatalf("gradW %v: element %d summed over %d rows, want %d", sh, i, c, m)
			}
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
