package data

import (
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// Next64 reads the rows Next reads, each value the nearest float64 to its
// decimal (not the float32 Next gives), and refuses what Next refuses with
// the same error.
func TestNext64(t *testing.T) {
	const text = "a,b,y\n0.1,1e-7,3.0000001\n-2.5,16777217,0.3\n"
	r64, err := NewCSVReader(strings.NewReader(text), "f.csv", []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]float64, 2), make([]float64, 1)
	var got []float64
	for {
		if err := r64.Next64(x, y); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, x[0], x[1], y[0])
	}
	var want []float64
	for _, line := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
		for _, s := range strings.Split(line, ",") {
			v, _ := strconv.ParseFloat(s, 64)
			want = append(want, v)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"a,y\n1,x\n", "a,y\n1,1e39\n", "a,y\n1,NaN\n", "a,y\n1\n"} {
		r32, _ := NewCSVReader(strings.NewReader(bad), "f.csv", []string{"y"}, nil)
		r64, _ := NewCSVReader(strings.NewReader(bad), "f.csv", []string{"y"}, nil)
		e32 := r32.Next(make([]float32, 1), make([]float32, 1))
		e64 := r64.Next64(make([]float64, 1), make([]float64, 1))
		if e32 == nil || e64 == nil || e32.Error() != e64.Error() {
			t.Errorf("%q: Next64 error %v, want Next's %v", bad, e64, e32)
		}
	}
	// The largest decimal that rounds to a finite float32 is finite there too.
	if v, err := ParseNumber64("3.4028235677973366e38"); err != nil || math.IsInf(float64(float32(v)), 0) {
		t.Errorf("ParseNumber64 at float32's edge: %v, %v", v, err)
	}
}
