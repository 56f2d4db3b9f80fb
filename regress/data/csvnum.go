package data

import "math"

// The readers parse a CSV value where it lies, in the reader's buffer: the
// common numbers (at most 19 significant digits and a power of ten within
// float64's exact ones) are converted here with one correctly rounded
// operation; every other value takes ParseNumber's path, which decides it and
// words the error. Both give the same value for the same text.

// parseNumber32 is ParseNumber for a field's bytes.
func parseNumber32(b []byte) (float32, error) {
	if v, ok := decimal32(b); ok {
		return v, nil
	}
	return ParseNumber(string(b))
}

// decimal32 is the float32 nearest to the decimal number b when decimal64
// converts it and the float64 it gives is not halfway between two float32
// values (where rounding twice could differ from rounding once), and is
// normal in float32. ok is false otherwise.
func decimal32(b []byte) (v float32, ok bool) {
	d, ok := decimal64(b)
	if !ok {
		return 0, false
	}
	a := math.Abs(d)
	if a == 0 {
		return float32(d), true
	}
	if a < 0x1p-126 || a > math.MaxFloat32 || math.Float64bits(d)&(1<<29-1) == 1<<28 {
		return 0, false
	}
	return float32(d), true
}

// decimal64 converts b, a decimal number with ASCII spaces around it, to the
// nearest float64 when that takes one exact operation: a mantissa m of at
// most 19 significant digits, m ≤ 2⁵³, times or divided by 10^e, e ≤ 22 (or
// m = 0). ok is false for anything else: a longer or larger number, or text
// that is not a decimal number.
func decimal64(b []byte) (d float64, ok bool) {
	i, j := 0, len(b)
	for i < j && asciiSpace[b[i]] {
		i++
	}
	for j > i && asciiSpace[b[j-1]] {
		j--
	}
	neg := false
	if i < j && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var mant uint64
	digits, sig, exp := 0, 0, 0
	point := false
	for ; i < j; i++ {
		c := b[i]
		if c == '.' && !point {
			point = true
			continue
		}
		if c-'0' > 9 {
			break
		}
		digits++
		if point {
			exp--
		}
		if mant == 0 && c == '0' {
			continue // a leading zero
		}
		if sig++; sig > 19 {
			return 0, false
		}
		mant = mant*10 + uint64(c-'0')
	}
	if digits == 0 {
		return 0, false
	}
	if i < j && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < j && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		e, edigits := 0, 0
		for ; i < j && b[i]-'0' <= 9; i++ {
			if e < 10000 {
				e = e*10 + int(b[i]-'0')
			}
			edigits++
		}
		if edigits == 0 {
			return 0, false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != j {
		return 0, false
	}
	switch {
	case mant == 0:
	case mant > 1<<53 || exp < -22 || exp > 22:
		return 0, false
	case exp < 0:
		d = float64(mant) / pow10[-exp]
	default:
		d = float64(mant) * pow10[exp]
	}
	if neg {
		d = -d
	}
	return d, true
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
