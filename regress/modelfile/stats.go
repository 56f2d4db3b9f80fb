package modelfile

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit/internal/fmtlite"
)

// A stats file holds a least-squares accumulator (regress.QR's state): what
// a device that may not send its rows sends instead, to be merged with
// others' into the exact solution of all the rows. It is the model file's
// container (safetensors, the same strict header reader, limits and CRC-32),
// with the tensors, all little-endian, p = k + n columns (inputs, then
// targets):
//
//	r        F64 [p, p]  R, the upper triangular factor, row-major, zeros
//	                     below the diagonal: RᵀR is the scatter matrix of
//	                     the centred columns (the raw ones without intercept)
//	mean     F64 [p]     the columns' means, as double-double sums
//	mean_lo  F64 [p]     mean + mean_lo (|mean_lo| ≤ half an ulp of mean)
//	m2       F64 [p]     the columns' centred sums of squares Σ (v − mean)²
//	rows     I64 []      the row count
//
// and the metadata "format": "edgefit-stats", "format_version": "1",
// "crc32" (of the data section, as in a model file), "k", "n" (decimal),
// "intercept" ("true" or "false") and the column names "inputs" and
// "outputs" (JSON arrays of strings, optional).

// StatsFormatVersion is the version of the stats file layout written.
const StatsFormatVersion = 1

// statsFormat is a stats file's "format" metadata.
const statsFormat = "edgefit-stats"

// maxStatsCols bounds k + n, as regress.QR does: R then takes 128 MiB.
const maxStatsCols = 4096

// Stats is everything a stats file holds: a regress.QRState with column
// names.
type Stats struct {
	Inputs    []string // input column names, K of them (or none)
	Outputs   []string // target column names, N of them (or none)
	K, N      int      // inputs and targets
	Intercept bool     // whether the model has an intercept
	Rows      int64    // rows accumulated
	// Mean[c] + MeanLo[c] is column c's mean (K inputs, then N targets), M2[c]
	// its centred sum of squares; R is the (K+N)×(K+N) upper triangular
	// factor, row-major.
	Mean, MeanLo, M2 []float64
	R                []float64
}

// Check reports whether s is a consistent accumulator: sizes that agree,
// finite values, R upper triangular, sums of squares ≥ 0, means in
// double-double form, nothing but zeros without rows.
func (s *Stats) Check() error {
	if s == nil {
		return errors.New("nil stats")
	}
	if s.K < 1 || s.N < 1 || s.K > maxStatsCols || s.N > maxStatsCols-s.K {
		return fmtlite.Errorf("%d inputs and %d targets, want k ≥ 1, n ≥ 1, k+n ≤ %d", s.K, s.N, maxStatsCols)
	}
	if s.Rows < 0 {
		return fmtlite.Errorf("row count %d, want ≥ 0", s.Rows)
	}
	p := s.K + s.N
	for _, c := range []struct {
		name string
		v    []float64
		n    int
	}{{"mean", s.Mean, p}, {"mean_lo", s.MeanLo, p}, {"m2", s.M2, p}, {"r", s.R, p * p}} {
		if len(c.v) != c.n {
			return fmtlite.Errorf("%s has %d values, want %d for %d inputs and %d targets", c.name, len(c.v), c.n, s.K, s.N)
		}
		for i, v := range c.v {
			if v-v != 0 {
				return fmtlite.Errorf("%s[%d] is %v, want a finite number", c.name, i, v)
			}
			if v != 0 && s.Rows == 0 {
				return fmtlite.Errorf("%s[%d] is %v with no rows, want 0", c.name, i, v)
			}
		}
	}
	for c := 0; c < p; c++ {
		if s.Mean[c]+s.MeanLo[c] != s.Mean[c] {
			return fmtlite.Errorf("mean %d is not a normalised double-double (%v, %v)", c, s.Mean[c], s.MeanLo[c])
		}
		if s.M2[c] < 0 {
			return fmtlite.Errorf("m2[%d] is %v, want ≥ 0", c, s.M2[c])
		}
		for i := c + 1; i < p; i++ {
			if s.R[i*p+c] != 0 {
				return fmtlite.Errorf("r[%d][%d] is %v below the diagonal, want 0", i, c, s.R[i*p+c])
			}
		}
	}
	if s.Inputs != nil && len(s.Inputs) != s.K {
		return fmtlite.Errorf("%d input names for %d inputs", len(s.Inputs), s.K)
	}
	if s.Outputs != nil && len(s.Outputs) != s.N {
		return fmtlite.Errorf("%d output names for %d outputs", len(s.Outputs), s.N)
	}
	return nil
}

// statsTensors lists the tensors in data order, with their dtype and shape.
func (s *Stats) statsTensors() []statsTensor {
	p := int64(s.K + s.N)
	return []statsTensor{
		{"mean", "F64", []int64{p}, s.Mean},
		{"mean_lo", "F64", []int64{p}, s.MeanLo},
		{"m2", "F64", []int64{p}, s.M2},
		{"r", "F64", []int64{p, p}, s.R},
		{"rows", "I64", []int64{}, nil},
	}
}

