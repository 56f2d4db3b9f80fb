package regress

import (
	"errors"
	"fmt"
	"math"

	"github.com/edgefit/edgefit/linalg"
)

// Refinement is one step of iterative refinement (the corrected semi-normal
// equations). Over a second
// pass of the same rows it accumulates, in double-double arithmetic, the
// solution's residuals r, Σ x·r and Σ r²; Solve then corrects the weights by
// δ, with RᵀR·δ = Xcᵀr (− α·w with a ridge term), and the residual sum of
// squares by −2·δ·Xcᵀr + ‖R·δ‖².
//
// A float64 QR solve is limited by the rounding of the data it centres
// (about κ·ε, and κ²·ε with large residuals, for condition number κ); a step
// of refinement removes most of that error, as the residuals are exact to
// double-double precision: on NIST's hardest sets one step reaches nearly
// full float64 accuracy. A second step (a new QRRefinement of the refined
// solution) can follow. Refinements of parts of the rows, against the same
// accumulator and solution, merge.
//
// Across devices that keep their rows, refinement is a second round:
//  1. each device accumulates a QR of its rows and sends its QRState; the
//     merged accumulator's Solve(alpha) is the solution, sent back;
//  2. each device begins NewQRRefinementFor that solution, adds its rows
//     and sends the refinement's State;
//  3. NewQRRefinementFromState rebuilds each against the merged
//     accumulator (which checks it refines the solution that accumulator
//     gives), Merge sums them and Solve gives the refined solution, the
//     single pass's to about 12 digits.

// QRRefinement refines a QR solution over a second pass of the rows.
type QRRefinement struct {
	qr        *QR // the accumulator Solve uses; nil when begun by NewQRRefinementFor
	k, n      int
	intercept bool
	rows      int64 // qr.count when the refinement began
	alpha     float64
	w, b      []float64
	count     int64
	sxr       []qrDD // n×k: Σ x_q·r_j
	sr        []qrDD // n: Σ r_j
	srr       []qrDD // n: Σ r_j²
	// sums holds sxr, sr and srr back to back; saved is their copy before
	// an AddRows or Merge, put back if it fails (all or nothing).
	sums, saved []qrDD
}

// qrDD is a double-double: the unevaluated sum hi + lo, |lo| ≤ ulp(hi)/2.
type qrDD struct{ hi, lo float64 }

// add adds hi + lo (not necessarily normalised) to d.
func (d *qrDD) add(hi, lo float64) {
	s, e := twoSum(d.hi, hi)
	d.hi, d.lo = twoSum(s, e+d.lo+lo)
}

// Refinement begins refining sol = a.Solve(alpha): add a's rows, Solve.
func (a *QR) Refinement(sol *Solution, alpha float64) (*QRRefinement, error) {
	f, err := newRefinement("QR.Refinement", a.k, a.n, a.intercept, sol, alpha)
	if err != nil {
		return nil, err
	}
	f.qr, f.rows = a, a.count
	return f, nil
}

// NewQRRefinementFor begins a refinement without the accumulator.
func NewQRRefinementFor(k, n int, intercept bool, sol *Solution, alpha float64) (*QRRefinement, error) {
	if k < 1 || n < 1 || k > maxQRCols || n > maxQRCols-k {
		return nil, fmt.Errorf("regress: QR refinement of %d inputs and %d targets, want k ≥ 1, n ≥ 1, k+n ≤ %d", k, n, maxQRCols)
	}
	return newRefinement("NewQRRefinementFor", k, n, intercept, sol, alpha)
}

