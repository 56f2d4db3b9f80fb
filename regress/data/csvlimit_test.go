package data

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// streamReader yields prefix, then pattern repeated up to n bytes in all,
// without holding them, and counts the bytes read from it.
type streamReader struct {
	prefix, pattern string
	n, read         int64
}

func (s *streamReader) Read(p []byte) (int, error) {
	if s.read >= s.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), s.n-s.read)]
	for i := range p {
		if off := s.read + int64(i); off < int64(len(s.prefix)) {
			p[i] = s.prefix[off]
		} else {
			p[i] = s.pattern[(off-int64(len(s.prefix)))%int64(len(s.pattern))]
		}
	}
	s.read += int64(len(p))
	return len(p), nil
}

// A row without end (no line break, or a quote never closed) is an error at
// MaxCSVRow bytes, having read little more than that, instead of memory
// without bound.
func TestCSVRowLimit(t *testing.T) {
	for _, tc := range []struct {
		name            string
		prefix, pattern string
		line            int
		want            string
	}{
		{"digits", "", "1", 1, "d.csv:1: a row longer than 1 MiB, the limit: no line break in it"},
		{"zeros", "", "\x00", 1, "d.csv:1: a row longer than 1 MiB"},
		{"header then digits", "a,y\n1,2\n", "7", 3, "d.csv:3: a row longer than 1 MiB"},
		{"open quote", "a,y\n1,\"", "x\n", 2, "d.csv:2: a row longer than 1 MiB, the limit, on lines 2 to"},
	} {
		src := &streamReader{prefix: tc.prefix, pattern: tc.pattern, n: 200 << 20}
		_, err := ReadTable(src, "d.csv", []string{"y"}, nil, 0)
		var ce *CSVError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCSVLimit) || ce.File != "d.csv" || ce.Line != tc.line || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want a *CSVError at line %d matching ErrCSVLimit, starting %q", tc.name, err, tc.line, tc.want)
		}
		if src.read > 2*MaxCSVRow {
			t.Errorf("%s: read %d bytes before failing, want at most %d", tc.name, src.read, 2*MaxCSVRow)
		}
	}
	// Rows just under the limit are fine, in one line or spread over the
	// lines of a quoted field.
	long := "1." + strings.Repeat("0", MaxCSVField-2)
	quoted := "\"" + strings.Repeat("x\n", 1000) + "\""
	data := "a,b,y\n" + long + "," + quoted + ",3\n"
	tab, err := ReadTable(strings.NewReader(data), "d.csv", []string{"y"}, []string{"a"}, 0)
	if err != nil || tab.X.Rows != 1 || tab.X.Data[0] != 1 || tab.Y.Data[0] != 3 {
		t.Errorf("long row: %v", err)
	}
}

func TestCSVFieldAndColumnLimits(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       string
	}{
		{"field", "a,y\n1," + strings.Repeat("2", MaxCSVField+1) + "\n", "d.csv:2:3: a field of 65537 bytes, over the limit of 64 KiB"},
		{"header name", "a," + strings.Repeat("y", MaxCSVField+1) + "\n1,2\n", "d.csv:1:3: a field of 65537 bytes"},
		{"columns", strings.Repeat("c,", MaxCSVColumns) + "y\n", "d.csv:1: 65537 fields, over the limit of 65536"},
	} {
		_, err := ReadTable(strings.NewReader(tc.data), "d.csv", []string{"y"}, nil, 0)
		if !errors.Is(err, ErrCSVLimit) || !strings.HasPrefix(err.Error(), tc.want) || len(err.Error()) > 300 {
			t.Errorf("%s: error %v, want ErrCSVLimit and %q, at most 300 bytes", tc.name, err, tc.want)
		}
	}
}

