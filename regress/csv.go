package regress

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// A CSV file for training holds one example per line: a header row naming the
// columns, then rows of numbers. Some columns are the inputs x and some the
// targets y; the rest are ignored.

// Columns says which columns of a CSV header are the inputs and which the
// targets.
type Columns struct {
	Header []string // every column's name, as in the file
	X, Y   []int    // indices into Header of the inputs and the targets
}

// XNames returns the names of the input columns.
func (c Columns) XNames() []string { return pick(c.Header, c.X) }

// YNames returns the names of the target columns.
func (c Columns) YNames() []string { return pick(c.Header, c.Y) }

func pick(names []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = names[j]
	}
	return out
}

// SelectColumns finds the named target columns y and input columns x in a
// header. An empty x means every column that is not a target. Every name must
// be in the header exactly once, and no column may be both an input and a
// target.
func SelectColumns(header, y, x []string) (Columns, error) {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		if h == "" {
			return Columns{}, fmt.Errorf("header column %d has no name", i+1)
		}
		if j, dup := pos[h]; dup {
			return Columns{}, fmt.Errorf("header names column %q twice (columns %d and %d)", h, j+1, i+1)
		}
		pos[h] = i
	}
	find := func(role string, names []string) ([]int, error) {
		idx := make([]int, 0, len(names))
		seen := make(map[string]bool, len(names))
		for _, name := range names {
			name = strings.TrimSpace(name)
			i, ok := pos[name]
			if !ok {
				return nil, fmt.Errorf("%s column %q is not in the header (columns: %s)", role, name, strings.Join(header, ", "))
			}
			if seen[name] {
				return nil, fmt.Errorf("%s column %q is named twice", role, name)
			}
			seen[name] = true
			idx = append(idx, i)
		}
		return idx, nil
	}
	if len(y) == 0 {
		return Columns{}, errors.New("no target column named")
	}
	yi, err := find("target", y)
	if err != nil {
		return Columns{}, err
	}
	isY := make(map[int]bool, len(yi))
	for _, i := range yi {
		isY[i] = true
	}
	var xi []int
	if len(x) == 0 {
		for i := range header {
			if !isY[i] {
				xi = append(xi, i)
			}
		}
		if len(xi) == 0 {
			return Columns{}, errors.New("no input column: every column is a target")
		}
	} else {
		if xi, err = find("input", x); err != nil {
			return Columns{}, err
		}
		for _, i := range xi {
			if isY[i] {
				return Columns{}, fmt.Errorf("column %q is both an input and a target", header[i])
			}
		}
	}
	return Columns{Header: append([]string(nil), header...), X: xi, Y: yi}, nil
}

// SplitNames splits a comma-separated list of column names, as given on a
// command line, dropping empty entries.
func SplitNames(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// CSVReader reads rows of numbers from a CSV file with a header row, one row
// at a time or in batches, without holding more than one row of text: a file
// larger than memory is read in passes.
//
// The format is RFC 4180 as encoding/csv reads it, with spaces around values
// ignored, blank lines and lines starting with # skipped, and a UTF-8
// byte-order mark before the header allowed. Every value must be a finite
// float32; errors give the file, the line and the byte column of the field
// (file:line:column, as compilers do) and the column's name.
type CSVReader struct {
	name string // the file name in errors
	r    *csv.Reader
	cols Columns
	line int // line of the row last read
}

// NewCSVReader reads the header row of r and selects the columns: y names the
// targets and x the inputs (empty x: every other column). name is used in
// error messages.
func NewCSVReader(r io.Reader, name string, y, x []string) (*CSVReader, error) {
	if r == nil {
		return nil, fmt.Errorf("regress: NewCSVReader: %s: nil reader", name)
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file: want a header row naming the columns", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	header = append([]string(nil), header...)
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff") // a byte-order mark written by spreadsheets
	if allNumbers(header) {
		return nil, fmt.Errorf("%s:1: the first row is numbers: want a header row naming the columns", name)
	}
	cols, err := SelectColumns(header, y, x)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %v", name, err)
	}
	return &CSVReader{name: name, r: cr, cols: cols}, nil
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
	if len(x) != len(c.cols.X) || len(y) != len(c.cols.Y) {
		return fmt.Errorf("regress: CSVReader.Next: %d inputs and %d targets, want %d and %d", len(x), len(y), len(c.cols.X), len(c.cols.Y))
	}
	rec, err := c.r.Read()
	if err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return csvError(c.name, err)
	}
	c.line, _ = c.r.FieldPos(0)
	if err := c.parse(rec, c.cols.X, x); err != nil {
		return err
	}
	return c.parse(rec, c.cols.Y, y)
}

