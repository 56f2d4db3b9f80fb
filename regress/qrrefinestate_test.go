package regress

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// secondRound is the second round of merging across devices: each part of
// d's rows (cut at cuts) refines sol, the merged accumulator's solution for
// alpha, on its own device and sends the refinement's state; the states are
// rebuilt against merged, merged in random order and solved. Even parts
// begin with NewQRRefinementFor (a device holding only its rows), odd ones
// with Refinement on a decoded copy of merged (a device that received the
// merged state).
func secondRound(t *testing.T, rng *rand.Rand, merged *QR, sol *Solution, alpha float64, d *lsProblem, cuts []int) *Solution {
	t.Helper()
	parts := len(cuts) - 1
	enc, _ := merged.marshalBinary()
	fs := make([]*QRRefinement, parts)
	for i := range fs {
		var f *QRRefinement
		var err error
		if i%2 == 0 {
			f, err = NewQRRefinementFor(d.k, d.n, d.intercept, sol, alpha)
		} else {
			base := new(QR)
			if err := base.unmarshalBinary(enc); err != nil {
				t.Fatal(err)
			}
			f, err = base.Refinement(sol, alpha)
		}
		if err != nil {
			t.Fatal(err)
		}
		for lo, hi := cuts[i], cuts[i+1]; lo < hi; {
			c := min(hi-lo, 1+rng.IntN(300))
			if err := f.AddRows(c, d.X[lo*d.k:], d.k, d.Y[lo*d.n:], d.n); err != nil {
				t.Fatal(err)
			}
			lo += c
		}
		if fs[i], err = NewQRRefinementFromState(f.State(), merged); err != nil {
			t.Fatalf("%s, part %d of %d: %v", d.name, i, parts, err)
		}
	}
	rng.Shuffle(parts, func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	for _, g := range fs[1:] {
		if err := fs[0].Merge(g); err != nil {
			t.Fatal(err)
		}
	}
	got, err := fs[0].Solve()
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// refinementCase is an accumulator of 200 rows, its solution for alpha and
// a refinement of that solution over the rows.
func refinementCase(t testing.TB, k, n int, intercept bool, alpha float64) (*QR, *QRRefinement, *lsProblem) {
	t.Helper()
	const m = 200
	X, Y := genLinear(29, m, k, n)
	a, _ := NewQR(k, n, intercept)
	a.AddRows(m, X, k, Y, n)
	sol, err := a.Solve(alpha)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewQRRefinementFor(k, n, intercept, sol, alpha)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddRows(m, X, k, Y, n); err != nil {
		t.Fatal(err)
	}
	return a, f, &lsProblem{"case", X, Y, m, k, n, intercept}
}

// sameRefinementState reports whether two states hold the same values, bit
// for bit (an empty slice and nil alike).
func sameRefinementState(a, b QRRefinementState) bool {
	if a.K != b.K || a.N != b.N || a.Intercept != b.Intercept || a.Count != b.Count ||
		math.Float64bits(a.Alpha) != math.Float64bits(b.Alpha) {
		return false
	}
	x := [][]float64{a.W, a.B, a.SXR, a.SXRLo, a.SR, a.SRLo, a.SRR, a.SRRLo}
	y := [][]float64{b.W, b.B, b.SXR, b.SXRLo, b.SR, b.SRLo, b.SRR, b.SRRLo}
	for i := range x {
		if !equalF64(x[i], y[i]) {
			return false
		}
	}
	return true
}

// TestQRRefinementStateRoundTrip: a refinement begun without the
// accumulator, rebuilt from its state against it, solves bit for bit as
// the refinement begun on the accumulator does, ridge or not; its state
// reads back unchanged; it cannot solve on its own.
func TestQRRefinementStateRoundTrip(t *testing.T) {
	for _, intercept := range []bool{true, false} {
		for _, alpha := range []float64{0, 2} {
			a, f, d := refinementCase(t, 4, 2, intercept, alpha)
			if _, err := f.Solve(); err == nil || !strings.Contains(err.Error(), "NewQRRefinementFromState") {
				t.Errorf("a refinement without an accumulator solved, or did not say how: %v", err)
			}
			s := f.State()
			g, err := NewQRRefinementFromState(s, a)
			if err != nil {
				t.Fatal(err)
			}
			if !sameRefinementState(g.State(), s) {
				t.Error("the rebuilt refinement's state differs from the state given")
			}
			got, err := g.Solve()
			if err != nil {
				t.Fatal(err)
			}
			sol, _ := a.Solve(alpha)
			want := refine(t, a, sol, alpha, d)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("intercept %v, alpha %v: the rebuilt refinement solves to %v, the accumulator's own to %v", intercept, alpha, got, want)
			}
		}
	}
}

// TestQRRefinementStateStrict: every state no refinement of the
// accumulator's solution can hold is refused, with an error of the package.
func TestQRRefinementStateStrict(t *testing.T) {
	a, f, _ := refinementCase(t, 3, 2, true, 0)
	other, _ := NewQR(3, 2, false)
	other.AddRows(10, make([]float64, 30), 3, make([]float64, 20), 2)
	cases := map[string]func(s *QRRefinementState){
		"no inputs":           func(s *QRRefinementState) { s.K = 0 },
		"too many columns":    func(s *QRRefinementState) { s.K, s.N = maxQRCols, 1 },
		"N overflowing K+N":   func(s *QRRefinementState) { s.N = math.MaxInt },
		"negative count":      func(s *QRRefinementState) { s.Count = -1 },
		"more rows than R's":  func(s *QRRefinementState) { s.Count = a.Count() + 1 },
		"NaN ridge term":      func(s *QRRefinementState) { s.Alpha = math.NaN() },
		"negative ridge term": func(s *QRRefinementState) { s.Alpha = -1 },
		"another ridge term":  func(s *QRRefinementState) { s.Alpha = 1 },
		"W too short":         func(s *QRRefinementState) { s.W = s.W[:5] },
		"B missing":           func(s *QRRefinementState) { s.B = nil },
		"no intercept":        func(s *QRRefinementState) { s.Intercept, s.B = false, nil },
		"SXRLo too long":      func(s *QRRefinementState) { s.SXRLo = append(s.SXRLo, 0) },
		"SRR too short":       func(s *QRRefinementState) { s.SRR = s.SRR[:1] },
		"infinite W":          func(s *QRRefinementState) { s.W[2] = math.Inf(1) },
		"NaN sum":             func(s *QRRefinementState) { s.SR[1] = math.NaN() },
		"NaN low part":        func(s *QRRefinementState) { s.SRRLo[0] = math.NaN() },
		"not double-double":   func(s *QRRefinementState) { s.SXRLo[3] = s.SXR[3] },
		"negative SSE":        func(s *QRRefinementState) { s.SRR[0] = -s.SRR[0] },
		"sums without rows":   func(s *QRRefinementState) { s.Count = 0 },
		"one ulp off":         func(s *QRRefinementState) { s.W[4] = math.Nextafter(s.W[4], 0) },
		"another bias":        func(s *QRRefinementState) { s.B[1]++ },
		"other inputs":        func(s *QRRefinementState) { s.K, s.W, s.SXR, s.SXRLo = 2, s.W[:4], s.SXR[:4], s.SXRLo[:4] },
		"nil accumulator":     nil,
	}
	for name, mess := range cases {
		s := f.State()
		base := a
		if mess == nil {
			base = nil
		} else {
			mess(&s)
		}
		if _, err := NewQRRefinementFromState(s, base); err == nil || !strings.HasPrefix(err.Error(), "regress: ") || strings.Count(err.Error(), "regress: ") != 1 {
			t.Errorf("%s: %v, want an error with one prefix", name, err)
		}
	}
	if _, err := NewQRRefinementFromState(f.State(), other); err == nil {
		t.Error("a refinement was rebuilt against an accumulator without an intercept")
	}
	if _, err := NewQRRefinementFromState(f.State(), a); err != nil {
		t.Fatalf("the untouched state: %v", err)
	}
	empty, _ := NewQRRefinementFor(3, 2, true, &Solution{W: make([]float64, 6), B: make([]float64, 2)}, 0)
	for _, bad := range []struct{ k, n int }{{0, 1}, {1, 0}, {maxQRCols, 1}, {2, math.MaxInt}} {
		if _, err := NewQRRefinementFor(bad.k, bad.n, true, &Solution{}, 0); err == nil {
			t.Errorf("NewQRRefinementFor(%d, %d) began", bad.k, bad.n)
		}
	}
	if _, err := NewQRRefinementFromState(empty.State(), a); err == nil {
		t.Error("a refinement of the zero solution was rebuilt against an accumulator that solves to another")
	}
}

// TestQRRefinementMergeCount: a merge whose row count would overflow is
// refused, leaving the refinement unchanged.
func TestQRRefinementMergeCount(t *testing.T) {
	_, f, _ := refinementCase(t, 2, 1, true, 0)
	_, g, _ := refinementCase(t, 2, 1, true, 0)
	g.count = math.MaxInt64 - 100
	before := f.State()
	if err := f.Merge(g); err == nil {
		t.Error("a merge overflowing the row count succeeded")
	}
	if !sameRefinementState(f.State(), before) {
		t.Error("a refused merge changed the refinement")
	}
}

// TestQRRefinementForAllocs: a refinement begun without an accumulator adds
// rows without allocating.
func TestQRRefinementForAllocs(t *testing.T) {
	_, f, d := refinementCase(t, 3, 2, false, 0)
	x32, y32 := make([]float32, 3*d.m), make([]float32, 2*d.m)
	if allocs := zeroalloc.AllocsPerRun(10, func() {
		f.AddRows(d.m, d.X, d.k, d.Y, d.n)
		f.addRows32(rawDense(d.m, d.k, d.k, x32), rawDense(d.m, d.n, d.n, y32))
	}); allocs != 0 {
		t.Errorf("QRRefinement.AddRows: %v allocations, want 0", allocs)
	}
}

// FuzzQRRefinementState rebuilds refinements from arbitrary states against
// accumulators of 1 to 6 inputs and 1 to 3 targets: no panic, and whatever
// is accepted reads back as given, merges and solves without panicking. The
// solution is the accumulator's unless mess says otherwise, so that states
// get past that check.
func FuzzQRRefinementState(f *testing.F) {
	for _, intercept := range []bool{true, false} {
		_, g, _ := refinementCase(f, 3, 1, intercept, 0)
		s := g.State()
		var raw []byte
		for _, v := range [][]float64{s.SXR, s.SXRLo, s.SR, s.SRLo, s.SRR, s.SRRLo} {
			for _, x := range v {
				raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(x))
			}
		}
		f.Add(uint8(3), uint8(1), intercept, int64(40), uint8(0), uint8(0), raw)
		f.Add(uint8(3), uint8(1), intercept, int64(40), uint8(1), uint8(0xf0), raw)
	}
	f.Add(uint8(2), uint8(2), false, int64(0), uint8(0), uint8(0), []byte{})
	f.Add(uint8(1), uint8(1), true, int64(math.MaxInt64), uint8(2), uint8(0x3f), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, k, n uint8, intercept bool, count int64, alpha, mess uint8, raw []byte) {
		K, N := 1+int(k%6), 1+int(n%3)
		X, Y := genLinear(uint64(k), 40, K, N)
		a, _ := NewQR(K, N, intercept)
		a.AddRows(40, X, K, Y, N)
		next := func() float64 {
			if len(raw) < 8 {
				return 0
			}
			v := math.Float64frombits(binary.LittleEndian.Uint64(raw))
			raw = raw[8:]
			return v
		}
		s := QRRefinementState{K: K, N: N, Intercept: intercept, Count: count, Alpha: float64(alpha % 3)}
		if mess&1 != 0 {
			s.Alpha = next()
		}
		if sol, err := a.Solve(s.Alpha); err == nil && mess&2 == 0 {
			s.W, s.B = sol.W, sol.B
		} else {
			s.W, s.B = make([]float64, K*N), make([]float64, N*b2i(intercept))
			for _, v := range [][]float64{s.W, s.B} {
				for i := range v {
					v[i] = next()
				}
			}
		}
		fields := []*[]float64{&s.SXR, &s.SXRLo, &s.SR, &s.SRLo, &s.SRR, &s.SRRLo}
		for i, dst := range fields {
			l := N
			if i < 2 {
				l = K * N
			}
			if int(mess>>2&7) == i && mess&0x20 != 0 {
				l += 1 - int(mess&0x40)/0x20 // one more or one fewer
			}
			for j := 0; j < max(l, 0); j++ {
				*dst = append(*dst, next())
			}
			if i%2 == 1 && mess&0x80 == 0 && len(*dst) == len(*fields[i-1]) {
				for j := range *dst {
					(*fields[i-1])[j], (*dst)[j] = twoSum((*fields[i-1])[j], (*dst)[j])
				}
			}
		}
		g, err := NewQRRefinementFromState(s, a)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "regress: ") {
				t.Fatalf("error without the package's prefix: %v", err)
			}
			return
		}
		if !sameRefinementState(g.State(), s) {
			t.Fatal("State differs from the state given")
		}
		h, _ := NewQRRefinementFromState(s, a)
		g.Merge(h)
		g.Solve()
		g.AddRows(1, make([]float64, K), K, make([]float64, N), N)
		g.Solve()
	})
}

