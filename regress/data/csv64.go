package data

import (
	"math"
	"strconv"
	"strings"
)

// The float64 row path: the same CSV files, read to float64 for statistics
// and exact least squares, where rounding every value to float32 first would
// lose digits that no solver can recover. A file either reader accepts, the
// other accepts too: the values must be finite in float32 either way, as the
// rows are trained on in float32.

// float32Overflow is the least magnitude that rounds to an infinity in
// float32: MaxFloat32 plus half its unit in the last place.
const float32Overflow = 0x1.ffffffp127

// ParseNumber64 parses a CSV value as ParseNumber does (the same decimal
// numbers, the same errors), to the nearest float64, so that float32(v) is
// ParseNumber's value. Rounding twice (to float64, then to float32) can
// differ from rounding once only where the float64 lands exactly halfway
// between two float32 numbers, or on float32's overflow boundary: there, v
// is moved one unit in the last place towards ParseNumber's value.
func ParseNumber64(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if !isDecimal(s) {
		_, err := ParseNumber(s)
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && math.Abs(v) < float32Overflow {
		if f := float32(v); float64(f) != v && halfway32(v, f) {
			if v32, _ := strconv.ParseFloat(s, 32); v32 != float64(f) {
				return math.Nextafter(v, v32), nil
			}
		}
		return v, nil
	}
	if v32, err32 := strconv.ParseFloat(s, 32); err32 == nil && !math.IsInf(v32, 0) {
		return math.Nextafter(v, 0), nil // |v| is float32Overflow, s below it
	}
	return 0, outOfRange32(s)
}

// Next64 is Next for float64 rows: the same rows, checks and errors, each
// value parsed by ParseNumber64.
func (c *CSVReader) Next64(x, y []float64) error {
	return next(c, "Next64", x, y, parse64)
}

var parse64 = numberParser[float64]{fromValue: float64Of, fromText: parseNumber64}

// parseNumber64 is ParseNumber64 for a field's bytes.
func parseNumber64(b []byte) (float64, error) {
	if d, ok := decimal64(b); ok {
		if v, ok := float64Of(d); ok {
			return v, nil
		}
	}
	return ParseNumber64(string(b))
}

// float64Of is ParseNumber64's value for a number whose nearest float64 is
// d, when that is d itself: when roundsOnce(d); ok is false otherwise.
func float64Of(d float64) (v float64, ok bool) {
	if !roundsOnce(d) {
		return 0, false
	}
	return d, true
}

// ReadBatch64 is ReadBatch for float64 rows (see Next64): up to m rows into
// X (m×k, row stride k) and Y (m×n, row stride n), raw slices as float64 has
// no Dense.
func (c *CSVReader) ReadBatch64(m int, X, Y []float64) (int, error) {
	return readBatch(c, "ReadBatch64", m, X, len(c.cols.X), Y, len(c.cols.Y), c.Next64)
}

// Pass64 is Pass for float64 rows (see Next64): one pass over the file, fn
// called with consecutive chunks of m ≤ len(X)/k rows, X m×k and Y m×n
// contiguous (raw slices, as float64 has no Dense).
func (f *CSVFile) Pass64(X, Y []float64, fn func(m int, X, Y []float64) error) error {
	return pass(f, "Pass64", X, Y, (*CSVReader).ReadBatch64, fn)
}

// halfway32 reports whether v lies exactly halfway between f, its float32
// rounding, and f's neighbour on v's side (sums of two float32 numbers are
// exact in float64).
func halfway32(v float64, f float32) bool {
	g := math.Nextafter32(f, float32(math.Copysign(math.MaxFloat32, v-float64(f))))
	return float64(f)+float64(g) == 2*v
}
