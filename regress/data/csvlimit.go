package data

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Limits of the CSV reader. A row is held in memory while it is parsed, so a
// file without line breaks (a binary file, /dev/zero, a quote left open) is
// an error at the limit instead of memory without bound.
const (
	MaxCSVRow     = 1 << 20  // bytes in a row: a line, or the lines of a row whose quoted fields hold line breaks
	MaxCSVField   = 64 << 10 // bytes in a field, a header name included
	MaxCSVColumns = 1 << 16  // fields in a row
)

// ErrCSVLimit is what a CSVError's Err matches (errors.Is) when a row, a
// field or the number of columns is over its limit.
var ErrCSVLimit = errors.New("over a limit of the CSV reader")

// CSVError is an error in a CSV file: its name, the line and the byte column
// of the field concerned (1-based; 0 when a whole row or the whole file is
// concerned), and what is wrong. It prints as file:line:column: what.
type CSVError struct {
	File         string
	Line, Column int
	Err          error
}

func (e *CSVError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *CSVError) Unwrap() error { return e.Err }

// limitError is an error that matches ErrCSVLimit.
type limitError string

func (e limitError) Error() string        { return string(e) }
func (e limitError) Is(target error) bool { return target == ErrCSVLimit }

// rowLimiter passes a CSV file's bytes to the record scanner (which holds a whole
// row however long) and fails once a row passes MaxCSVRow bytes. It follows
// the quotes (a row ends at a line break outside quotes, and comment lines
// do not count their quotes), drops a byte-order mark at the start, and turns
// a carriage return outside quotes that no line feed follows into a line
// break, so that files with CR line endings read as lines.
type rowLimiter struct {
	r       io.Reader
	name    string
	started bool
	bom     bool // a byte-order mark was dropped
	line    int  // the line of the next byte
	rowLine int  // the line the current row started on
	rowLen  int  // bytes of the current row so far
	atLine  bool // the next byte starts a line
	quoted  bool // inside a quoted field
	comment bool // in a comment line
	dropLF  bool // the last byte was a CR made a line break: a LF after it is dropped
	err     error
}

func newRowLimiter(r io.Reader, name string) *rowLimiter {
	return &rowLimiter{r: r, name: name, line: 1, rowLine: 1, atLine: true}
}

var bom = []byte("\ufeff")

func (l *rowLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if !l.started {
		l.started = true
		var b [3]byte
		n, err := io.ReadFull(l.r, b[:])
		var rest io.Reader = l.r
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			rest = bytes.NewReader(nil)
		case err != nil:
			l.err = err
			return 0, err
		}
		if n == 3 && bytes.Equal(b[:], bom) {
			l.bom = true
			n = 0
		}
		l.r = io.MultiReader(bytes.NewReader(append([]byte(nil), b[:n]...)), rest)
	}
	for {
		n, err := l.r.Read(p)
		w, lerr := l.filter(p[:n])
		if lerr != nil {
			l.err = lerr
			return w, lerr
		}
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
		// Every byte read was a dropped LF: read on rather than return
		// nothing.
	}
}

