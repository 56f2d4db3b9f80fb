package linalg

// Shapes and strides whose sizes do not fit in an int: every size is
// computed without overflow, so a huge shape is an error (or, for the views,
// a panic naming it), never a small one that passes and lets the kernels
// read and write outside Data.

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strings"
	"testing"
)

const (
	// 4·wrapLd + 64 = 2^bits.UintSize: the extent of 5 rows of 64 with this
	// stride wraps round to 0 in int arithmetic (issue 10's case).
	wrapLd = 1<<(bits.UintSize-2) - 16
	// halfInt² = 2^bits.UintSize wraps round to 0.
	halfInt = 1 << (bits.UintSize / 2)
	// quarterInt·4 = 2^bits.UintSize: row 4's offset wraps round to 0.
	quarterInt = 1 << (bits.UintSize - 2)
)

func TestCheckOverflow(t *testing.T) {
	short := make([]float32, 320)
	for _, tc := range []struct {
		what string
		d    Dense
	}{
		{"issue 10: 5×64 with stride 1<<62 − 16", Dense{Rows: 5, Cols: 64, Stride: wrapLd, Data: short}},
		{"rows·stride wraps to 0, +1", Dense{Rows: halfInt + 1, Cols: 1, Stride: halfInt, Data: short}},
		{"huge columns", Dense{Rows: 2, Cols: math.MaxInt, Stride: math.MaxInt, Data: short}},
		{"huge rows", Dense{Rows: math.MaxInt, Cols: 2, Stride: 2, Data: short}},
		{"huge stride", Dense{Rows: 3, Cols: 1, Stride: math.MaxInt, Data: short}},
		{"huge stride, no columns", Dense{Rows: 11, Cols: 0, Stride: quarterInt}},
	} {
		wantErr(t, tc.d.Check("Op", "X"), "linalg: Op: X is ", "overflows int")
		_, err := FromStrided(tc.d.Rows, tc.d.Cols, tc.d.Stride, tc.d.Data)
		wantErr(t, err, "linalg: FromStrided: data is ", "overflows int")
		// The operations check before any kernel runs: with the wrapped
		// size, the AVX2 kernels read before X.Data and wrote before Y.Data.
		W, _ := New(1, tc.d.Cols%1024)
		Y, _ := New(1, 1)
		wantErr(t, MatMulBias(Y, tc.d, W, nil), "linalg: MatMulBias: X is ", "overflows int")
		wantErr(t, MatMulBias(tc.d, W, W, nil), "linalg: MatMulBias: Y is ", "overflows int")
		_, err = SqErrSum(tc.d, tc.d)
		wantErr(t, err, "linalg: SqErrSum: P is ", "overflows int")
		wantErr(t, ColSums(nil, 1, tc.d, 0), "linalg: ColSums: R is ", "overflows int")
		wantErr(t, Copy(tc.d, tc.d), "linalg: Copy: dst is ", "overflows int")
		wantErr(t, Standardize(Y, tc.d, nil, nil), "linalg: Standardize: X is ", "overflows int")
		wantErr(t, Standardize(tc.d, Y, nil, nil), "linalg: Standardize: D is ", "overflows int")
	}
}

func TestSizeLimits(t *testing.T) {
	for _, tc := range []struct {
		rows, cols int
		want       []string
	}{
		{halfInt, halfInt, []string{"linalg: New: ", "more than 268435456 elements", "MaxElements"}},
		{math.MaxInt, 2, []string{"more than"}},
		{1 << 14, 1<<14 + 1, []string{"16384×16385 is more than"}},
		{-1, 2, []string{"negative"}},
		{2, math.MinInt, []string{"negative"}},
	} {
		d, err := New(tc.rows, tc.cols)
		wantErr(t, err, tc.want...)
		if d.Data != nil || d.Rows != 0 {
			t.Errorf("New(%d, %d) returned %d rows and %d elements with its error", tc.rows, tc.cols, d.Rows, len(d.Data))
		}
	}
	_, err := FromSlice(halfInt, halfInt, nil)
	wantErr(t, err, "linalg: FromSlice: 0 elements", "overflows int")
	_, err = FromSlice(math.MaxInt, 3, make([]float32, 6))
	wantErr(t, err, "overflows int")
	// FromRows copies: 1024 rows that share one row of 2^19 elements are
	// 2^29 elements to allocate, over the limit, refused before allocating.
	row := make([]float32, 1<<19)
	rows := make([][]float32, 1<<10)
	for i := range rows {
		rows[i] = row
	}
	_, err = FromRows(rows)
	wantErr(t, err, "linalg: FromRows: 1024 rows of 524288 columns are more than 268435456 elements")
}

// TestViewsOverflow: a Dense whose fields were set by hand to a stride so
// large that a row's offset wraps round to a valid one: the views panic
// rather than return another row's elements.
func TestViewsOverflow(t *testing.T) {
	d := Dense{Rows: 5, Cols: 64, Stride: quarterInt, Data: make([]float32, 320)}
	for _, tc := range []struct {
		what string
		f    func()
		want string
	}{
		{"Row(4)", func() { d.Row(4) }, "linalg: row 4 out of range"},
		{"At(4, 0)", func() { d.At(4, 0) }, "linalg: index (4, 0) out of range"},
		{"Set(4, 0)", func() { d.Set(4, 0, 1) }, "linalg: index (4, 0) out of range"},
		{"Slice(4, 5)", func() { d.Slice(4, 5) }, "linalg: rows [4, 5) of 64 columns"},
		{"Slice(0, 5)", func() { d.Slice(0, 5) }, "linalg: rows [0, 5) of 64 columns"},
		{"Row(1) of a negative stride", func() { Dense{Rows: 2, Cols: 1, Stride: -1, Data: make([]float32, 4)}.Row(1) }, "linalg: row 1 out of range"},
	} {
		msg, panicked := panicOf(tc.f)
		if !panicked || !strings.HasPrefix(msg, tc.want) {
			t.Errorf("%s: panicked %v with %q, want %q", tc.what, panicked, msg, tc.want)
		}
	}
}

