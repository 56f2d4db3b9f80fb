package linalg

import (
	"math"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func TestConstructors(t *testing.T) {
	data := []float32{1, 2, 3, 4, 5, 6}
	d, err := FromSlice(2, 3, data)
	if err != nil {
		t.Fatal(err)
	}
	d.Set(1, 2, 60)
	if data[5] != 60 {
		t.Error("FromSlice copied its data: want a view")
	}
	if d.At(1, 0) != 4 || d.Stride != 3 {
		t.Errorf("At(1, 0) = %v, stride %d", d.At(1, 0), d.Stride)
	}
	_, err = FromSlice(2, 4, data)
	wantErr(t, err, "6 elements", "2×4", "want 8")

	rows := [][]float32{{1, 2}, {3, 4}, {5, 6}}
	r, err := FromRows(rows)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != 3 || r.Cols != 2 || r.At(2, 1) != 6 {
		t.Errorf("FromRows gave %+v", r)
	}
	_, err = FromRows([][]float32{{1, 2}, {3}})
	wantErr(t, err, "row 1 has 1 columns", "row 0 has 2")

	s, err := FromStrided(2, 2, 3, data[:5])
	if err != nil {
		t.Fatal(err)
	}
	if s.At(1, 1) != 5 {
		t.Errorf("strided At(1, 1) = %v", s.At(1, 1))
	}
	_, err = FromStrided(2, 2, 1, data)
	wantErr(t, err, "stride 1")
	_, err = FromStrided(3, 2, 3, data)
	wantErr(t, err, "holds 6 elements", "want at least 8")
	_, err = New(-1, 2)
	wantErr(t, err, "negative")
}

// Row views and row ranges share storage and allocate nothing.
func TestViewsDoNotAllocate(t *testing.T) {
	d, _ := New(10, 4)
	for i := range d.Data {
		d.Data[i] = float32(i)
	}
	var sink float32
	a := zeroalloc.AllocsPerRun(100, func() {
		s := d.Slice(3, 7)
		r := s.Row(2)
		sink += r[1] + s.At(3, 3)
	})
	if a != 0 {
		t.Errorf("views allocate %v times per run, want 0", a)
	}
	s := d.Slice(3, 7)
	if s.Rows != 4 || s.At(0, 0) != 12 || s.Row(3)[3] != 27 {
		t.Errorf("Slice(3, 7) = %+v", s)
	}
	s.Row(0)[0] = -1
	if d.At(3, 0) != -1 {
		t.Error("Slice copied: want a view")
	}
	if r := d.Row(9); len(r) != 4 || cap(r) != 4 {
		t.Errorf("Row(9) has len %d cap %d, want 4 and 4 (no reaching into the next row)", len(r), cap(r))
	}
	if e := d.Slice(5, 5); e.Rows != 0 {
		t.Errorf("empty slice has %d rows", e.Rows)
	}
	for _, f := range []func(){func() { d.Row(10) }, func() { d.Slice(4, 11) }, func() { d.At(0, 4) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("out-of-range index did not panic")
				}
			}()
			f()
		}()
	}
}

func TestCheckFinite(t *testing.T) {
	d, _ := New(3, 3)
	if err := CheckFinite("x", d); err != nil {
		t.Fatal(err)
	}
	d.Set(2, 1, float32(math.NaN()))
	wantErr(t, CheckFinite("inputs", d), "inputs", "row 2", "column 1", "NaN")
}

