package linalg

import (
	"fmt"
	"math"
)

// Dense is a row-major float32 matrix: element (i, j) is Data[i*Stride+j].
// Stride is at least Cols; the gap between one row's last column and the next
// row's first element belongs to whoever owns Data and is never touched.
//
// The zero value is a 0×0 matrix. A Dense is a small value (a slice header and
// three ints): copying it copies the view, not the elements.
type Dense struct {
	Rows, Cols, Stride int
	Data               []float32
}

// New returns a zeroed rows×cols matrix with Stride = cols.
func New(rows, cols int) (Dense, error) {
	if rows < 0 || cols < 0 {
		return Dense{}, fmt.Errorf("linalg: New: %d×%d: dimensions must not be negative", rows, cols)
	}
	return Dense{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: make([]float32, rows*cols)}, nil
}

// FromSlice wraps data as a rows×cols matrix with Stride = cols, without
// copying: the matrix and data share storage. data must hold exactly
// rows·cols elements.
func FromSlice(rows, cols int, data []float32) (Dense, error) {
	if rows < 0 || cols < 0 {
		return Dense{}, fmt.Errorf("linalg: FromSlice: %d×%d: dimensions must not be negative", rows, cols)
	}
	if len(data) != rows*cols {
		return Dense{}, fmt.Errorf("linalg: FromSlice: %d elements for a %d×%d matrix, want %d", len(data), rows, cols, rows*cols)
	}
	return Dense{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: data}, nil
}

// FromStrided wraps data as a rows×cols matrix with the given row stride,
// without copying. The last row need not extend to a full stride.
func FromStrided(rows, cols, stride int, data []float32) (Dense, error) {
	d := Dense{Rows: rows, Cols: cols, Stride: stride, Data: data}
	if err := d.Check("FromStrided", "data"); err != nil {
		return Dense{}, err
	}
	return d, nil
}

// FromRows copies a [][]float32 (one inner slice per row, as a torch.tensor
// is written in Python) into a new contiguous matrix. Every row must have the
// same length; a ragged row is an error naming it. A copy is unavoidable: the
// inner slices are separate allocations.
func FromRows(rows [][]float32) (Dense, error) {
	if len(rows) == 0 {
		return Dense{Stride: 1}, nil
	}
	cols := len(rows[0])
	d, _ := New(len(rows), cols)
	for i, r := range rows {
		if len(r) != cols {
			return Dense{}, fmt.Errorf("linalg: FromRows: row %d has %d columns, row 0 has %d", i, len(r), cols)
		}
		copy(d.Data[i*cols:], r)
	}
	return d, nil
}

// Check returns an error unless d is a well-formed matrix: non-negative
// dimensions, Stride ≥ max(Cols, 1), and Data long enough for every row. op
// and name go into the message ("MatMulBias: X ...").
func (d Dense) Check(op, name string) error {
	if d.Rows < 0 || d.Cols < 0 {
		return fmt.Errorf("linalg: %s: %s is %d×%d: dimensions must not be negative", op, name, d.Rows, d.Cols)
	}
	if d.Stride < max(d.Cols, 1) {
		return fmt.Errorf("linalg: %s: %s has stride %d, want at least its %d columns (and at least 1)", op, name, d.Stride, d.Cols)
	}
	if d.Rows > 0 && d.Cols > 0 {
		if need := (d.Rows-1)*d.Stride + d.Cols; len(d.Data) < need {
			return fmt.Errorf("linalg: %s: %s holds %d elements, want at least %d for %d×%d with stride %d", op, name, len(d.Data), need, d.Rows, d.Cols, d.Stride)
		}
	}
	return nil
}

// Dims returns the number of rows and columns.
func (d Dense) Dims() (rows, cols int) { return d.Rows, d.Cols }

// At returns element (i, j). It panics if (i, j) is out of range, like a slice
// index.
func (d Dense) At(i, j int) float32 {
	d.mustIndex(i, j)
	return d.Data[i*d.Stride+j]
}

// Set sets element (i, j) to v. It panics if (i, j) is out of range.
func (d Dense) Set(i, j int, v float32) {
	d.mustIndex(i, j)
	d.Data[i*d.Stride+j] = v
}

func (d Dense) mustIndex(i, j int) {
	if uint(i) >= uint(d.Rows) || uint(j) >= uint(d.Cols) {
		panic(fmt.Sprintf("linalg: index (%d, %d) out of range for %d×%d", i, j, d.Rows, d.Cols))
	}
}

// Row returns row i as a slice of length Cols sharing d's storage: writing to
// it writes to d. It panics if i is out of range.
func (d Dense) Row(i int) []float32 {
	if uint(i) >= uint(d.Rows) {
		panic(fmt.Sprintf("linalg: row %d out of range for %d rows", i, d.Rows))
	}
	o := i * d.Stride
	return d.Data[o : o+d.Cols : o+d.Cols]
}

// Slice returns rows [lo, hi) as a matrix sharing d's storage, like the Python
// slice x[lo:hi]. It panics unless 0 ≤ lo ≤ hi ≤ Rows.
func (d Dense) Slice(lo, hi int) Dense {
	if lo < 0 || hi < lo || hi > d.Rows {
		panic(fmt.Sprintf("linalg: rows [%d, %d) out of range for %d rows", lo, hi, d.Rows))
	}
	if lo == hi {
		return Dense{Rows: 0, Cols: d.Cols, Stride: d.Stride}
	}
	end := (hi-1)*d.Stride + d.Cols
	return Dense{Rows: hi - lo, Cols: d.Cols, Stride: d.Stride, Data: d.Data[lo*d.Stride : end : end]}
}

// Contiguous reports whether the rows follow one another with no gap, so that
// the elements are exactly Data[:Rows*Cols].
func (d Dense) Contiguous() bool { return d.Stride == d.Cols || d.Rows <= 1 }

// Copy copies src into dst element by element; the shapes must match.
func Copy(dst, src Dense) error {
	if err := sameShape("Copy", "dst", dst, "src", src); err != nil {
		return err
	}
	if dst.Contiguous() && src.Contiguous() {
		copy(dst.Data[:dst.Rows*dst.Cols], src.Data[:src.Rows*src.Cols])
		return nil
	}
	for i := 0; i < dst.Rows; i++ {
		copy(dst.Row(i), src.Row(i))
	}
	return nil
}

// CheckFinite returns an error naming the first element (row and column, both
// from 0) of d that is NaN or ±Inf; name says which matrix it is ("inputs").
func CheckFinite(name string, d Dense) error {
	for i := 0; i < d.Rows; i++ {
		for j, v := range d.Row(i) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s: row %d, column %d is %v: every value must be a finite number", name, i, j, v)
			}
		}
	}
	return nil
}

func sameShape(op, an string, a Dense, bn string, b Dense) error {
	if err := a.Check(op, an); err != nil {
		return err
	}
	if err := b.Check(op, bn); err != nil {
		return err
	}
	if a.Rows != b.Rows || a.Cols != b.Cols {
		return fmt.Errorf("linalg: %s: %s is %d×%d but %s is %d×%d, want the same shape", op, an, a.Rows, a.Cols, bn, b.Rows, b.Cols)
	}
	return nil
}
