package linalg

import (
	"fmt"
	"math"
	"math/bits"
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

// MaxElements is the most elements New allocates for one matrix (a
// gibibyte of float32), and the most regress's constructors allocate for any
// one buffer. A larger size, or one whose product does not fit in an int, is
// an error rather than an out-of-memory crash. Matrices that wrap slices the
// caller already holds (FromSlice, FromStrided) are not limited.
const MaxElements = 1 << 28

// mulAdd returns a·b + c for non-negative a, b and c, and whether it fits in
// an int. It is how every size here is computed, so that no product can wrap
// round and let a huge shape pass for a small one.
func mulAdd(a, b, c int) (int, bool) {
	if a < 0 || b < 0 || c < 0 {
		return 0, false
	}
	hi, lo := bits.Mul(uint(a), uint(b))
	if hi != 0 || lo > uint(math.MaxInt-c) {
		return 0, false
	}
	return int(lo) + c, true
}

// New returns a zeroed rows×cols matrix with Stride = cols. It allocates at
// most MaxElements elements: a larger matrix is an error.
func New(rows, cols int) (Dense, error) {
	if rows < 0 || cols < 0 {
		return Dense{}, fmt.Errorf("linalg: New: %d×%d: dimensions must not be negative", rows, cols)
	}
	if n, ok := mulAdd(rows, cols, 0); !ok || n > MaxElements {
		return Dense{}, fmt.Errorf("linalg: New: %d×%d is more than %d elements (linalg.MaxElements)", rows, cols, MaxElements)
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
	n, ok := mulAdd(rows, cols, 0)
	if !ok {
		return Dense{}, fmt.Errorf("linalg: FromSlice: %d elements for a %d×%d matrix, whose size overflows int", len(data), rows, cols)
	}
	if len(data) != n {
		return Dense{}, fmt.Errorf("linalg: FromSlice: %d elements for a %d×%d matrix, want %d", len(data), rows, cols, n)
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
	if n, ok := mulAdd(len(rows), cols, 0); !ok || n > MaxElements {
		return Dense{}, fmt.Errorf("linalg: FromRows: %d rows of %d columns are more than %d elements (linalg.MaxElements)", len(rows), cols, MaxElements)
	}
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
// dimensions, Stride ≥ max(Cols, 1), and Data long enough for every row,
// (Rows−1)·Stride + Cols elements, a size that must fit in an int (even
// with no columns, as the kernels require). op and name go into the message
// ("MatMulBias: X ...").
func (d Dense) Check(op, name string) error {
	if d.Rows < 0 || d.Cols < 0 {
		return fmt.Errorf("linalg: %s: %s is %d×%d: dimensions must not be negative", op, name, d.Rows, d.Cols)
	}
	if d.Stride < max(d.Cols, 1) {
		return fmt.Errorf("linalg: %s: %s has stride %d, want at least its %d columns (and at least 1)", op, name, d.Stride, d.Cols)
	}
	if d.Rows > 0 {
		need, ok := mulAdd(d.Rows-1, d.Stride, d.Cols)
		if !ok {
			return fmt.Errorf("linalg: %s: %s is %d×%d with stride %d: (rows−1)·stride + cols overflows int", op, name, d.Rows, d.Cols, d.Stride)
		}
		if d.Cols > 0 && len(d.Data) < need {
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
	return d.Data[d.mustIndex(i, j)]
}

// Set sets element (i, j) to v. It panics if (i, j) is out of range.
func (d Dense) Set(i, j int, v float32) {
	d.Data[d.mustIndex(i, j)] = v
}

// mustIndex returns the offset of element (i, j) in Data, i·Stride + j, and
// panics if (i, j) is out of range or the offset overflows an int (a Dense
// whose fields were set by hand, never through Check).
func (d Dense) mustIndex(i, j int) int {
	o, ok := mulAdd(i, d.Stride, j)
	if uint(i) >= uint(d.Rows) || uint(j) >= uint(d.Cols) || !ok {
		panic(fmt.Sprintf("linalg: index (%d, %d) out of range for %d×%d with stride %d", i, j, d.Rows, d.Cols, d.Stride))
	}
	return o
}

// Row returns row i as a slice of length Cols sharing d's storage: writing to
// it writes to d. It panics if i is out of range or Data does not hold the
// row.
func (d Dense) Row(i int) []float32 {
	end, ok := mulAdd(i, d.Stride, d.Cols)
	if uint(i) >= uint(d.Rows) || !ok || end > len(d.Data) {
		panic(fmt.Sprintf("linalg: row %d out of range for %d rows of %d columns with stride %d in %d elements", i, d.Rows, d.Cols, d.Stride, len(d.Data)))
	}
	return d.Data[end-d.Cols : end : end]
}

// Slice returns rows [lo, hi) as a matrix sharing d's storage, like the Python
// slice x[lo:hi]. It panics unless 0 ≤ lo ≤ hi ≤ Rows and Data holds those
// rows.
func (d Dense) Slice(lo, hi int) Dense {
	if lo < 0 || hi < lo || hi > d.Rows {
		panic(fmt.Sprintf("linalg: rows [%d, %d) out of range for %d rows", lo, hi, d.Rows))
	}
	if lo == hi {
		return Dense{Rows: 0, Cols: d.Cols, Stride: d.Stride}
	}
	start, ok1 := mulAdd(lo, d.Stride, 0)
	end, ok2 := mulAdd(hi-1, d.Stride, d.Cols)
	if !ok1 || !ok2 || end > len(d.Data) {
		panic(fmt.Sprintf("linalg: rows [%d, %d) of %d columns with stride %d are not within %d elements", lo, hi, d.Cols, d.Stride, len(d.Data)))
	}
	return Dense{Rows: hi - lo, Cols: d.Cols, Stride: d.Stride, Data: d.Data[start:end:end]}
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
