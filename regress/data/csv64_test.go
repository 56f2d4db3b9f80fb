package data

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/linalg"
)

// TestParseNumber64: the values ParseNumber takes, to the nearest float64,
// and the same errors for the rest; float32 of a value is finite, even on
// float32's overflow boundary.
func TestParseNumber64(t *testing.T) {
	for _, s := range []string{"42", "-1.5", " +.5 ", "5.", "6.02e23", "1E-3", "-0", "1e-50", "0.1",
		"3.14159265358979323846", "16777217", "3.4028234663852886e38", "-1e-320"} {
		v, err := ParseNumber64(s)
		want, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
		v32, err32 := ParseNumber(s)
		if err != nil || v != want || err32 != nil || float32(v) != v32 {
			t.Errorf("ParseNumber64(%q) = %v, %v; want %v (ParseNumber: %v, %v)", s, v, err, want, v32, err32)
		}
	}
	for _, s := range []string{"0x10", "0x1p3", "1_000", "1e", "e5", ".", "-", "1.2.3", "NaN", "-inf", "+Infinity", "", "1e39",
		"-3.4028236e38", "1e400", "340282356779733661637539395458142568449"} {
		_, err := ParseNumber64(s)
		_, err32 := ParseNumber(s)
		if err == nil || err32 == nil || err.Error() != err32.Error() {
			t.Errorf("ParseNumber64(%q): error %v, want ParseNumber's %v", s, err, err32)
		}
	}
	// Just below float32's overflow boundary (MaxFloat32 + half an ulp):
	// float32 takes it, float64 rounds it onto the boundary.
	s := "-340282356779733661637539395458142568447"
	v, err := ParseNumber64(s)
	if err != nil || math.IsInf(float64(float32(v)), 0) || float32(v) != -math.MaxFloat32 {
		t.Errorf("ParseNumber64(%s) = %v (float32 %v), %v; want a value float32 rounds to -MaxFloat32", s, v, float32(v), err)
	}
}

const csv64Data = "\ufeffa, b ,y\r\n# a comment\r\n1, 0.1 ,3\r\n\r\n4.000000001,-2.5e-7,16777217\r\n.5,6.02e23,-0\r\n"