func newRefinement(what string, k, n int, intercept bool, sol *Solution, alpha float64) (*QRRefinement, error) {
	if sol == nil {
		return nil, fmt.Errorf("regress: %s: nil solution", what)
	}
	if nb := n * b2int(intercept); len(sol.W) != k*n || len(sol.B) != nb {
		return nil, fmt.Errorf("regress: %s: a solution of %d weights and %d intercepts, want %d and %d for %d inputs, %d targets, intercept %v",
			what, len(sol.W), len(sol.B), k*n, nb, k, n, intercept)
	}
	if alpha < 0 || math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return nil, fmt.Errorf("regress: %s: ridge term %v, want a finite number ≥ 0", what, alpha)
	}
	for _, v := range [][]float64{sol.W, sol.B} {
		for _, x := range v {
			if x-x != 0 {
				return nil, fmt.Errorf("regress: %s: the solution is not finite", what)
			}
		}
	}
	sums := make([]qrDD, k*n+2*n)
	return &QRRefinement{k: k, n: n, intercept: intercept, alpha: alpha,
		w: append([]float64(nil), sol.W...), b: append([]float64(nil), sol.B...),
		sxr: sums[:k*n], sr: sums[k*n : k*n+n], srr: sums[k*n+n:], sums: sums, saved: make([]qrDD, len(sums))}, nil
}

// commit keeps the sums if err is nil and they are all finite, and
// otherwise puts back the ones saved, returning the error.
func (f *QRRefinement) commit(err error) error {
	if err == nil {
		for _, d := range f.sums {
			if d.hi-d.hi != 0 || d.lo-d.lo != 0 {
				err = errors.New("regress: QRRefinement: the residuals' sums overflow float64 (rescale the data)")
				break
			}
		}
	}
	if err != nil {
		copy(f.sums, f.saved)
	}
	return err
}

