package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/edgefit/edgefit/regress/data"
)

// A CSV body of POST /predict is read as `edgefit predict` reads a file
// (data.NewCSVInputReader): with a header the inputs are found by name,
// without one every row holds the inputs in order. Its first line goes
// through that reader; the rows after it through a fast path that takes only
// the plainest CSV (unquoted decimal numbers, LF or CRLF line ends) and
// hands anything else, errors included, to the same reader for the whole
// body, so that the two agree on every body (FuzzCSVRows) and errors name
// the line and column.

// csvRows reads a CSV body into x, k values a row.
type csvRows struct {
	k       int
	inputs  []string // nil: unnamed
	maxRows int
	x       []float32
	rows    int
	colTo   []int                      // 0, 1, …, k-1
	cache   *atomic.Pointer[csvHeader] // the last header read for this model
}

func (c *csvRows) parse(body []byte) error {
	if ok, err := c.fast(body); ok || err != nil {
		return err
	}
	return c.slow(body)
}

// slow reads the body with data's CSV reader (regress/data).
func (c *csvRows) slow(body []byte) error {
	c.x, c.rows = c.x[:0], 0
	cr, err := data.NewCSVInputReader(bytes.NewReader(body), "CSV body", c.k, c.inputs)
	if err != nil {
		return csvError(err)
	}
	for {
		n := len(c.x)
		c.x = append(c.x, make([]float32, c.k)...)
		err := cr.Next(c.x[n:], nil)
		if err == io.EOF {
			c.x = c.x[:n]
			break
		}
		if err != nil {
			return csvError(err)
		}
		if c.rows++; c.rows > c.maxRows {
			return tooManyRows(c.maxRows)
		}
	}
	if c.rows == 0 {
		return badRequest("CSV body: no rows to predict")
	}
	return nil
}

func csvError(err error) error {
	var ce *data.CSVError
	if errors.As(err, &ce) {
		return badRequest("%v", err)
	}
	return &reqError{http.StatusInternalServerError, err.Error()}
}

func tooManyRows(max int) error {
	return &reqError{http.StatusRequestEntityTooLarge, fmt.Sprintf("more than %d rows in one request (-max-rows)", max)}
}

// csvHeader is a header line and the columns it gives, kept per model so
// that a client sending the same header every time has it read once.
type csvHeader struct {
	line  []byte
	colTo []int // column → input position, or -1
}

// fast reads the body if it is plain, and reports whether it did: false
// with no error sends the body to slow.
func (c *csvRows) fast(body []byte) (bool, error) {
	c.x, c.rows = c.x[:0], 0
	nl := bytes.IndexByte(body, '\n')
	if nl < 0 {
		return false, nil
	}
	rest, colTo := body, c.identity()
	if !c.plainData(bytes.TrimSuffix(body[:nl], []byte{'\r'})) {
		h := c.header(body[:nl+1])
		if h == nil {
			return false, nil
		}
		rest, colTo = body[nl+1:], h.colTo
	}
	for len(rest) > 0 {
		if c.rows++; c.rows > c.maxRows {
			return true, tooManyRows(c.maxRows)
		}
		var ok bool
		if rest, ok = c.line(rest, colTo); !ok {
			return false, nil
		}
	}
	return c.rows > 0, nil
}

// identity maps the k columns of a body without a header to the inputs.
func (c *csvRows) identity() []int {
	for len(c.colTo) < c.k {
		c.colTo = append(c.colTo, len(c.colTo))
	}
	return c.colTo[:c.k]
}

// plainData reports whether a first line is k plain numbers: data by
// data.NewCSVInputReader's rule (every field a number), in the inputs' order.
func (c *csvRows) plainData(line []byte) bool {
	for p := range c.k {
		f := line
		if i := bytes.IndexByte(line, ','); i >= 0 {
			f, line = line[:i], line[i+1:]
		} else if p < c.k-1 {
			return false
		} else {
			line = nil
		}
		if _, ok := plainNumber(f); !ok {
			return false
		}
	}
	return line == nil
}

// header returns the columns of a header line, read by data's reader (nil
// if it is not a plain header: quoted, or a CR line break, which the
// reader would read past this line, or refused).
func (c *csvRows) header(line []byte) *csvHeader {
	if c.cache == nil {
		c.cache = new(atomic.Pointer[csvHeader])
	}
	if h := c.cache.Load(); h != nil && bytes.Equal(h.line, line) {
		return h
	}
	first := line[:len(line)-1]
	if bytes.IndexByte(first, '"') >= 0 || bytes.IndexByte(bytes.TrimSuffix(first, []byte{'\r'}), '\r') >= 0 {
		return nil
	}
	cr, err := data.NewCSVInputReader(bytes.NewReader(line), "CSV body", c.k, c.inputs)
	if err != nil || cr.Columns().Header == nil {
		return nil
	}
	cols := cr.Columns()
	h := &csvHeader{line: bytes.Clone(line), colTo: make([]int, len(cols.Header))}
	for i := range h.colTo {
		h.colTo[i] = -1
	}
	for p, col := range cols.X {
		h.colTo[col] = p
	}
	c.cache.Store(h)
	return h
}

// line reads one line of len(colTo) fields into c.x and returns the rest of
// the body, or false if the line is not plain.
func (c *csvRows) line(b []byte, colTo []int) ([]byte, bool) {
	n := len(colTo)
	base := len(c.x)
	for range c.k {
		c.x = append(c.x, 0)
	}
	i, col := 0, 0
	for {
		start := i
		for i < len(b) && b[i] != ',' && b[i] != '\n' && b[i] != '\r' {
			if b[i] == '"' {
				return nil, false
			}
			i++
		}
		if col >= n || i-start > 64 {
			return nil, false
		}
		if p := colTo[col]; p >= 0 {
			v, ok := plainNumber(b[start:i])
			if !ok {
				return nil, false
			}
			c.x[base+p] = v
		}
		col++
		if i == len(b) {
			break
		}
		switch b[i] {
		case ',':
			i++
			continue
		case '\r':
			if i+1 >= len(b) || b[i+1] != '\n' {
				return nil, false
			}
			i++
		}
		i++ // '\n'
		break
	}
	if col != n || b[0] == '#' || i > data.MaxCSVRow/2 {
		return nil, false
	}
	return b[i:], true
}

// plainNumber parses a field that is a decimal number, with spaces or tabs
// around it, finite in float32: what data.ParseNumber takes, short of its
// rarer spaces.
func plainNumber(f []byte) (float32, bool) {
	for len(f) > 0 && (f[0] == ' ' || f[0] == '\t') {
		f = f[1:]
	}
	for len(f) > 0 && (f[len(f)-1] == ' ' || f[len(f)-1] == '\t') {
		f = f[:len(f)-1]
	}
	i := 0
	if i < len(f) && (f[i] == '+' || f[i] == '-') {
		i++
	}
	j := digits(f, i)
	n := j - i
	if j < len(f) && f[j] == '.' {
		k := digits(f, j+1)
		n += k - j - 1
		j = k
	}
	if n == 0 {
		return 0, false
	}
	if j < len(f) && (f[j] == 'e' || f[j] == 'E') {
		j++
		if j < len(f) && (f[j] == '+' || f[j] == '-') {
			j++
		}
		k := digits(f, j)
		if k == j {
			return 0, false
		}
		j = k
	}
	if j != len(f) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(f), 32)
	if err != nil {
		return 0, false
	}
	return float32(v), true
}
