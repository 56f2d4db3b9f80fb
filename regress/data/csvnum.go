package data

import "math"

// The readers parse a CSV value where it lies, in the reader's buffer: the
// common numbers (at most 19 digits and a power of ten within
// float64's exact ones) are converted here with one correctly rounded
// operation; every other value takes ParseNumber's path, which decides it and
// words the error. Both give the same value for the same text.

// numberParser converts the values of a row to T: fromValue takes the
// number the scanner read in a field (NaN: none) when it can, fromText the
// field's text otherwise.
type numberParser[T float32 | float64] struct {
	fromValue func(float64) (T, bool)
	fromText  func([]byte) (T, error)
}

var parse32 = numberParser[float32]{fromValue: float32Of, fromText: parseNumber32}

// parseNumber32 is ParseNumber for a field's bytes.
func parseNumber32(b []byte) (float32, error) {
	if d, ok := decimal64(b); ok {
		if v, ok := float32Of(d); ok {
			return v, nil
		}
	}
	return ParseNumber(string(b))
}

// float32Of is the float32 nearest to the number d stands for, d being that
// number rounded to float64, when roundsOnce(d); ok is false otherwise.
func float32Of(d float64) (v float32, ok bool) {
	if !roundsOnce(d) {
		return 0, false
	}
	return float32(d), true
}

// roundsOnce reports whether d, a number rounded to float64, is 0, or normal
// in float32 and not halfway between two float32 values (where rounding
// twice could differ from rounding once); false for NaN.
func roundsOnce(d float64) bool {
	a := math.Abs(d)
	return a == 0 || a >= 0x1p-126 && a <= math.MaxFloat32 && math.Float64bits(d)&(1<<29-1) != 1<<28
}

// decimal64 converts b, a decimal number with ASCII spaces around it, to the
// nearest float64 when that takes one exact operation (see scanDecimal); ok
// is false for anything else: a longer or larger number, or text that is not
// a decimal number.
func decimal64(b []byte) (d float64, ok bool) {
	i, j := 0, len(b)
	for i < j && asciiSpace[b[i]] {
		i++
	}
	for j > i && asciiSpace[b[j-1]] {
		j--
	}
	d, end, ok := scanDecimal(b, i, j)
	return d, ok && end == j
}

// scanDecimal reads the decimal number at the start of b[i:j] and returns
// where it ends and, when ok, its value: the nearest float64, when that takes
// one exact operation: a mantissa m of at most 19 digits, m ≤ 2⁵³, times or
// divided by 10^e, e ≤ 22 (or m = 0). The scan stops at the first byte that
// cannot continue a number (never a comma, quote or line break); ok is false
// if what it read is not a whole decimal number or takes more than that.
func scanDecimal(b []byte, i, j int) (d float64, end int, ok bool) {
	neg := false
	if i < j && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	// The digits, before and after the point: at most 19 in all (leading
	// zeros included) fit the mantissa without overflow.
	var mant uint64
	d0 := i
	for i < j && b[i]-'0' <= 9 {
		mant = mant*10 + uint64(b[i]-'0')
		i++
	}
	digits, exp := i-d0, 0
	if i < j && b[i] == '.' {
		i++
		f0 := i
		for i < j && b[i]-'0' <= 9 {
			mant = mant*10 + uint64(b[i]-'0')
			i++
		}
		exp = f0 - i
		digits += i - f0
	}
	ok = digits > 0 && digits <= 19
	if i < j && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < j && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		e, e0 := 0, i
		for ; i < j && b[i]-'0' <= 9; i++ {
			if e < 10000 {
				e = e*10 + int(b[i]-'0')
			}
		}
		if i == e0 {
			ok = false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	switch {
	case !ok:
		return 0, i, false
	case mant == 0:
	case mant > 1<<53 || exp < -22 || exp > 22:
		return 0, i, false
	case exp < 0:
		d = float64(mant) / pow10[-exp]
	default:
		d = float64(mant) * pow10[exp]
	}
	if neg {
		d = -d
	}
	return d, i, true
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