func b2int(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AddRows adds m rows as QR.AddRows does.
func (f *QRRefinement) AddRows(m int, X []float64, ldx int, Y []float64, ldy int) error {
	return refineRows(f, m, X, ldx, Y, ldy)
}

// addRows32 adds float32 rows, as QR.AddRows32 does.
func (f *QRRefinement) addRows32(X, Y linalg.Dense) error {
	if err := checkDense32("QRRefinement.AddRows32", f.k, f.n, X, Y); err != nil {
		return err
	}
	return refineRows(f, X.Rows, X.Data, X.Stride, Y.Data, Y.Stride)
}

func refineRows[T float32 | float64](f *QRRefinement, m int, X []T, ldx int, Y []T, ldy int) error {
	k, n := f.k, f.n
	if err := checkRowArgs(k, n, f.count, m, ldx, len(X), ldy, len(Y)); err != nil {
		return err
	}
	if err := finiteRows(m, k, n, X, ldx, Y, ldy); err != nil {
		return err
	}
	copy(f.saved, f.sums)
	if err := f.commit(sumRows(f, m, X, ldx, Y, ldy)); err != nil {
		return err
	}
	f.count += int64(m)
	return nil
}

// sumRows adds m rows' residuals to the sums, stopping at one that is not
// finite.
func sumRows[T float32 | float64](f *QRRefinement, m int, X []T, ldx int, Y []T, ldy int) error {
	k, n := f.k, f.n
	for i := 0; i < m; i++ {
		x := X[i*ldx : i*ldx+k]
		for j, yv := range Y[i*ldy : i*ldy+n] {
			// r = y − b − w·x, exact to double-double.
			s, e := float64(yv), 0.0
			if len(f.b) > 0 {
				var e1 float64
				s, e1 = twoSum(s, -f.b[j])
				e += e1
			}
			for q, xv := range x {
				p := float64(f.w[j*k+q] * float64(xv))
				pe := math.FMA(f.w[j*k+q], float64(xv), -p)
				var e1 float64
				s, e1 = twoSum(s, -p)
				e += e1 - pe
			}
			rh, rl := twoSum(s, e)
			if rh-rh != 0 {
				return fmt.Errorf("regress: QRRefinement: row %d: the residual is not finite", i)
			}
			f.sr[j].add(rh, rl)
			p := float64(rh * rh)
			f.srr[j].add(p, math.FMA(rh, rh, -p)+float64(2*rh*rl))
			for q, xv := range x {
				p := float64(float64(xv) * rh)
				f.sxr[j*k+q].add(p, math.FMA(float64(xv), rh, -p)+float64(float64(xv)*rl))
			}
		}
	}
	return nil
}

// Merge adds the rows another refinement of the same solution saw.
func (f *QRRefinement) Merge(o *QRRefinement) error {
	if o == nil || o == f || o.k != f.k || o.n != f.n || o.intercept != f.intercept ||
		o.alpha != f.alpha || !equalF64(o.w, f.w) || !equalF64(o.b, f.b) {
		return errors.New("regress: QRRefinement.Merge: not a refinement of the same solution")
	}
	if o.count > math.MaxInt64-f.count {
		return errors.New("regress: QRRefinement.Merge: row count overflows")
	}
	copy(f.saved, f.sums)
	for i := range f.sums {
		f.sums[i].add(o.sums[i].hi, o.sums[i].lo)
	}
	if err := f.commit(nil); err != nil {
		return err
	}
	f.count += o.count
	return nil
}

func equalF64(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// Solve returns the refined solution, once every row was added.
func (f *QRRefinement) Solve() (*Solution, error) {
	a := f.qr
	if a == nil {
		return nil, errors.New("regress: QRRefinement: begun without an accumulator: solve its State with NewQRRefinementFromState and the merged accumulator")
	}
	if a.count != f.rows || f.count != f.rows {
		return nil, fmt.Errorf("regress: QRRefinement: %d rows refined of the accumulator's %d (%d when the refinement began)", f.count, a.count, f.rows)
	}
	rr, err := a.triangle(f.alpha)
	if err != nil {
		return nil, err
	}
	k, n, p := a.k, a.n, a.k+a.n
	sol := &Solution{W: make([]float64, n*k), SSE: make([]float64, n), SST: make([]float64, n), Rows: a.count}
	if a.intercept {
		sol.B = make([]float64, n)
	}
	g, d := make([]float64, k), make([]float64, k)
	for j := 0; j < n; j++ {
		f.gradient(j, g)
		// RᵀR·δ = g − α·w: forward, then back substitution in place.
		w := f.w[j*k : j*k+k]
		for i := 0; i < k; i++ {
			s := g[i] - float64(f.alpha*w[i])
			for q := 0; q < i; q++ {
				s -= float64(rr[q*p+i] * d[q])
			}
			d[i] = s / rr[i*p+i]
		}
		for i := k - 1; i >= 0; i-- {
			s := d[i]
			for q := i + 1; q < k; q++ {
				s -= float64(rr[i*p+q] * d[q])
			}
			d[i] = s / rr[i*p+i]
		}
		// The refined residuals are r − Xc·δ (centred), so their sum of
		// squares is the centred Σ r² − 2·δ·g + ‖R·δ‖².
		rss := f.srr[j].hi + f.srr[j].lo
		if a.intercept {
			rss -= f.sr[j].hi * f.sr[j].hi / float64(a.count)
		}
		for i := 0; i < k; i++ {
			var t float64
			for q := i; q < k; q++ {
				t += float64(a.r[i*p+q] * d[q])
			}
			rss += float64(t*t) - float64(2*d[i]*g[i])
		}
		sol.SSE[j] = math.Max(0, rss)
		sol.SST[j] = a.m2[k+j]
		for q := range d {
			sol.W[j*k+q] = w[q] + d[q]
		}
		if a.intercept {
			// The intercept that fits the refined weights is b + r̄ − x̄·δ:
			// r̄ is exact, and the means' rounding hardly touches the
			// small x̄·δ (ȳ − x̄·w would bring it back at full size).
			var xd float64
			for q, v := range d {
				xd += float64(a.mean[q] * v)
			}
			sol.B[j] = f.b[j] + ((f.sr[j].hi+f.sr[j].lo)/float64(a.count) - xd)
		}
	}
	for _, v := range sol.W {
		if v-v != 0 {
			return nil, errors.New("regress: QRRefinement: the solution overflows float64 (rescale the data)")
		}
	}
	return sol, nil
}

// gradient sets g to Xcᵀr for target j: Σ x·r − x̄·Σ r with an intercept,
// in double-double, then rounded.
func (f *QRRefinement) gradient(j int, g []float64) {
	a, k := f.qr, f.k
	sr := f.sr[j]
	for q := range g {
		d := f.sxr[j*k+q]
		if a.intercept {
			mh, ml := a.mean[q], a.meanLo[q]
			ph := float64(mh * sr.hi)
			d.add(-ph, -(math.FMA(mh, sr.hi, -ph) + float64(mh*sr.lo) + float64(ml*sr.hi)))
		}
		g[q] = d.hi + d.lo
	}
}