// Line endings: LF, CRLF and CR alone (old Mac files, which read as one
// line before) all give the same rows; CRs inside quotes are kept.
func TestCSVLineEndings(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n", "\r"} {
		data := "a,b,y" + eol + "1,2,3" + eol + "# a comment \"with a quote" + eol + eol + "4,5,6" + eol
		tab, err := ReadTable(strings.NewReader(data), "d.csv", []string{"y"}, nil, 0)
		if err != nil {
			t.Errorf("%q: %v", eol, err)
			continue
		}
		if tab.X.Rows != 2 || tab.X.Data[2] != 4 || tab.Y.Data[1] != 6 {
			t.Errorf("%q: %d rows, X %v, Y %v", eol, tab.X.Rows, tab.X.Data, tab.Y.Data)
		}
		// Line numbers count every line break.
		_, err = ReadTable(strings.NewReader(data+"7,x,9"+eol), "d.csv", []string{"y"}, nil, 0)
		if err == nil || !strings.HasPrefix(err.Error(), `d.csv:6:3: column "b": "x" is not a number`) {
			t.Errorf("%q: error %v, want it at 6:3", eol, err)
		}
	}
	cr, err := NewCSVReader(strings.NewReader("\"a\rb\",y\r1,2\r"), "d.csv", []string{"y"}, nil)
	if err != nil {
		t.Fatalf("CR in a quoted name: %v", err)
	}
	if h := cr.Columns().Header; h[0] != "a\rb" {
		t.Errorf("CR in a quoted name: header %q", h)
	}
}

// A byte-order mark may come before a quoted header, as R and pandas write
// it; the columns of line 1 count its bytes.
func TestCSVByteOrderMark(t *testing.T) {
	tab, err := ReadTable(strings.NewReader("\ufeff\"a\",\"y\"\n1,2\n"), "d.csv", []string{"y"}, nil, 0)
	if err != nil || tab.X.Data[0] != 1 || tab.Y.Data[0] != 2 {
		t.Fatalf("BOM and quoted header: %v", err)
	}
	_, err = ReadTable(strings.NewReader("\ufeffa,\xff\n1,2\n"), "d.csv", []string{"y"}, nil, 0)
	var ce *CSVError
	if !errors.As(err, &ce) || ce.Line != 1 || ce.Column != 6 {
		t.Errorf("error %v, want it at 1:6", err)
	}
}

// Header names are valid UTF-8, or a clear error at read time (they were
// mangled when saved in a model).
func TestCSVHeaderNotUTF8(t *testing.T) {
	_, err := ReadTable(strings.NewReader("a,\xff\xfe,y\n1,2,3\n"), "d.csv", []string{"y"}, nil, 0)
	want := `d.csv:1:3: header column 2: the name "\xff\xfe" is not valid UTF-8`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// Errors quote at most about 60 characters of a value or a name.
func TestCSVErrorsClipValues(t *testing.T) {
	big := strings.Repeat("x", 50000)
	for _, data := range []string{
		"a,y\n" + big + ",1\n",
		"a,a,y\n", // a name given twice
		big + ",a," + big + ",y\n1,2,3,4\n",
	} {
		_, err := ReadTable(strings.NewReader(data), "d.csv", []string{"y", "zz" + big}, nil, 0)
		if err == nil || len(err.Error()) > 300 {
			t.Errorf("error of %d bytes: %.300v", len(err.Error()), err)
		}
	}
	_, err := ReadTable(strings.NewReader("a,y\n"+big+",1\n"), "d.csv", []string{"y"}, nil, 0)
	if err == nil || !strings.Contains(err.Error(), `"… (50000 bytes) is not a number`) {
		t.Errorf("error %v", err)
	}
}

// ParseNumber reads decimal numbers only: not hexadecimal, not NaN or Inf,
// not digit separators.
func TestParseNumber(t *testing.T) {
	for s, want := range map[string]float32{
		"42": 42, "-1.5": -1.5, " +.5 ": 0.5, "5.": 5, "6.02e23": 6.02e23, "1E-3": 1e-3, "-0": 0, "1e-50": 0,
	} {
		if v, err := ParseNumber(s); err != nil || v != want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", s, v, err, want)
		}
	}
	for s, want := range map[string]string{
		"0x10": "is not a number", "0x1p3": "is not a number", "1_000": "is not a number", "1e": "is not a number",
		"e5": "is not a number", ".": "is not a number", "-": "is not a number", "1.2.3": "is not a number",
		"NaN": "is not a finite number", "-inf": "is not a finite number", "+Infinity": "is not a finite number",
		"": "is empty", "1e39": "is out of float32 range",
	} {
		if _, err := ParseNumber(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseNumber(%q): error %v, want %q", s, err, want)
		}
	}
}

