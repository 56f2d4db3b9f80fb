package modelfile

import (
	"errors"
	"io"
	"math"
	"strconv"

	"github.com/edgefit/edgefit/internal/fmtlite"
)

// A refinement file holds the second round of a merge across devices (a
// regress.QRRefinementState): a device's sums over its rows for the
// solution that merging the first round's stats files gave, which refine
// that solution once merged. It is the stats file's container with
// "format": "edgefit-refine", the same metadata (k, n, intercept, inputs,
// outputs) plus "ridge" (the ridge term, shortest decimal that reads back
// exactly), and the tensors, n targets and k inputs:
//
//	weight  F64 [n, k]  the solution refined
//	bias    F64 [n]     its intercepts (absent without an intercept)
//	sxr     F64 [n, k]  Σ x·r over the rows (r = y − b − w·x, the residual),
//	sxr_lo  F64 [n, k]  as double-double sums sxr + sxr_lo
//	sr      F64 [n]     Σ r, and its low part sr_lo
//	sr_lo   F64 [n]
//	srr     F64 [n]     Σ r², and its low part srr_lo
//	srr_lo  F64 [n]
//	rows    I64 []      the row count

// RefinementFormatVersion is the version of the refinement file layout
// written.
const RefinementFormatVersion = 1

const refineFormat = "edgefit-refine"

// Refinement is everything a refinement file holds: a
// regress.QRRefinementState with column names.
type Refinement struct {
	Inputs    []string // input column names, K of them (or none)
	Outputs   []string // target column names, N of them (or none)
	K, N      int      // inputs and targets
	Intercept bool     // whether the model has an intercept
	Rows      int64    // rows summed
	Ridge     float64  // the ridge term the solution was solved with
	W, B      []float64
	// The double-double sums: SXR[j·K+q] + SXRLo[j·K+q] is Σ x_q·r_j.
	SXR, SXRLo, SR, SRLo, SRR, SRRLo []float64
}

// cols is the metadata r shares with a stats file.
func (r *Refinement) cols() *Stats {
	return &Stats{Inputs: r.Inputs, Outputs: r.Outputs, K: r.K, N: r.N, Intercept: r.Intercept, Rows: r.Rows}
}

// refinementTensors lists the tensors of a refinement file of s's columns
// in data order; the values are r's.
func refinementTensors(s *Stats, r *Refinement) []statsTensor {
	kn, n := []int64{int64(s.N), int64(s.K)}, []int64{int64(s.N)}
	ts := []statsTensor{{"weight", "F64", kn, r.W}}
	if s.Intercept {
		ts = append(ts, statsTensor{"bias", "F64", n, r.B})
	}
	return append(ts, statsTensor{"sxr", "F64", kn, r.SXR}, statsTensor{"sxr_lo", "F64", kn, r.SXRLo},
		statsTensor{"sr", "F64", n, r.SR}, statsTensor{"sr_lo", "F64", n, r.SRLo},
		statsTensor{"srr", "F64", n, r.SRR}, statsTensor{"srr_lo", "F64", n, r.SRRLo},
		statsTensor{"rows", "I64", []int64{}, nil})
}

