package data

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/edgefit/edgefit/linalg"
)

// Table is a whole data set in memory: X holds its rows of inputs and Y its
// rows of targets (one per input row), both contiguous.
type Table struct {
	Cols Columns
	X, Y linalg.Dense
}

// ReadTable reads every row of a CSV file into memory. It stops with
// ErrTooLarge once the data would take more than maxBytes (0: no limit), so
// that the caller can fall back to streaming passes.
func ReadTable(r io.Reader, name string, y, x []string, maxBytes int64) (*Table, error) {
	if maxBytes < 0 {
		return nil, fmt.Errorf("data: ReadTable: %s: memory limit %d: want 0 (none) or more", name, maxBytes)
	}
	cr, err := NewCSVReader(r, name, y, x)
	if err != nil {
		return nil, err
	}
	k, n := len(cr.cols.X), len(cr.cols.Y)
	rowBytes := int64(4 * (k + n))
	xr, yr := make([]float32, k), make([]float32, n)
	var xs, ys []float32
	m := 0
	for {
		err := cr.Next(xr, yr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if maxBytes > 0 && int64(m+1)*rowBytes > maxBytes {
			return nil, ErrTooLarge
		}
		xs = append(xs, xr...)
		ys = append(ys, yr...)
		m++
	}
	if m == 0 {
		return nil, &CSVError{File: name, Err: errors.New("no data rows after the header")}
	}
	return &Table{Cols: cr.Columns(),
		X: linalg.Dense{Rows: m, Cols: k, Stride: max(k, 1), Data: xs},
		Y: linalg.Dense{Rows: m, Cols: n, Stride: max(n, 1), Data: ys}}, nil
}

// ErrTooLarge is returned by ReadTable when a file does not fit the memory
// allowed for it.
var ErrTooLarge = errors.New("data: data larger than the memory allowed")

// CSVFile is a CSV file on disk read in passes of bounded memory: each pass
// reads it from the start and hands the rows over in chunks. A path that is
// not a regular file (a pipe, /dev/stdin, a device) cannot be read again: it
// is opened once, by OpenCSVFile, and read once, by the first Pass; another
// Pass is an error (Rereadable tells which).
type CSVFile struct {
	Path string
	Cols Columns
	y, x []string
	pipe bool       // not a regular file
	once *CSVReader // a pipe's reader, past the header, until its pass or Close
	fh   *os.File   // a pipe's file, until then
}

// OpenCSVFile checks that path is a readable CSV file with the named columns.
func OpenCSVFile(path string, y, x []string) (*CSVFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	cr, err := NewCSVReader(fh, path, y, x)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f := &CSVFile{Path: path, Cols: cr.Columns(), y: y, x: x}
	if st.Mode().IsRegular() {
		fh.Close()
	} else {
		f.pipe, f.once, f.fh = true, cr, fh
	}
	return f, nil
}

// Rereadable reports whether the file can be read in more than one pass: it
// is a regular file.
func (f *CSVFile) Rereadable() bool { return !f.pipe }

// Close closes a file that is not regular if its pass has not; it is a no-op
// otherwise.
func (f *CSVFile) Close() error {
	f.once = nil
	if f.fh == nil {
		return nil
	}
	err := f.fh.Close()
	f.fh = nil
	return err
}

// Pass reads the file once, calling fn with consecutive chunks of at most
// len(X)/k rows: inputs X and targets Y, contiguous matrices over the
// caller's buffers X and Y, reused for every chunk. The first error, from
// reading or from fn, ends the pass.
func (f *CSVFile) Pass(X, Y []float32, fn func(X, Y linalg.Dense) error) error {
	k, n := len(f.Cols.X), len(f.Cols.Y)
	var rows func(m int, X, Y []float32) error
	if fn != nil {
		rows = func(m int, X, Y []float32) error {
			return fn(linalg.Dense{Rows: m, Cols: k, Stride: max(k, 1), Data: X},
				linalg.Dense{Rows: m, Cols: n, Stride: max(n, 1), Data: Y})
		}
	}
	read := func(cr *CSVReader, m int, X, Y []float32) (int, error) {
		return readBatch(cr, "Pass", m, X, k, Y, n, cr.Next)
	}
	return pass(f, "Pass", X, Y, read, rows)
}

func pass[T float32 | float64](f *CSVFile, op string, X, Y []T, read func(cr *CSVReader, m int, X, Y []T) (int, error), fn func(m int, X, Y []T) error) error {
	if fn == nil || len(X) < len(f.Cols.X) || len(Y) < len(f.Cols.Y) || len(X)+len(Y) == 0 {
		return fmt.Errorf("data: CSVFile.%s: %s: buffers of %d and %d values for rows of %d inputs and %d targets: want room for one row at least, and a non-nil function", op, f.Path, len(X), len(Y), len(f.Cols.X), len(f.Cols.Y))
	}
	cr := f.once
	if f.pipe {
		if cr == nil {
			return &CSVError{File: f.Path, Err: errors.New("not a regular file (a pipe or a device): it can be read only once")}
		}
		defer f.Close()
	} else {
		fh, err := os.Open(f.Path)
		if err != nil {
			return err
		}
		defer fh.Close()
		if cr, err = NewCSVReader(fh, f.Path, f.y, f.x); err != nil {
			return err
		}
	}
	k, n := len(f.Cols.X), len(f.Cols.Y)
	chunk := len(X) / max(k, 1)
	if c := len(Y) / max(n, 1); c < chunk {
		chunk = c
	}
	if chunk < 1 {
		panic("data: CSVFile." + op + ": buffers smaller than one row")
	}
	rows := 0
	for {
		m, err := read(cr, chunk, X, Y)
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
		return &CSVError{File: f.Path, Err: errors.New("no data rows after the header")}
	}
	return nil
}
