package regress

import (
	"errors"
	"fmt"
)

// QRRefinementState is a QRRefinement's state as plain values.
type QRRefinementState struct {
	K, N       int       // inputs and targets
	Intercept  bool      // whether the model has an intercept
	Alpha      float64   // the ridge term the solution was solved with
	W, B       []float64 // the solution refined: W n×k, B n values (none without an intercept)
	Count      int64     // rows added
	SXR, SXRLo []float64 // n×k: Σ x_q·r_j at [j·K+q]
	SR, SRLo   []float64 // n: Σ r_j
	SRR, SRRLo []float64 // n: Σ r_j²
}

// State returns a copy of the refinement's state.
func (f *QRRefinement) State() QRRefinementState {
	s := QRRefinementState{K: f.k, N: f.n, Intercept: f.intercept, Alpha: f.alpha, Count: f.count,
		W: append([]float64(nil), f.w...), B: append([]float64(nil), f.b...)}
	s.SXR, s.SXRLo = splitDD(f.sxr)
	s.SR, s.SRLo = splitDD(f.sr)
	s.SRR, s.SRRLo = splitDD(f.srr)
	return s
}

func splitDD(d []qrDD) (hi, lo []float64) {
	hi, lo = make([]float64, len(d)), make([]float64, len(d))
	for i, v := range d {
		hi[i], lo[i] = v.hi, v.lo
	}
	return hi, lo
}

// NewQRRefinementFromState rebuilds a refinement of a.Solve(s.Alpha) from s.
func NewQRRefinementFromState(s QRRefinementState, a *QR) (*QRRefinement, error) {
	if a == nil {
		return nil, errors.New("regress: QR refinement state: nil accumulator")
	}
	if err := checkRefinementState(s); err != nil {
		return nil, err
	}
	if s.K != a.k || s.N != a.n || s.Intercept != a.intercept {
		return nil, fmt.Errorf("regress: QR refinement state: %d inputs, %d targets, intercept %v against an accumulator of %d, %d, %v",
			s.K, s.N, s.Intercept, a.k, a.n, a.intercept)
	}
	if s.Count > a.count {
		return nil, fmt.Errorf("regress: QR refinement state: %d rows refined, more than the accumulator's %d", s.Count, a.count)
	}
	sol, err := a.Solve(s.Alpha)
	if err != nil {
		return nil, err // the accumulator has no solution to refine
	}
	if !equalF64(sol.W, s.W) || !equalF64(sol.B, s.B) {
		return nil, errors.New("regress: QR refinement state: it refines another solution than the accumulator's")
	}
	f, err := newRefinement("QR refinement state", s.K, s.N, s.Intercept, &Solution{W: s.W, B: s.B}, s.Alpha)
	if err != nil {
		return nil, err
	}
	f.qr, f.rows, f.count = a, a.count, s.Count
	joinDD(f.sxr, s.SXR, s.SXRLo)
	joinDD(f.sr, s.SR, s.SRLo)
	joinDD(f.srr, s.SRR, s.SRRLo)
	return f, nil
}

func joinDD(d []qrDD, hi, lo []float64) {
	for i := range d {
		d[i] = qrDD{hi[i], lo[i]}
	}
}

// checkRefinementState checks a state on its own, sizes before values.
func checkRefinementState(s QRRefinementState) error {
	if s.K < 1 || s.N < 1 || s.K > maxQRCols || s.N > maxQRCols-s.K {
		return fmt.Errorf("regress: QR refinement state: %d inputs and %d targets, want k ≥ 1, n ≥ 1, k+n ≤ %d", s.K, s.N, maxQRCols)
	}
	if s.Count < 0 {
		return fmt.Errorf("regress: QR refinement state: row count %d", s.Count)
	}
	if !(s.Alpha >= 0) || s.Alpha-s.Alpha != 0 {
		return fmt.Errorf("regress: QR refinement state: ridge term %v, want a finite number ≥ 0", s.Alpha)
	}
	kn, nb := s.K*s.N, 0
	if s.Intercept {
		nb = s.N
	}
	names := [...]string{"W", "B", "SXR", "SXRLo", "SR", "SRLo", "SRR", "SRRLo"}
	fields := [...][]float64{s.W, s.B, s.SXR, s.SXRLo, s.SR, s.SRLo, s.SRR, s.SRRLo}
	want := [...]int{kn, nb, kn, kn, s.N, s.N, s.N, s.N}
	for i, v := range fields {
		if len(v) != want[i] {
			return fmt.Errorf("regress: QR refinement state: %d values in %s, want %d for %d inputs and %d targets", len(v), names[i], want[i], s.K, s.N)
		}
	}
	for i, v := range fields {
		for j, x := range v {
			if x-x != 0 {
				return fmt.Errorf("regress: QR refinement state: %s[%d] is %v, want a finite number", names[i], j, x)
			}
			if i%2 == 1 && i > 1 && fields[i-1][j]+x != fields[i-1][j] {
				return fmt.Errorf("regress: QR refinement state: %s[%d] and %s[%d] are not a normalised double-double (%v, %v)", names[i-1], j, names[i], j, fields[i-1][j], x)
			}
		}
	}
	for j, v := range s.SRR {
		if v < 0 {
			return fmt.Errorf("regress: QR refinement state: sum of squares SRR[%d] is negative", j)
		}
	}
	if s.Count == 0 {
		for _, v := range fields[2:] {
			for _, x := range v {
				if x != 0 {
					return errors.New("regress: QR refinement state: no rows but non-zero sums")
				}
			}
		}
	}
	return nil
}