func panicOf(f func()) (msg string, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			msg, panicked = fmt.Sprint(r), true
		}
	}()
	f()
	return "", false
}

// extentBig is (rows−1)·stride + cols in exact integers: the reference for
// Check.
func extentBig(rows, cols, stride int) *big.Int {
	e := big.NewInt(int64(rows - 1))
	e.Mul(e, big.NewInt(int64(stride)))
	return e.Add(e, big.NewInt(int64(cols)))
}

// FuzzDense: for any shape, stride and length (hostile ones included), Check
// and FromStrided accept exactly the matrices whose every row lies within
// Data, computed in exact integers; FromSlice and New agree with the exact
// product; and every view of an accepted matrix lies within Data.
func FuzzDense(f *testing.F) {
	for _, s := range [][4]int64{
		{5, 64, 1<<62 - 16, 320}, {1<<32 + 1, 1, 1 << 32, 1}, {2, math.MaxInt64, math.MaxInt64, 9},
		{math.MaxInt64, 2, 2, 7}, {3, 4, 5, 14}, {3, 4, 5, 13}, {0, 5, 5, 0}, {7, 0, 1, 0},
		{-1, 3, 3, 0}, {2, -3, 3, 6}, {2, 3, 2, 6}, {2, 3, -9, 6}, {1, 3, math.MaxInt64, 3},
		{1 << 31, 1 << 31, 1 << 31, 0}, {1 << 62, 4, 4, 0}, {11, 0, 1 << 62, 0}, {3, 0, math.MaxInt64 / 2, 0},
	} {
		f.Add(s[0], s[1], s[2], uint16(s[3]))
	}
	f.Fuzz(func(t *testing.T, r64, c64, s64 int64, n uint16) {
		// On 32-bit platforms the conversions truncate: other hostile values.
		rows, cols, stride := int(r64), int(c64), int(s64)
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(i)
		}
		d := Dense{Rows: rows, Cols: cols, Stride: stride, Data: data}
		// With no columns the extent must still fit in an int, so that every
		// row's offset can be computed.
		limit := big.NewInt(int64(n))
		if cols == 0 {
			limit = big.NewInt(math.MaxInt)
		}
		valid := rows >= 0 && cols >= 0 && stride >= max(cols, 1) &&
			(rows == 0 || extentBig(rows, cols, stride).Cmp(limit) <= 0)
		err := d.Check("Fuzz", "d")
		if (err == nil) != valid {
			t.Fatalf("%d×%d stride %d in %d elements: Check says %v, want valid = %v", rows, cols, stride, n, err, valid)
		}
		if _, err2 := FromStrided(rows, cols, stride, data); (err2 == nil) != valid {
			t.Fatalf("FromStrided disagrees with Check: %v, %v", err2, err)
		}
		fuzzFromSliceNew(t, rows, cols, data)
		if valid && cols > 0 {
			fuzzViews(t, d)
		}
	})
}

func fuzzFromSliceNew(t *testing.T, rows, cols int, data []float32) {
	size := new(big.Int).Mul(big.NewInt(int64(rows)), big.NewInt(int64(cols)))
	nonNeg := rows >= 0 && cols >= 0
	_, err := FromSlice(rows, cols, data)
	if want := nonNeg && size.Cmp(big.NewInt(int64(len(data)))) == 0; (err == nil) != want {
		t.Fatalf("FromSlice(%d, %d, %d elements): %v, want success = %v", rows, cols, len(data), err, want)
	}
	fits := nonNeg && size.Cmp(big.NewInt(MaxElements)) <= 0
	if fits && size.Cmp(big.NewInt(1<<16)) > 0 {
		return // legal but too large to allocate in a fuzz run
	}
	m, err := New(rows, cols)
	if (err == nil) != fits || (err == nil && len(m.Data) != rows*cols) {
		t.Fatalf("New(%d, %d): %d elements, %v; want success = %v", rows, cols, len(m.Data), err, fits)
	}
}

// fuzzViews checks the first and last rows, a slice and an operation on a
// valid matrix with at least one column.
func fuzzViews(t *testing.T, d Dense) {
	for _, i := range []int{0, d.Rows - 1} {
		if d.Rows == 0 {
			break
		}
		r := d.Row(i)
		if want := float32(i*d.Stride + d.Cols - 1); r[len(r)-1] != want || d.At(i, d.Cols-1) != want {
			t.Fatalf("row %d ends with %v, At gives %v, want %v", i, r[len(r)-1], d.At(i, d.Cols-1), want)
		}
	}
	if d.Rows > 0 {
		s := d.Slice(d.Rows-1, d.Rows)
		if s.Row(0)[0] != d.At(d.Rows-1, 0) {
			t.Fatalf("Slice(%d, %d) starts with %v, want %v", d.Rows-1, d.Rows, s.Row(0)[0], d.At(d.Rows-1, 0))
		}
	}
	if d.Cols > 1<<16 {
		return // no rows (any more columns need more Data): nothing to compute with
	}
	W, _ := New(1, d.Cols)
	Y, _ := New(d.Rows, 1)
	if err := MatMulBias(Y, d, W, nil); err != nil {
		t.Fatalf("MatMulBias on a valid %d×%d matrix: %v", d.Rows, d.Cols, err)
	}
	if err := ColSums(make([]float32, d.Cols), 1, d, 0); err != nil {
		t.Fatalf("ColSums on a valid %d×%d matrix: %v", d.Rows, d.Cols, err)
	}
}
