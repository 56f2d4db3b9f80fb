package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/edgefit/edgefit/linalg"
)

// CSVReader reads rows of numbers from a CSV file with a header row, one row
// at a time or in batches, without holding more than one row of text: a file
// larger than memory is read in passes.
//
// The format is RFC 4180 as encoding/csv reads it, with spaces around values
// ignored, blank lines and lines starting with # skipped, a UTF-8 byte-order
// mark before the header allowed, and line breaks LF, CRLF or CR. A row is at
// most MaxCSVRow bytes, a field MaxCSVField and a row has at most
// MaxCSVColumns fields; header names are valid UTF-8. Every value must be a
// decimal number that is finite in float32 (ParseNumber); Next64 and
// ReadBatch64 read the same values to float64 (ParseNumber64). Errors are
// *CSVError, giving the file, the line and the byte column of the field
// (file:line:column, as compilers do), and the column's name.
type CSVReader struct {
	name    string // the file name in errors
	lim     *rowLimiter
	sc      *csvScanner
	cols    Columns
	line    int  // line of the row last read
	pending bool // the first row is data not yet returned (NewCSVInputReader)
}

// NewCSVReader reads the header row of r and selects the columns: y names the
// targets and x the inputs (empty x: every other column). name is used in
// error messages.
func NewCSVReader(r io.Reader, name string, y, x []string) (*CSVReader, error) {
	c, rec, err := openCSV(r, name)
	if err == io.EOF {
		return nil, &CSVError{File: name, Err: errors.New("empty file: want a header row naming the columns")}
	}
	if err != nil {
		return nil, err
	}
	header, err := c.header(rec)
	if err != nil {
		return nil, err
	}
	if c.cols, err = SelectColumns(header, y, x); err != nil {
		return nil, &CSVError{File: name, Line: c.line, Err: err}
	}
	return c, nil
}

// NewCSVInputReader reads rows of inputs alone, as for prediction: k inputs,
// named by inputs (nil: the inputs have no names). The first row is data when
// every field in it is a number or empty (and one at least is a number), and
// then every row holds the k values in order; otherwise it is a header,
// checked as NewCSVReader does, that must name every input. Next and
// ReadBatch take empty targets.
func NewCSVInputReader(r io.Reader, name string, k int, inputs []string) (*CSVReader, error) {
	if k <= 0 || (inputs != nil && len(inputs) != k) {
		return nil, fmt.Errorf("data: NewCSVInputReader: %d inputs and %d names", k, len(inputs))
	}
	c, rec, err := openCSV(r, name)
	if err == io.EOF {
		return nil, &CSVError{File: name, Err: errors.New("empty file: no rows to predict")}
	}
	if err != nil {
		return nil, err
	}
	if isDataRow(rec) {
		if len(rec) != k {
			return nil, &CSVError{File: name, Line: c.line, Err: fmt.Errorf("%d values, want %d inputs", len(rec), k)}
		}
		c.cols = Columns{X: make([]int, k)}
		for i := range c.cols.X {
			c.cols.X[i] = i
		}
		c.pending = true
		return c, nil
	}
	if inputs == nil {
		return nil, &CSVError{File: name, Line: c.line, Err: errors.New("a header row, but the inputs have no names: give the values alone, in order")}
	}
	header, err := c.header(rec)
	if err != nil {
		return nil, err
	}
	pos, err := headerIndex(header)
	if err != nil {
		return nil, &CSVError{File: name, Line: c.line, Err: err}
	}
	c.cols = Columns{Header: header, X: make([]int, k)}
	for p, in := range inputs {
		i, ok := pos[in]
		if !ok {
			return nil, &CSVError{File: name, Line: c.line, Err: fmt.Errorf("the header has no column %s, an input (inputs: %s)", clip(in), clipList(inputs))}
		}
		c.cols.X[p] = i
	}
	return c, nil
}

// openCSV reads the first row of a CSV file (io.EOF: there is none).
func openCSV(r io.Reader, name string) (*CSVReader, []string, error) {
	if r == nil {
		return nil, nil, fmt.Errorf("data: %s: nil reader", name)
	}
	lim := newRowLimiter(r, name)
	c := &CSVReader{name: name, lim: lim, sc: newCSVScanner(lim)}
	if err := c.read(); err != nil {
		return nil, nil, err
	}
	fields := c.sc.record()
	rec := make([]string, len(fields))
	for i, f := range fields {
		rec[i] = string(f)
	}
	return c, rec, nil
}

// read reads the next row and checks its number of fields and their
// lengths.
func (c *CSVReader) read() error {
	if err := c.sc.nextRecord(); err != nil {
		if err == io.EOF {
			return err
		}
		return c.readError(err)
	}
	c.line = c.sc.pos[0].line
	nf := c.sc.nf
	if nf > MaxCSVColumns {
		return &CSVError{File: c.name, Line: c.line, Err: limitError(fmt.Sprintf("%d fields, over the limit of %d", nf, MaxCSVColumns))}
	}
	for j := 0; j < nf; j++ {
		if n := c.sc.spans[2*j+1] - c.sc.spans[2*j]; n > MaxCSVField {
			line, col := c.pos(j)
			return &CSVError{File: c.name, Line: line, Column: col, Err: limitError(fmt.Sprintf("a field of %d bytes, over the limit of 64 KiB", n))}
		}
	}
	return nil
}

// header checks a header row and returns its names, trimmed.
func (c *CSVReader) header(rec []string) ([]string, error) {
	if isDataRow(rec) {
		return nil, &CSVError{File: c.name, Line: c.line, Err: errors.New("the first row is numbers: want a header row naming the columns")}
	}
	header := make([]string, len(rec))
	for i, h := range rec {
		if !utf8.ValidString(h) {
			_, col := c.pos(i)
			return nil, &CSVError{File: c.name, Line: c.line, Column: col, Err: fmt.Errorf("header column %d: the name %s is not valid UTF-8", i+1, clip(h))}
		}
		header[i] = strings.TrimSpace(h)
	}
	return header, nil
}

