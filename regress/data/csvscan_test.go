package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// scanned is what a reader made of a CSV stream: every record's fields and
// their positions, then the error that ended it.
type scanned struct {
	records [][]string
	pos     [][]position
	err     string
	vals    map[string]float64 // csvScanner's: a field's number, if it read one
}

// scanReference reads data with encoding/csv as the readers did before
// csvScanner: behind a rowLimiter, leading spaces trimmed, # comments.
func scanReference(data string) scanned {
	r := csv.NewReader(newRowLimiter(strings.NewReader(data), "f"))
	r.TrimLeadingSpace = true
	r.Comment = '#'
	var s scanned
	for {
		rec, err := r.Read()
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			s.err = describe(err)
			return s
		}
		var pos []position
		for j := range rec {
			line, col := r.FieldPos(j)
			pos = append(pos, position{line, col})
		}
		s.records, s.pos = append(s.records, rec), append(s.pos, pos)
		if err != nil {
			s.err = describe(err)
			return s
		}
	}
}

// scanNew reads data with csvScanner, the source read a byte at a time if
// bytewise.
func scanNew(data string, bytewise bool) scanned {
	var src io.Reader = strings.NewReader(data)
	if bytewise {
		src = iotest.OneByteReader(src)
	}
	sc := newCSVScanner(newRowLimiter(src, "f"))
	s := scanned{vals: map[string]float64{}}
	for {
		err := sc.nextRecord()
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			s.err = describe(err)
			return s
		}
		var rec []string
		for j, f := range sc.record() {
			rec = append(rec, string(f))
			if v := sc.vals[j]; !math.IsNaN(v) {
				s.vals[string(f)] = v
			}
		}
		s.records = append(s.records, rec)
		s.pos = append(s.pos, append([]position(nil), sc.pos...))
		if err != nil {
			s.err = describe(err)
			return s
		}
	}
}

func describe(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("parse error %d %d:%d %v", pe.StartLine, pe.Line, pe.Column, pe.Err)
	}
	return err.Error()
}

func (s scanned) String() string {
	return fmt.Sprintf("%q %v (%s)", s.records, s.pos, s.err)
}

// FuzzCSVScanner: csvScanner makes of any input what encoding/csv does
// behind a rowLimiter, the same records, positions and errors, however the
// input is split into reads; and every field parses to the same number, or
// the same error, as ParseNumber gives for it.
func FuzzCSVScanner(f *testing.F) {
	f.Add("a,y\n1,2\n")
	f.Add(" a , \"b\"\"c\",d\r\n#x\"\n\n\"q\nr\"\"\",2\r\n1,\"2\"x\n")
	f.Add("a,b\n1,2,3\n\"open")
	f.Add("\ufeff\"a\",\"y\"\r1,2\r# \"\r\r\n3,4")
	f.Add("a,b\"c\n\u3000\u00a0x,\"\n\"\r\n")
	f.Add("x\n-0,1e-45,3.4028236e38,0.1e-400,12345678901234567890,.5,5.,+.5E+3, 7 ,\t\n")
	f.Fuzz(func(t *testing.T, data string) {
		want := scanReference(data)
		for _, bytewise := range []bool{false, true} {
			got := scanNew(data, bytewise)
			if got.String() != want.String() {
				t.Fatalf("bytewise %v:\nscanner  %v\nencoding/csv %v", bytewise, got, want)
			}
			for field, v := range got.vals {
				checkSameNumber(t, field)
				w, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
				if _, err32 := ParseNumber(field); err != nil || math.Float64bits(v) != math.Float64bits(w) || err32 != nil && !strings.Contains(err32.Error(), "range") {
					t.Fatalf("field %q: the scanner read %v, strconv %v (%v), ParseNumber's error %v", field, v, w, err, err32)
				}
				if v64, ok := float64Of(v); ok {
					if w64, _ := ParseNumber64(field); math.Float64bits(v64) != math.Float64bits(w64) {
						t.Fatalf("field %q: float64 %v from the scanner's value, %v from ParseNumber64", field, v64, w64)
					}
				}
				if v32, ok := float32Of(v); ok {
					if w32, _ := ParseNumber(field); math.Float32bits(v32) != math.Float32bits(w32) {
						t.Fatalf("field %q: float32 %v from the scanner's value, %v from ParseNumber", field, v32, w32)
					}
				}
			}
		}
		for _, rec := range want.records {
			for _, field := range rec {
				checkSameNumber(t, field)
			}
		}
	})
}

// checkSameNumber checks that parseNumber32 and parseNumber64 give
// ParseNumber's and ParseNumber64's answers for s, bit for bit, and
// decimal64 strconv's whenever it gives one.
func checkSameNumber(t *testing.T, s string) {
	t.Helper()
	got, gerr := parseNumber32([]byte(s))
	want, werr := ParseNumber(s)
	if math.Float32bits(got) != math.Float32bits(want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("%q: parseNumber32 %v (%v), ParseNumber %v (%v)", s, got, gerr, want, werr)
	}
	got64, gerr := parseNumber64([]byte(s))
	want64, werr64 := ParseNumber64(s)
	if math.Float64bits(got64) != math.Float64bits(want64) || fmt.Sprint(gerr) != fmt.Sprint(werr64) {
		t.Fatalf("%q: parseNumber64 %v (%v), ParseNumber64 %v (%v)", s, got64, gerr, want64, werr64)
	}
	if d, ok := decimal64([]byte(s)); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.Float64bits(d) != math.Float64bits(v) || werr != nil && !strings.Contains(werr.Error(), "out of float32 range") {
			t.Fatalf("%q: decimal64 %v, strconv %v (%v), ParseNumber's error %v", s, d, v, err, werr)
		}
	}
}

// FuzzParseNumberBytes: parsing a field in place gives ParseNumber's and
// ParseNumber64's values or errors.
func FuzzParseNumberBytes(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", " 42 ", "1e38", "3.4028235e38", "3.4028236e38", "1.17549435e-38", "1e-45",
		"16777217", "0.30000001192092896", "9007199254740993", "1.0000000000000000000001", "+.5", "5.", ".", "e3", "1e", "0x10", "nan", "1_0", "\u00a01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSameNumber(t, s) })
}

// Numbers halfway between two float32 values in float64, and those on
// either side of them, round as strconv rounds them.
func TestParseNumberMidpoints(t *testing.T) {
	for _, s := range []string{
		"16777217", "16777219", "16777216.5", "16777217.000001", "16777216.999999",
		"0.1", "0.2", "0.3", "1e22", "1e-22", "3.4028235e38", "3.40282356e38",
		"33554434", "33554435", "33554436", "1.00000005960464477539", "1.0000000596046448",
	} {
		checkSameNumber(t, s)
		checkSameNumber(t, "-"+s)
	}
}

// Reading a row allocates nothing.
func TestCSVNextNoAllocs(t *testing.T) {
	data := "a,b,\"c\",y\n" + strings.Repeat("1.5, -2e3,\"7\",3.25\n", 2000)
	cr, err := NewCSVReader(strings.NewReader(data), "d.csv", []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]float32, 3), make([]float32, 1)
	if a := zeroalloc.AllocsPerRun(1000, func() {
		if err := cr.Next(x, y); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("Next allocates %v times per row", a)
	}
	if x[0] != 1.5 || x[1] != -2000 || x[2] != 7 || y[0] != 3.25 {
		t.Errorf("read %v %v", x, y)
	}
}