// filter checks and rewrites p in place and returns the bytes kept.
func (l *rowLimiter) filter(p []byte) (int, error) {
	w := 0
	// Where the next quote, CR and LF are, at or after i (len(p): none);
	// found anew once i has passed them.
	nextQ, nextCR, nextLF := -1, -1, -1
	for i := 0; i < len(p); {
		if !l.dropLF && !l.atLine {
			// A run of bytes that change no state is only counted.
			if nextQ < i {
				nextQ = indexFrom(p, i, '"')
			}
			if nextCR < i {
				nextCR = indexFrom(p, i, '\r')
			}
			if nextLF < i {
				nextLF = indexFrom(p, i, '\n')
			}
			j := min(nextQ, nextCR, nextLF)
			if run := j - i; run > 0 {
				if l.rowLen+run > MaxCSVRow {
					return w, l.tooLong()
				}
				l.rowLen += run
				w += copy(p[w:], p[i:j])
				i = j
				continue
			}
		}
		c := p[i]
		i++
		if l.dropLF {
			l.dropLF = false
			if c == '\n' {
				continue
			}
		}
		if c == '\r' && !l.quoted {
			c, l.dropLF = '\n', true
		}
		if l.atLine && !l.quoted {
			l.comment = c == '#'
		}
		l.atLine = false
		switch c {
		case '"':
			if !l.comment {
				l.quoted = !l.quoted
			}
		case '\n':
			l.line++
			l.atLine = true
			l.comment = false
			if !l.quoted {
				l.rowLen, l.rowLine = 0, l.line
				p[w] = c
				w++
				continue
			}
		}
		if l.rowLen++; l.rowLen > MaxCSVRow {
			return w, l.tooLong()
		}
		p[w] = c
		w++
	}
	return w, nil
}

// indexFrom is the index of the first c in p at or after i, or len(p).
func indexFrom(p []byte, i int, c byte) int {
	if k := bytes.IndexByte(p[i:], c); k >= 0 {
		return i + k
	}
	return len(p)
}

func (l *rowLimiter) tooLong() error {
	msg := "a row longer than 1 MiB, the limit: no line break in it"
	if l.line > l.rowLine {
		msg = fmt.Sprintf("a row longer than 1 MiB, the limit, on lines %d to %d: is a quote left open?", l.rowLine, l.line)
	}
	return &CSVError{File: l.name, Line: l.rowLine, Err: limitError(msg)}
}

// ParseNumber parses a CSV value as the readers of this package do: a decimal
// number (an optional sign, digits with an optional decimal point, an
// optional exponent: 42, -1.5, .5, 6.02e23), spaces around it ignored, that
// is finite in float32. Hexadecimal (0x10, 0x1p3), digit separators (1_000)
// and the spellings of NaN and Inf are not numbers, as for pandas and NumPy
// reading CSV. The error says which rule the value breaks.
func ParseNumber(s string) (float32, error) {
	s = strings.TrimSpace(s)
	if !isDecimal(s) {
		switch {
		case s == "":
			return 0, errors.New(`"" is empty`)
		case isNonFinite(s):
			return 0, fmt.Errorf("%s is not a finite number", clip(s))
		}
		return 0, fmt.Errorf("%s is not a number (want a decimal number, e.g. -1.5e3)", clip(s))
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil || math.IsInf(v, 0) {
		return 0, outOfRange32(s)
	}
	return float32(v), nil
}

func outOfRange32(s string) error { return fmt.Errorf("%s is out of float32 range", clip(s)) }

// isDecimal reports whether s is [+-] digits [. digits] [(e|E) [+-] digits],
// with at least one digit before or after the point.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// isNonFinite reports whether s spells NaN or an infinity.
func isNonFinite(s string) bool {
	s = strings.ToLower(strings.TrimLeft(s, "+-"))
	return s == "nan" || s == "inf" || s == "infinity"
}

// looksNumeric reports whether a value reads as a number, finite or not: what
// tells a row of data from a header.
func looksNumeric(s string) bool {
	s = strings.TrimSpace(s)
	return isDecimal(s) || isNonFinite(s)
}

// isDataRow is the rule that tells a first row of data from a header: every
// field is a number or empty, and at least one is a number.
func isDataRow(rec []string) bool {
	numbers := 0
	for _, f := range rec {
		switch {
		case looksNumeric(f):
			numbers++
		case strings.TrimSpace(f) != "":
			return false
		}
	}
	return numbers > 0
}

// clip quotes s for an error message, cut to about 60 characters.
func clip(s string) string {
	const max = 62 // with the quotes
	if q := strconv.Quote(s); len(q) <= max {
		return q
	}
	cut := 0
	for i := range s {
		if len(strconv.Quote(s[:i])) > max {
			break
		}
		cut = i
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