// pos is the line and byte column of field j of the row last read.
func (c *CSVReader) pos(j int) (line, col int) {
	p := c.sc.pos[j]
	if c.lim.bom && p.line == 1 {
		p.col += len(bom)
	}
	return p.line, p.col
}

// readError turns an error of the scanner into a *CSVError.
func (c *CSVReader) readError(err error) error {
	var ce *CSVError
	if errors.As(err, &ce) {
		if ce.File == "" {
			ce.File = c.name
		}
		return err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return &CSVError{File: c.name, Line: pe.StartLine, Err: fmt.Errorf("ragged row: %d fields, the first row has %d", c.sc.nf, c.sc.nfields)}
		}
		col := pe.Column
		if c.lim.bom && pe.Line == 1 {
			col += len(bom)
		}
		return &CSVError{File: c.name, Line: pe.Line, Column: col, Err: pe.Err}
	}
	return &CSVError{File: c.name, Err: err}
}

// Columns returns the header and the columns selected.
func (c *CSVReader) Columns() Columns { return c.cols }

// Line returns the line number of the row last read.
func (c *CSVReader) Line() int { return c.line }

// Next reads the next row's inputs into x and targets into y (lengths: the
// number of input and target columns). It returns io.EOF after the last row
// and otherwise an error naming the file, line and column of the problem.
// Slices of other lengths are an error, and nothing is read.
func (c *CSVReader) Next(x, y []float32) error {
	return next(c, "Next", x, y, parse32)
}

// next reads the next row into x and y, converting the values with conv.
func next[T float32 | float64](c *CSVReader, op string, x, y []T, conv numberParser[T]) error {
	if len(x) != len(c.cols.X) || len(y) != len(c.cols.Y) {
		return fmt.Errorf("data: CSVReader.%s: %d inputs and %d targets, want %d and %d", op, len(x), len(y), len(c.cols.X), len(c.cols.Y))
	}
	if c.pending {
		c.pending = false
	} else if err := c.read(); err != nil {
		return err
	}
	if err := parseFields(c, c.cols.X, x, conv); err != nil {
		return err
	}
	return parseFields(c, c.cols.Y, y, conv)
}

func parseFields[T float32 | float64](c *CSVReader, idx []int, dst []T, conv numberParser[T]) error {
	for i, j := range idx {
		if v, ok := conv.fromValue(c.sc.vals[j]); ok {
			dst[i] = v
			continue
		}
		v, err := conv.fromText(c.sc.field(j))
		if err != nil {
			line, col := c.pos(j)
			if c.cols.Header != nil {
				err = fmt.Errorf("column %s: %w", clip(c.cols.Header[j]), err)
			} else {
				err = fmt.Errorf("value %d: %w", j+1, err)
			}
			return &CSVError{File: c.name, Line: line, Column: col, Err: err}
		}
		dst[i] = v
	}
	return nil
}

// ReadBatch reads up to X.Rows rows into the rows of X (k columns) and Y (n
// columns, as many rows) and returns how many it read; at the end of the file
// it returns 0, io.EOF. No rows, or matrices of the wrong shape, are an error,
// and nothing is read.
func (c *CSVReader) ReadBatch(X, Y linalg.Dense) (int, error) {
	k, n := len(c.cols.X), len(c.cols.Y)
	if X.Cols != k || Y.Cols != n || X.Rows != Y.Rows {
		return 0, fmt.Errorf("data: CSVReader.ReadBatch: %d×%d inputs and %d×%d targets for rows of %d inputs and %d targets: want as many rows of each", X.Rows, X.Cols, Y.Rows, Y.Cols, k, n)
	}
	if err := X.Check("CSVReader.ReadBatch", "X"); err != nil {
		return 0, err
	}
	if err := Y.Check("CSVReader.ReadBatch", "Y"); err != nil {
		return 0, err
	}
	return readBatch(c, "ReadBatch", X.Rows, X.Data, stride(X), Y.Data, stride(Y), c.Next)
}

// stride is a checked matrix's row stride, 0 without columns (whose Data
// may be empty).
func stride(d linalg.Dense) int {
	if d.Cols == 0 {
		return 0
	}
	return d.Stride
}

// readBatch reads up to m rows into X (row stride ldx) and Y (row stride
// ldy), all sizes checked without overflow.
func readBatch[T float32 | float64](c *CSVReader, op string, m int, X []T, ldx int, Y []T, ldy int, next func(x, y []T) error) (int, error) {
	k, n := len(c.cols.X), len(c.cols.Y)
	if m < 1 || !holds(m, k, ldx, len(X)) || !holds(m, n, ldy, len(Y)) {
		return 0, fmt.Errorf("data: CSVReader.%s: %d rows of %d inputs and %d targets into %d and %d values: want m ≥ 1 and room for m rows", op, m, k, n, len(X), len(Y))
	}
	for i := 0; i < m; i++ {
		err := next(X[i*ldx:i*ldx+k], Y[i*ldy:i*ldy+n])
		if err == io.EOF {
			if i == 0 {
				return 0, io.EOF
			}
			return i, nil
		}
		if err != nil {
			return i, err
		}
	}
	return m, nil
}

// holds reports whether l values hold m ≥ 1 rows of k at row stride ld:
// (m−1)·ld + k ≤ l, computed without overflow.
func holds(m, k, ld, l int) bool {
	if k == 0 {
		return ld == 0
	}
	return ld >= k && l >= k && m-1 <= (l-k)/ld
}