// TestCSVNext64: the same rows as Next, to float64.
func TestCSVNext64(t *testing.T) {
	c32, err := NewCSVReader(strings.NewReader(csv64Data), "d.csv", []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c64, _ := NewCSVReader(strings.NewReader(csv64Data), "d.csv", []string{"y"}, nil)
	want := [][]float64{{1, 0.1, 3}, {4.000000001, -2.5e-7, 16777217}, {0.5, 6.02e23, 0}}
	x32, y32, x64, y64 := make([]float32, 2), make([]float32, 1), make([]float64, 2), make([]float64, 1)
	for i := 0; ; i++ {
		e32, e64 := c32.Next(x32, y32), c64.Next64(x64, y64)
		if e32 == io.EOF && e64 == io.EOF && i == len(want) {
			break
		}
		if e32 != nil || e64 != nil || i >= len(want) {
			t.Fatalf("row %d: %v, %v", i, e32, e64)
		}
		got := append(append([]float64(nil), x64...), y64...)
		for j, w := range want[i] {
			v32 := append(append([]float32(nil), x32...), y32...)[j]
			if got[j] != w || float32(got[j]) != v32 {
				t.Errorf("row %d value %d: %v (float32 %v), want %v", i, j, got[j], v32, w)
			}
		}
		if c64.Line() != c32.Line() {
			t.Errorf("row %d: line %d, Next says %d", i, c64.Line(), c32.Line())
		}
	}
	if err := c64.Next64(make([]float64, 3), y64); err == nil || !strings.Contains(err.Error(), "data: CSVReader.Next64: 3 inputs") {
		t.Errorf("Next64 of 3 inputs: %v", err)
	}
	if _, err := c64.ReadBatch64(2, make([]float64, 3), y64); err == nil || !strings.Contains(err.Error(), "data: CSVReader.ReadBatch64:") {
		t.Errorf("ReadBatch64 with short slices: %v", err)
	}
}

// TestCSVNext64Errors: the same errors as Next, positions included.
func TestCSVNext64Errors(t *testing.T) {
	for _, data := range []string{
		"a,b,y\n1,2,3\n4,x5,6\n", "a,b,y\n1,,3\n", "a,b,y\n1,2,NaN\n", "a,b,y\n1,2,1e39\n",
		"a,b,y\n1,2,3\n4,5\n", "a,b,y\n1,\"2,3\n", "a,b,y\n1," + strings.Repeat("9", MaxCSVField+1) + ",3\n",
	} {
		read := func(wide bool) error {
			cr, err := NewCSVReader(strings.NewReader(data), "d.csv", []string{"y"}, nil)
			if err != nil {
				return err
			}
			for {
				if wide {
					_, err = cr.ReadBatch64(4, make([]float64, 8), make([]float64, 4))
				} else {
					_, err = cr.ReadBatch(rawDense(4, 2, 2, make([]float32, 8)), rawDense(4, 1, 1, make([]float32, 4)))
				}
				if err != nil {
					return err
				}
			}
		}
		e32, e64 := read(false), read(true)
		if e64 == nil || e64 == io.EOF || e32.Error() != e64.Error() {
			t.Errorf("%.40q: ReadBatch64 %v, ReadBatch %v", data, e64, e32)
		}
	}
}

// TestCSVFilePass64: Pass64 hands over the rows Pass does, as float64.
func TestCSVFilePass64(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.csv")
	if err := os.WriteFile(path, []byte(csv64Data), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenCSVFile(path, []string{"y"}, []string{"b", "a"})
	if err != nil {
		t.Fatal(err)
	}
	var v32 []float32
	var v64 []float64
	if err := f.Pass(make([]float32, 4), make([]float32, 2), func(X, Y linalg.Dense) error {
		for i := 0; i < X.Rows; i++ {
			v32 = append(append(v32, X.Row(i)...), Y.Row(i)...)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.Pass64(make([]float64, 4), make([]float64, 2), func(m int, X, Y []float64) error {
		for i := 0; i < m; i++ {
			v64 = append(append(v64, X[2*i:2*i+2]...), Y[i])
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(v32) != 9 || len(v64) != 9 || v64[0] != 0.1 || v64[5] != 16777217 {
		t.Fatalf("Pass %v, Pass64 %v", v32, v64)
	}
	for i := range v32 {
		if float32(v64[i]) != v32[i] {
			t.Errorf("value %d: Pass64 %v, Pass %v", i, v64[i], v32[i])
		}
	}
	if err := f.Pass64(nil, nil, nil); err == nil || !strings.Contains(err.Error(), "data: CSVFile.Pass64:") {
		t.Errorf("Pass64 without buffers: %v", err)
	}
}

// TestParseNumber64DoubleRounding: decimals whose float64 falls exactly
// halfway between two float32 numbers, while they do not, still give
// ParseNumber's float32, within a unit in the last place of the float64.
func TestParseNumber64DoubleRounding(t *testing.T) {
	for _, s := range []string{
		"1.00000005960464478",     // above 1 + 2⁻²⁴: float32 rounds up, float64 lands on it
		"1.00000005960464477",     // above it too, by less
		"-1.00000005960464478",    // negative
		"1.000000178813934326",    // above 1 + 3·2⁻²⁴, whose tie goes up to even
		"1.0000001788139342",      // below it: float32 rounds down
		"1.1754943e-38",           // float32's smallest normal number
		"7.00649232162408535e-46", // just above half the smallest subnormal
	} {
		v, err := ParseNumber64(s)
		want, err32 := ParseNumber(s)
		exact, _ := strconv.ParseFloat(s, 64)
		if err != nil || err32 != nil || float32(v) != want || math.Abs(v-exact) > math.Abs(math.Nextafter(exact, 0)-exact) {
			t.Errorf("ParseNumber64(%s) = %v (float32 %v), %v; want within an ulp of %v and float32 %v", s, v, float32(v), err, exact, want)
		}
	}
	// Exactly halfway: float64 holds it, and the float32 tie goes to even.
	if v, err := ParseNumber64("1.000000059604644775390625"); err != nil || v != 1+0x1p-24 || float32(v) != 1 {
		t.Errorf("ParseNumber64(1 + 2⁻²⁴) = %v, %v", v, err)
	}
}
