package regress

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/edgefit/edgefit/linalg"
)

// padded copies the contiguous rows of X into a matrix of row stride
// X.Cols+pad whose gaps hold NaN, so that reading one shows.
func padded(X linalg.Dense, pad int) linalg.Dense {
	ld := X.Cols + pad
	P := linalg.Dense{Rows: X.Rows, Cols: X.Cols, Stride: ld, Data: make([]float32, X.Rows*ld)}
	for i := range P.Data {
		P.Data[i] = float32(math.NaN())
	}
	for i := 0; i < X.Rows; i++ {
		copy(P.Row(i), X.Row(i))
	}
	return P
}

// The row APIs that take a linalg.Dense honour its stride: strided rows give
// what the same rows contiguous give, and the gaps are neither read nor
// written.
func TestDenseRowsStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 2))
	const m, k, n = 70, 3, 2 // more rows than one QR block
	X, Y := randDense(rng, m, k, k), randDense(rng, m, n, n)
	Xs, Ys := padded(X, 2), padded(Y, 1)

	w, ws := must(NewWelford(k)), must(NewWelford(k))
	if err := w.AddRows(X); err != nil {
		t.Fatal(err)
	}
	if err := ws.AddRows(Xs); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w, ws) {
		t.Errorf("Welford over strided rows: %+v, contiguous: %+v", ws, w)
	}

	std := w.Standardizer()
	D, Ds := must(linalg.New(m, k)), padded(must(linalg.New(m, k)), 3)
	if err := std.applyChecked(D, X); err != nil {
		t.Fatal(err)
	}
	if err := std.applyChecked(Ds, Xs); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < m; i++ {
		if !reflect.DeepEqual(D.Row(i), Ds.Row(i)) {
			t.Fatalf("standardised row %d: strided %v, contiguous %v", i, Ds.Row(i), D.Row(i))
		}
		for _, v := range Ds.Data[i*Ds.Stride+k : min((i+1)*Ds.Stride, len(Ds.Data))] {
			if v == v {
				t.Fatalf("Apply wrote %v into the gap after row %d", v, i)
			}
		}
	}
	if err := std.applyChecked(D.Slice(0, m-1), X); err == nil {
		t.Error("Apply into fewer rows than the inputs: no error")
	}

	a, as := must(NewQR(k, n, true)), must(NewQR(k, n, true))
	if err := a.AddRows32(X, Y); err != nil {
		t.Fatal(err)
	}
	if err := as.AddRows32(Xs, Ys); err != nil {
		t.Fatal(err)
	}
	sol, sols := must(a.Solve(0)), must(as.Solve(0))
	if !reflect.DeepEqual(sol, sols) {
		t.Errorf("QR over strided rows: %+v, contiguous: %+v", sols, sol)
	}
	if err := a.AddRows32(X, Y.Slice(0, m-1)); err == nil {
		t.Error("AddRows32 with fewer target rows than input rows: no error")
	}
	if err := a.AddRows32(Y, X); err == nil {
		t.Error("AddRows32 with inputs and targets swapped: no error")
	}
}