type statsTensor struct {
	name, dtype string
	shape       []int64
	v           []float64 // nil for rows
}

// DecodeStats reads a stats file of size bytes from r, with the checks of
// Decode: every length is checked against size before anything is
// allocated, and a file that is not a valid stats file (truncated,
// corrupt, over the limits, a model file, another version) is a
// *FormatError.
func DecodeStats(r io.Reader, size int64) (*Stats, error) {
	s, err := decodeStats(r, size)
	if err != nil {
		return nil, &FormatError{Err: err, kind: "stats file"}
	}
	return s, nil
}

func decodeStats(r io.Reader, size int64) (*Stats, error) {
	s, _, vals, err := decodeF64(r, size, statsFormat, (*Stats).statsTensors)
	if err != nil {
		return nil, err
	}
	s.Mean, s.MeanLo, s.M2, s.R = vals["mean"], vals["mean_lo"], vals["m2"], vals["r"]
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

// statsMeta reads the metadata of a stats or refinement file (format):
// the format and version, k, n, the intercept and the names.
func statsMeta(meta map[string]string, format string) (*Stats, error) {
	if f, ok := meta["format"]; !ok || f != format {
		what := ""
		if k, ok := formatKind[f]; ok {
			what = " (a " + k + ")"
		}
		return nil, fmtlite.Errorf(`__metadata__ has "format": %q%s, want %q`, f, what, format)
	}
	ver, err := strconv.Atoi(meta["format_version"])
	if err != nil || ver < 1 {
		return nil, fmtlite.Errorf("format_version %q, want a positive integer", meta["format_version"])
	}
	if ver > formatVersion[format] {
		return nil, fmtlite.Errorf("format version %d is newer than this program reads (%d)", ver, formatVersion[format])
	}
	s := &Stats{}
	for _, c := range []struct {
		key string
		dst *int
	}{{"k", &s.K}, {"n", &s.N}} {
		v, err := strconv.Atoi(meta[c.key])
		if err != nil || v < 1 || v > maxStatsCols || strconv.Itoa(v) != meta[c.key] {
			return nil, fmtlite.Errorf("metadata %q is %q, want a number from 1 to %d", c.key, meta[c.key], maxStatsCols)
		}
		*c.dst = v
	}
	switch meta["intercept"] {
	case "true":
		s.Intercept = true
	case "false":
	default:
		return nil, fmtlite.Errorf(`metadata "intercept" is %q, want "true" or "false"`, meta["intercept"])
	}
	for _, f := range []struct {
		key string
		dst *[]string
	}{{"inputs", &s.Inputs}, {"outputs", &s.Outputs}} {
		if v, ok := meta[f.key]; ok {
			names, err := parseNames(v)
			if err != nil {
				return nil, fmtlite.Errorf("metadata %q is not a JSON array of strings: %w", f.key, err)
			}
			*f.dst = names
		}
	}
	return s, nil
}

// statsShape checks that the tensors are exactly those of a stats or
// refinement file (kind), with their dtypes and shapes.
func statsShape(raw map[string]tensorInfo, tensors []statsTensor, kind string) error {
	for _, t := range tensors {
		ti, ok := raw[t.name]
		if !ok {
			return fmtlite.Errorf("no tensor %q", t.name)
		}
		if ti.Dtype != t.dtype {
			return fmtlite.Errorf("tensor %q has dtype %q, want %s", t.name, ti.Dtype, t.dtype)
		}
		if !equalShape(ti.Shape, t.shape) {
			return fmtlite.Errorf("tensor %q has shape %v, want %v", t.name, ti.Shape, t.shape)
		}
		// tensorLayout checked the F64 sizes, not the I64 one.
		if n := ti.DataOffsets[1] - ti.DataOffsets[0]; t.dtype == "I64" && n != 8 {
			return fmtlite.Errorf("tensor %q: shape %v needs 8 bytes, offsets give %d", t.name, ti.Shape, n)
		}
	}
	if len(raw) == len(tensors) {
		return nil
	}
	extra, found := "", false
	for name := range raw { // the first by name, whatever the map's order
		known := false
		for _, t := range tensors {
			known = known || t.name == name
		}
		if !known && (!found || name < extra) {
			extra, found = name, true
		}
	}
	names := make([]string, len(tensors))
	for i, t := range tensors {
		names[i] = t.name
	}
	list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	return fmtlite.Errorf("tensor %q: a %s holds only %s", extra, kind, list)
}

// LoadStats reads a stats file; a file in the wrong format is a
// *FormatError naming it.
func LoadStats(path string) (*Stats, error) {
	f, size, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := DecodeStats(f, size)
	if err != nil {
		err.(*FormatError).File = path
		return nil, err
	}
	return s, nil
}

// openRegular opens a regular file (not a FIFO, device or directory) and
// returns its size.
func openRegular(path string) (*os.File, int64, error) {
	// Checked before opening too: opening a FIFO blocks until a writer comes.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, 0, fmtlite.Errorf("modelfile: %s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmtlite.Errorf("modelfile: %s: not a regular file", path)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}