// The first row is data when every field is a number or empty, and a
// header otherwise, whatever its first field.
func TestCSVInputReader(t *testing.T) {
	names := []string{"a", "b"}
	read := func(data string, inputs []string) ([]float32, error) {
		cr, err := NewCSVInputReader(strings.NewReader(data), "d.csv", 2, inputs)
		if err != nil {
			return nil, err
		}
		var out []float32
		x := make([]float32, 2)
		for {
			err := cr.Next(x, nil)
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return out, err
			}
			out = append(out, x...)
		}
	}
	for _, tc := range []struct {
		data   string
		inputs []string
		want   string // the values read, or the error
	}{
		{"1,2\n3,4\n", names, "[1 2 3 4]"},
		{"1,2\n3,4\n", nil, "[1 2 3 4]"},
		{"5,b,a\n0,1,2\n", names, "[2 1]"},
		{"\ufeff\"b\",\"a\"\n1,2\n", names, "[2 1]"},
		{"1,2,3\n", names, "d.csv:1: 3 values, want 2 inputs"},
		{"1,,\n", names, "d.csv:1: 3 values, want 2 inputs"},
		{"b,c\n1,2\n", names, `d.csv:1: the header has no column "a", an input (inputs: a, b)`},
		{"a,b,a\n1,2,3\n", names, `d.csv:1: header names column "a" twice (columns 1 and 3)`},
		{"a,b\n1,2\n", nil, "d.csv:1: a header row, but the inputs have no names"},
		{"a,b\n1,0x1\n", names, `d.csv:2:3: column "b": "0x1" is not a number`},
		{"1,2\n3,nan\n", nil, `d.csv:2:3: value 2: "nan" is not a finite number`},
		{"", names, "d.csv: empty file"},
	} {
		got, err := read(tc.data, tc.inputs)
		if err != nil {
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("%q: error %v, want %q", tc.data, err, tc.want)
			}
			continue
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%q: read %v, want %s", tc.data, got, tc.want)
		}
	}
}

// FuzzRowLimiter: the limiter's output does not depend on how the input is
// split into reads, and without CR or a byte-order mark it is the input.
func FuzzRowLimiter(f *testing.F) {
	f.Add("a,y\r\n1,2\r3,4\n\"x\r\ny\",5\r")
	f.Add("\ufeff#\"\n\"a\",b\n")
	f.Fuzz(func(t *testing.T, data string) {
		whole, err1 := io.ReadAll(newRowLimiter(strings.NewReader(data), "f"))
		bytewise, err2 := io.ReadAll(newRowLimiter(iotest.OneByteReader(strings.NewReader(data)), "f"))
		if string(whole) != string(bytewise) || (err1 == nil) != (err2 == nil) {
			t.Fatalf("read at once %q (%v), a byte at a time %q (%v)", whole, err1, bytewise, err2)
		}
		if !strings.ContainsRune(data, '\r') && !strings.HasPrefix(data, "\ufeff") && string(whole) != data {
			t.Fatalf("%q became %q", data, whole)
		}
	})
}

// A row of many fields is refused at the cost of a row of as many bytes
// and MaxCSVColumns+1 fields: the scanner keeps the first MaxCSVColumns+1
// fields' bookkeeping (40 bytes a field, which can be 2 bytes long) and only
// counts the others.
func TestManyFieldsMemory(t *testing.T) {
	n := MaxCSVRow/2 - 2
	many := "a" + strings.Repeat(",a", n)
	limit := "a" + strings.Repeat(",a", MaxCSVColumns)
	limit += strings.Repeat("a", len(many)-len(limit))
	cost := func(row string, fields int) float64 {
		b := []byte(row + "\n1\n")
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := NewCSVInputReader(bytes.NewReader(b), "d.csv", 3, nil)
		runtime.ReadMemStats(&after)
		if want := fmt.Sprintf("d.csv:1: %d fields, over the limit of %d", fields, MaxCSVColumns); err == nil || err.Error() != want {
			t.Fatalf("got %v, want %s", err, want)
		}
		return float64(after.TotalAlloc - before.TotalAlloc)
	}
	if a, b := cost(many, n+1), cost(limit, MaxCSVColumns+1); a > 1.5*b {
		t.Errorf("a row of %d fields costs %.0f bytes, %.1f times one of as many bytes and %d fields", n+1, a, a/b, MaxCSVColumns+1)
	}
}