// TestQRRefinementOverflow: rows whose residual, its square or the sums
// overflow float64 are refused as a whole, the rows before them in the
// same call included, and so is a merge whose sums overflow: the
// refinement is left as it was, and goes on adding rows.
func TestQRRefinementOverflow(t *testing.T) {
	for _, c := range []struct {
		name string
		w    float64
		x, y []float64
	}{
		{"a residual's square overflows", 1, []float64{1, 1}, []float64{3, 1e200}},
		{"a residual overflows", 1, []float64{1, 1e308}, []float64{3, -1e308}},
		{"Σ x·r overflows", 0, []float64{1, 1e300}, []float64{3, 1e10}},
	} {
		f, err := NewQRRefinementFor(1, 1, false, &Solution{W: []float64{c.w}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.AddRows(1, []float64{1}, 1, []float64{2}, 1)
		before := f.State()
		if err := f.AddRows(2, c.x, 1, c.y, 1); err == nil || !strings.HasPrefix(err.Error(), "regress: ") {
			t.Errorf("%s: error %v", c.name, err)
		}
		if !sameRefinementState(f.State(), before) {
			t.Errorf("%s: the refused rows changed the refinement", c.name)
		}
		if err := f.AddRows(1, []float64{2}, 1, []float64{5}, 1); err != nil || f.State().Count != 2 {
			t.Errorf("%s: after the refusal: %v, %d rows, want 2", c.name, err, f.State().Count)
		}
	}
	g, _ := NewQRRefinementFor(1, 1, false, &Solution{W: []float64{1}}, 0)
	g.AddRows(1, []float64{0}, 1, []float64{1.3e154}, 1) // r² = 1.69e308
	h, _ := NewQRRefinementFor(1, 1, false, &Solution{W: []float64{1}}, 0)
	h.AddRows(1, []float64{0}, 1, []float64{1.3e154}, 1)
	saved := g.State()
	if err := g.Merge(h); err == nil {
		t.Error("a merge whose Σ r² overflows succeeded")
	}
	if !sameRefinementState(g.State(), saved) {
		t.Error("a refused merge changed the refinement")
	}
}