func (c *CSVReader) parse(rec []string, idx []int, dst []float32) error {
	for i, j := range idx {
		s := strings.TrimSpace(rec[j])
		v, err := strconv.ParseFloat(s, 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			line, col := c.r.FieldPos(j)
			what := "is not a number"
			switch {
			case s == "":
				what = "is empty"
			case err == nil:
				what = "is not a finite number"
			case errors.Is(err, strconv.ErrRange):
				what = "is out of float32 range"
			}
			return fmt.Errorf("%s:%d:%d: column %q: %q %s", c.name, line, col, c.cols.Header[j], s, what)
		}
		dst[i] = float32(v)
	}
	return nil
}

// ReadBatch reads up to m rows into X (m×k, row stride k) and Y (m×n, row
// stride n) and returns how many it read; at the end of the file it returns
// 0, io.EOF. m < 1 or slices too short for m rows are an error, and nothing
// is read.
func (c *CSVReader) ReadBatch(m int, X, Y []float32) (int, error) {
	k, n := len(c.cols.X), len(c.cols.Y)
	if m < 1 || m > len(X)/max(k, 1) || m > len(Y)/max(n, 1) {
		return 0, fmt.Errorf("regress: CSVReader.ReadBatch: %d rows of %d inputs and %d targets into %d and %d values: want m ≥ 1 and room for m rows", m, k, n, len(X), len(Y))
	}
	for i := 0; i < m; i++ {
		err := c.Next(X[i*k:(i+1)*k], Y[i*n:(i+1)*n])
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

func allNumbers(rec []string) bool {
	for _, f := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
			return false
		}
	}
	return true
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("%s:%d: ragged row: its number of fields differs from the header's", name, pe.StartLine)
		}
		return fmt.Errorf("%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %v", name, err)
}

// Table is a whole data set in memory: m rows of k inputs and n targets.
type Table struct {
	Cols    Columns
	M, K, N int
	X       []float32 // M×K, row-major
	Y       []float32 // M×N, row-major
}

// ReadTable reads every row of a CSV file into memory. It stops with
// ErrTooLarge once the data would take more than maxBytes (0: no limit), so
// that the caller can fall back to streaming passes.
func ReadTable(r io.Reader, name string, y, x []string, maxBytes int64) (*Table, error) {
	if maxBytes < 0 {
		return nil, fmt.Errorf("regress: ReadTable: %s: memory limit %d: want 0 (none) or more", name, maxBytes)
	}
	cr, err := NewCSVReader(r, name, y, x)
	if err != nil {
		return nil, err
	}
	t := &Table{Cols: cr.Columns(), K: len(cr.cols.X), N: len(cr.cols.Y)}
	rowBytes := int64(4 * (t.K + t.N))
	xr, yr := make([]float32, t.K), make([]float32, t.N)
	for {
		err := cr.Next(xr, yr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if maxBytes > 0 && int64(t.M+1)*rowBytes > maxBytes {
			return nil, ErrTooLarge
		}
		t.X = append(t.X, xr...)
		t.Y = append(t.Y, yr...)
		t.M++
	}
	if t.M == 0 {
		return nil, fmt.Errorf("%s: no data rows after the header", name)
	}
	return t, nil
}

// ErrTooLarge is returned by ReadTable when a file does not fit the memory
// allowed for it.
var ErrTooLarge = errors.New("regress: data larger than the memory allowed")

// CSVFile is a CSV file on disk read in passes of bounded memory: each pass
// reads it from the start and hands the rows over in chunks.
type CSVFile struct {
	Path string
	Cols Columns
	y, x []string
}

// OpenCSVFile checks that path is a readable CSV file with the named columns.
func OpenCSVFile(path string, y, x []string) (*CSVFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr, err := NewCSVReader(f, path, y, x)
	if err != nil {
		return nil, err
	}
	return &CSVFile{Path: path, Cols: cr.Columns(), y: y, x: x}, nil
}

// Pass reads the file once, calling fn with consecutive chunks of at most
// len(X)/k rows (X and Y are the caller's buffers, reused for every chunk).
// The first error, from reading or from fn, ends the pass.
func (f *CSVFile) Pass(X, Y []float32, fn func(m int, X, Y []float32) error) error {
	if fn == nil || len(X) < len(f.Cols.X) || len(Y) < len(f.Cols.Y) || len(X)+len(Y) == 0 {
		return fmt.Errorf("regress: CSVFile.Pass: %s: buffers of %d and %d values for rows of %d inputs and %d targets: want room for one row at least, and a non-nil function", f.Path, len(X), len(Y), len(f.Cols.X), len(f.Cols.Y))
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return err
	}
	defer fh.Close()
	cr, err := NewCSVReader(fh, f.Path, f.y, f.x)
	if err != nil {
		return err
	}
	k, n := len(f.Cols.X), len(f.Cols.Y)
	chunk := len(X) / max(k, 1)
	if c := len(Y) / max(n, 1); c < chunk {
		chunk = c
	}
	rows := 0
	for {
		m, err := cr.ReadBatch(chunk, X, Y)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rows += m
		if err := fn(m, X[:m*k], Y[:m*n]); err != nil {
			return err
		}
	}
	if rows == 0 {
		return fmt.Errorf("%s: no data rows after the header", f.Path)
	}
	return nil
}