// MatMulBias, SqErr, GradW and ColSums against the loops they stand for, on
// strided operands, with every shape mismatch an error.
func TestOps(t *testing.T) {
	const m, n, k = 7, 3, 5
	X := filled(m, k, 8, 1) // stride 8: gaps between rows
	W := filled(n, k, 6, 2)
	b := []float32{0.5, -1, 2}
	Y := filled(m, n, 4, 3)
	gap := Y.Data[3]
	if err := MatMulBias(Y, X, W, b); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(X.At(i, p)) * float64(W.At(j, p))
			}
			s += float64(b[j])
			if math.Abs(float64(Y.At(i, j))-s) > 1e-5*math.Max(1, math.Abs(s)) {
				t.Errorf("Y(%d, %d) = %v, want %v", i, j, Y.At(i, j), s)
			}
		}
	}
	if Y.Data[3] != gap {
		t.Error("MatMulBias wrote into the gap between rows")
	}

	T := filled(m, n, 3, 4)
	R, _ := New(m, n)
	sq, err := SqErr(R, Y, T)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := SqErrSum(Y, T)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			d := Y.At(i, j) - T.At(i, j)
			if R.At(i, j) != d {
				t.Fatalf("R(%d, %d) = %v, want %v", i, j, R.At(i, j), d)
			}
			want += float64(d) * float64(d)
		}
	}
	if math.Abs(float64(sq)-want) > 1e-5*want || sq != sum {
		t.Errorf("SqErr = %v, SqErrSum = %v, want %v", sq, sum, want)
	}

	G := filled(n, k, k, 5)
	if err := GradW(G, 0.5, R, X, 0); err != nil {
		t.Fatal(err)
	}
	g := make([]float32, n)
	if err := ColSums(g, 0.5, R, 0); err != nil {
		t.Fatal(err)
	}
	for j := 0; j < n; j++ {
		var cs float64
		for i := 0; i < m; i++ {
			cs += float64(R.At(i, j))
		}
		if math.Abs(float64(g[j])-0.5*cs) > 1e-4*math.Max(1, math.Abs(cs)) {
			t.Errorf("g[%d] = %v, want %v", j, g[j], 0.5*cs)
		}
		for p := 0; p < k; p++ {
			var s float64
			for i := 0; i < m; i++ {
				s += float64(R.At(i, j)) * float64(X.At(i, p))
			}
			if math.Abs(float64(G.At(j, p))-0.5*s) > 1e-4*math.Max(1, math.Abs(s)) {
				t.Errorf("G(%d, %d) = %v, want %v", j, p, G.At(j, p), 0.5*s)
			}
		}
	}

	wantErr(t, MatMulBias(Y, X.Slice(0, 6), W, b), "MatMulBias", "Y is 7×3, want 6×3")
	wantErr(t, MatMulBias(Y, X, filled(n, 4, 4, 0), b), "X is 7×5 but W is 3×4")
	wantErr(t, MatMulBias(Y, X, W, b[:2]), "b has 2 elements, want 3")
	_, err = SqErr(R, Y, T.Slice(0, 3))
	wantErr(t, err, "SqErr", "7×3", "3×3")
	_, err = SqErrSum(Y, T.Slice(0, 3))
	wantErr(t, err, "SqErrSum")
	wantErr(t, GradW(G, 1, R, X.Slice(0, 2), 0), "GradW", "same number of rows")
	wantErr(t, GradW(filled(n, 2, 2, 0), 1, R, X, 0), "G is 3×2, want 3×5")
	wantErr(t, ColSums(g[:1], 1, R, 0), "g has 1 elements, want 3")
	bad := X
	bad.Data = bad.Data[:10]
	wantErr(t, MatMulBias(Y, bad, W, b), "X holds 10 elements")
}

// filled returns a rows×cols matrix with the given stride holding small
// distinct values (gaps too, so that writes into them show).
func filled(rows, cols, stride int, seed float32) Dense {
	data := make([]float32, (rows-1)*stride+cols)
	for i := range data {
		data[i] = float32(i%13)*0.25 - 1.5 + seed
	}
	d, err := FromStrided(rows, cols, stride, data)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCopy(t *testing.T) {
	src := filled(3, 2, 5, 1)
	dst, _ := New(3, 2)
	if err := Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 2; j++ {
			if dst.At(i, j) != src.At(i, j) {
				t.Fatalf("dst(%d, %d) = %v, want %v", i, j, dst.At(i, j), src.At(i, j))
			}
		}
	}
	wantErr(t, Copy(dst, src.Slice(0, 2)), "Copy", "3×2", "2×2")
}
