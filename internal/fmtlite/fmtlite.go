// Package fmtlite formats the library's error and panic messages as fmt
// does, for the verbs and operands those messages use, without fmt: fmt
// brings reflection, and with it time formatting and more, into every
// program that imports the package, so a program that only loads a model
// and predicts would pay for it (see regress/example/predictonly).
//
// Verbs: %d (integers), %x (integers, lower-case hex), %c (a byte or rune),
// %s and %v (strings and errors; %v also integers, floats, []int64), %q
// (strings), %f (floats), %w (Errorf: an error it wraps), and %%. Flags: '0'
// and a width; a precision for %f. Operands: string, error, int, int32,
// int64, uint, uint8, uint32, uint64, float32, float64, []int64. Anything
// else is written as fmt writes a bad verb ("%!d(unsupported)"), which the
// package's tests look for in every call site of the module.
package fmtlite

import (
	"strconv"
	"unicode/utf8"
)

// Sprintf formats as fmt.Sprintf does.
func Sprintf(format string, a ...any) string {
	b, _ := appendf(nil, format, a, false)
	return string(b)
}

// Appendf formats as fmt.Appendf does.
func Appendf(b []byte, format string, a ...any) []byte {
	b, _ = appendf(b, format, a, false)
	return b
}

// Errorf formats as fmt.Errorf does: the result unwraps to the operands of
// %w (errors.Is and errors.As find them).
func Errorf(format string, a ...any) error {
	b, wrapped := appendf(nil, format, a, true)
	switch len(wrapped) {
	case 0:
		return &plainError{string(b)}
	case 1:
		return &wrapError{string(b), wrapped[0]}
	}
	return &wrapErrors{string(b), wrapped}
}

type plainError struct{ msg string }

func (e *plainError) Error() string { return e.msg }

type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

type wrapErrors struct {
	msg  string
	errs []error
}

func (e *wrapErrors) Error() string   { return e.msg }
func (e *wrapErrors) Unwrap() []error { return e.errs }

// spec is one verb with its flags.
type spec struct {
	verb  byte
	zero  bool
	width int
	prec  int  // -1: none
	wrap  bool // %w wraps (Errorf)
}

// appendf appends the formatted text and returns the operands of %w (when
// wrap is set; otherwise %w is a bad verb, as in fmt.Sprintf).
func appendf(b []byte, format string, a []any, wrap bool) ([]byte, []error) {
	var wrapped []error
	n := 0
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			b = append(b, c)
			i++
			continue
		}
		s := spec{prec: -1, wrap: wrap}
		i++
		for i < len(format) && format[i] == '0' {
			s.zero = true
			i++
		}
		s.width, i = digits(format, i)
		if i < len(format) && format[i] == '.' {
			s.prec, i = digits(format, i+1)
		}
		if i >= len(format) {
			return append(b, "%!(NOVERB)"...), wrapped
		}
		s.verb = format[i]
		i++
		if s.verb == '%' {
			b = append(b, '%')
			continue
		}
		if n >= len(a) {
			b = append(b, '%', '!', s.verb)
			b = append(b, "(MISSING)"...)
			continue
		}
		if err, ok := a[n].(error); ok && s.verb == 'w' && wrap {
			wrapped = append(wrapped, err)
		}
		b = s.operand(b, a[n])
		n++
	}
	if n < len(a) {
		b = append(b, "%!(EXTRA)"...)
	}
	return b, wrapped
}

// digits reads a decimal number at format[i:] (0 when there is none).
func digits(format string, i int) (int, int) {
	v := 0
	for i < len(format) && '0' <= format[i] && format[i] <= '9' && v < 1e6 {
		v = v*10 + int(format[i]-'0')
		i++
	}
	return v, i
}

// operand appends one operand formatted by s.
func (s spec) operand(b []byte, x any) []byte {
	start := len(b)
	switch x := x.(type) {
	case string:
		b = s.str(b, x)
	case error:
		if s.verb == 's' || s.verb == 'v' || s.verb == 'w' && s.wrap {
			b = append(b, x.Error()...)
		} else {
			b = s.bad(b)
		}
	case nil:
		if s.verb == 'v' {
			b = append(b, "<nil>"...)
		} else {
			b = append(b, '%', '!', s.verb)
			b = append(b, "(<nil>)"...)
		}
	case int:
		b = s.integer(b, int64(x), false)
	case int32:
		b = s.integer(b, int64(x), false)
	case int64:
		b = s.integer(b, x, false)
	case uint:
		b = s.integer(b, int64(x), true)
	case uint8:
		b = s.integer(b, int64(x), true)
	case uint32:
		b = s.integer(b, int64(x), true)
	case uint64:
		b = s.integer(b, int64(x), true)
	case float32:
		b = s.float(b, float64(x), 32)
	case float64:
		b = s.float(b, x, 64)
	case []int64:
		if s.verb != 'v' && s.verb != 'd' {
			return s.bad(b)
		}
		b = append(b, '[')
		for i, v := range x {
			if i > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, ']')
	default:
		b = s.bad(b)
	}
	return s.pad(b, start)
}

func (s spec) bad(b []byte) []byte {
	b = append(b, '%', '!', s.verb)
	return append(b, "(unsupported)"...)
}

func (s spec) str(b []byte, x string) []byte {
	switch s.verb {
	case 's', 'v':
		return append(b, x...)
	case 'q':
		return strconv.AppendQuote(b, x)
	}
	return s.bad(b)
}

// integer formats v; unsigned says v holds the bits of a uint64.
func (s spec) integer(b []byte, v int64, unsigned bool) []byte {
	switch {
	case s.verb == 'c' && uint64(v) > utf8.MaxRune:
		return utf8.AppendRune(b, utf8.RuneError)
	case s.verb == 'c':
		return utf8.AppendRune(b, rune(v))
	case s.verb != 'd' && s.verb != 'v' && s.verb != 'x':
		return s.bad(b)
	}
	base := 10
	if s.verb == 'x' {
		base = 16
	}
	if unsigned {
		return strconv.AppendUint(b, uint64(v), base)
	}
	return strconv.AppendInt(b, v, base)
}

func (s spec) float(b []byte, v float64, size int) []byte {
	switch s.verb {
	case 'v':
		return strconv.AppendFloat(b, v, 'g', -1, size)
	case 'f':
		prec := s.prec
		if prec < 0 {
			prec = 6
		}
		return strconv.AppendFloat(b, v, 'f', prec, size)
	}
	return s.bad(b)
}

// pad pads b[start:] to the width: with zeros after any sign for %d, %x
// and %f with the '0' flag, with spaces before it otherwise.
func (s spec) pad(b []byte, start int) []byte {
	n := utf8.RuneCount(b[start:])
	if n >= s.width {
		return b
	}
	fill := byte(' ')
	at := start
	if s.zero && (s.verb == 'd' || s.verb == 'x' || s.verb == 'f') {
		fill = '0'
		if at < len(b) && (b[at] == '-' || b[at] == '+') {
			at++
		}
	}
	k := s.width - n
	for range k {
		b = append(b, 0)
	}
	copy(b[at+k:], b[at:len(b)-k])
	for i := at; i < at+k; i++ {
		b[i] = fill
	}
	return b
}
