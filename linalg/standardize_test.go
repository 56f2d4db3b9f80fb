package linalg

import (
	"math"
	"testing"
)

// TestStandardize: Standardize against the Go expression it stands for, bit
// for bit, on strided operands, in place, without touching the gaps between
// D's rows; every mismatch of shapes or lengths an error that writes nothing.
func TestStandardize(t *testing.T) {
	const m, k = 6, 19
	X := filled(m, k, 23, 1)
	mean, scale := make([]float32, k), make([]float32, k)
	for p := range mean {
		mean[p], scale[p] = float32(p)*0.3-2, 0.7+float32(p%5)*0.9
	}
	D := filled(m, k, 21, 2)
	gap := D.Data[k]
	if err := Standardize(D, X, mean, scale); err != nil {
		t.Fatal(err)
	}
	in := filled(m, k, 23, 1)
	if err := Standardize(in, in, mean, scale); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			want := math.Float32bits((X.At(i, p) - mean[p]) / scale[p])
			if got := math.Float32bits(D.At(i, p)); got != want {
				t.Errorf("D(%d, %d) has bits %#x, want %#x", i, p, got, want)
			}
			if got := math.Float32bits(in.At(i, p)); got != want {
				t.Errorf("in place (%d, %d) has bits %#x, want %#x", i, p, got, want)
			}
		}
	}
	if D.Data[k] != gap {
		t.Error("Standardize wrote into the gap between rows")
	}
	before := append([]float32(nil), D.Data...)
	wantErr(t, Standardize(D.Slice(0, 5), X, mean, scale), "linalg: Standardize: D is 5×19 but X is 6×19")
	wantErr(t, Standardize(D, X, mean[:k-1], scale), "linalg: Standardize: 18 means and 19 scales, want 19")
	wantErr(t, Standardize(D, X, mean, append(scale, 1)), "20 scales, want 19")
	bad := X
	bad.Data = bad.Data[:100]
	wantErr(t, Standardize(D, bad, mean, scale), "linalg: Standardize: X holds 100 elements")
	for i, v := range D.Data {
		if math.Float32bits(v) != math.Float32bits(before[i]) {
			t.Fatalf("a failed Standardize wrote D.Data[%d]", i)
		}
	}
}