// Check reports whether r is a consistent refinement: sizes that agree,
// finite values, a ridge term ≥ 0, sums in double-double form, Σ r² ≥ 0,
// nothing but zero sums without rows.
func (r *Refinement) Check() error {
	if r == nil {
		return errors.New("nil refinement")
	}
	if r.K < 1 || r.N < 1 || r.K > maxStatsCols || r.N > maxStatsCols-r.K {
		return fmtlite.Errorf("%d inputs and %d targets, want k ≥ 1, n ≥ 1, k+n ≤ %d", r.K, r.N, maxStatsCols)
	}
	if r.Rows < 0 {
		return fmtlite.Errorf("row count %d, want ≥ 0", r.Rows)
	}
	if !(r.Ridge >= 0) || math.IsInf(r.Ridge, 0) {
		return fmtlite.Errorf("ridge term %v, want a finite number ≥ 0", r.Ridge)
	}
	ts := refinementTensors(r.cols(), r)
	for _, t := range ts[:len(ts)-1] {
		if want := elems(t.shape); int64(len(t.v)) != want {
			return fmtlite.Errorf("%s has %d values, want %d for %d inputs and %d targets", t.name, len(t.v), want, r.K, r.N)
		}
		for i, v := range t.v {
			if v-v != 0 {
				return fmtlite.Errorf("%s[%d] is %v, want a finite number", t.name, i, v)
			}
		}
	}
	if !r.Intercept && len(r.B) != 0 {
		return fmtlite.Errorf("%d intercepts without an intercept", len(r.B))
	}
	for _, p := range [][2][]float64{{r.SXR, r.SXRLo}, {r.SR, r.SRLo}, {r.SRR, r.SRRLo}} {
		for i, hi := range p[0] {
			if hi+p[1][i] != hi {
				return fmtlite.Errorf("sum %d (%v, %v) is not a normalised double-double", i, hi, p[1][i])
			}
			if r.Rows == 0 && (hi != 0 || p[1][i] != 0) {
				return errors.New("non-zero sums with no rows")
			}
		}
	}
	for j, v := range r.SRR {
		if v < 0 {
			return fmtlite.Errorf("srr[%d] is %v, want ≥ 0", j, v)
		}
	}
	if r.Inputs != nil && len(r.Inputs) != r.K {
		return fmtlite.Errorf("%d input names for %d inputs", len(r.Inputs), r.K)
	}
	if r.Outputs != nil && len(r.Outputs) != r.N {
		return fmtlite.Errorf("%d output names for %d outputs", len(r.Outputs), r.N)
	}
	return nil
}

func elems(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

// DecodeRefinement reads a refinement file of size bytes from r, with the
// checks of DecodeStats; a file that is not a valid refinement file is a
// *FormatError.
func DecodeRefinement(r io.Reader, size int64) (*Refinement, error) {
	f, err := decodeRefinement(r, size)
	if err != nil {
		return nil, &FormatError{Err: err, kind: "refinement file"}
	}
	return f, nil
}

func decodeRefinement(rd io.Reader, size int64) (*Refinement, error) {
	s, meta, vals, err := decodeF64(rd, size, refineFormat, func(s *Stats) []statsTensor {
		return refinementTensors(s, &Refinement{})
	})
	if err != nil {
		return nil, err
	}
	ridge, err := strconv.ParseFloat(meta["ridge"], 64)
	if err != nil || strconv.FormatFloat(ridge, 'g', -1, 64) != meta["ridge"] {
		return nil, fmtlite.Errorf(`metadata "ridge" is %q, want a number as its shortest decimal form`, meta["ridge"])
	}
	r := &Refinement{Inputs: s.Inputs, Outputs: s.Outputs, K: s.K, N: s.N, Intercept: s.Intercept, Rows: s.Rows,
		Ridge: ridge, W: vals["weight"], B: vals["bias"], SXR: vals["sxr"], SXRLo: vals["sxr_lo"],
		SR: vals["sr"], SRLo: vals["sr_lo"], SRR: vals["srr"], SRRLo: vals["srr_lo"]}
	if err := r.Check(); err != nil {
		return nil, err
	}
	return r, nil
}

// Encode writes r as a refinement file (see DecodeRefinement), refusing,
// writing nothing, what DecodeRefinement would refuse.
func (r *Refinement) Encode(w io.Writer) error {
	if w == nil {
		return errors.New("modelfile: saving the refinement: nil writer")
	}
	if err := r.Check(); err != nil {
		return fmtlite.Errorf("modelfile: saving the refinement: %w", err)
	}
	ridge := [][2]string{{"ridge", strconv.FormatFloat(r.Ridge, 'g', -1, 64)}}
	return encodeF64(w, refineFormat, "the refinement", r.cols(), ridge, refinementTensors(r.cols(), r))
}

// LoadRefinement reads a refinement file; a file in the wrong format is a
// *FormatError naming it.
func LoadRefinement(path string) (*Refinement, error) {
	f, size, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := DecodeRefinement(f, size)
	if err != nil {
		err.(*FormatError).File = path
		return nil, err
	}
	return r, nil
}

// SaveRefinementIf writes r to path atomically, as SaveStatsIf does.
func SaveRefinementIf(path string, r *Refinement, commit func() error) error {
	if r == nil {
		return errors.New("modelfile: saving the refinement: nil refinement")
	}
	return saveAtomic(path, r.Encode, commit)
}
