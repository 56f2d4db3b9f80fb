package data

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
)

func TestCSVReadsCrops(t *testing.T) {
	f, err := os.Open("../../fixtures/crops.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := ReadTable(f, "crops.csv", []string{"apples", "oranges"}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	X, Y := cropXY()
	if tab.X.Rows != 15 || tab.X.Cols != 3 || tab.Y.Cols != 2 {
		t.Fatalf("table %d×(%d+%d), want 15×(3+2)", tab.X.Rows, tab.X.Cols, tab.Y.Cols)
	}
	for i := range X {
		if tab.X.Data[i] != X[i] {
			t.Fatalf("X[%d] = %v, want %v", i, tab.X.Data[i], X[i])
		}
	}
	for i := range Y {
		if tab.Y.Data[i] != Y[i] {
			t.Fatalf("Y[%d] = %v, want %v", i, tab.Y.Data[i], Y[i])
		}
	}
	if got := strings.Join(tab.Cols.XNames(), ","); got != "temp,rainfall,humidity" {
		t.Errorf("inputs %s", got)
	}
}

func TestCSVColumnSelection(t *testing.T) {
	const data = "id, a ,b,c,y\n1,2,3,4,5\n"
	tab, err := ReadTable(strings.NewReader(data), "d.csv", []string{"y"}, []string{"c", "a"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tab.X.Data[0] != 4 || tab.X.Data[1] != 2 || tab.Y.Data[0] != 5 {
		t.Errorf("X = %v, Y = %v, want [4 2] [5]", tab.X.Data, tab.Y.Data)
	}
}

func TestCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		y, x       []string
		want       string
	}{
		{"empty", "", []string{"y"}, nil, "d.csv: empty file"},
		{"header only", "a,y\n", []string{"y"}, nil, "no data rows"},
		{"no header", "1,2\n3,4\n", []string{"y"}, nil, "d.csv:1: the first row is numbers"},
		{"missing y", "a,b\n1,2\n", []string{"y"}, nil, `target column "y" is not in the header (columns: a, b)`},
		{"missing x", "a,y\n1,2\n", []string{"y"}, []string{"q"}, `input column "q" is not in the header`},
		{"both", "a,y\n1,2\n", []string{"y"}, []string{"y"}, `"y" is both an input and a target`},
		{"only y", "y\n1\n", []string{"y"}, nil, "no input column"},
		{"dup header", "a,a,y\n1,2,3\n", []string{"y"}, nil, `names column "a" twice`},
		{"non-numeric", "a,b,y\n1,2,3\n4,x5,6\n", []string{"y"}, nil, `d.csv:3:3: column "b": "x5" is not a number`},
		{"empty value", "a,b,y\n1,,3\n", []string{"y"}, nil, `d.csv:2:3: column "b": "" is empty`},
		{"nan", "a,b,y\n1,2,NaN\n", []string{"y"}, nil, `d.csv:2:5: column "y": "NaN" is not a finite number`},
		{"range", "a,b,y\n1,2,1e39\n", []string{"y"}, nil, `"1e39" is out of float32 range`},
		{"ragged", "a,b,y\n1,2,3\n4,5\n", []string{"y"}, nil, "d.csv:3: ragged row"},
		{"quote", "a,b,y\n1,\"2,3\n", []string{"y"}, nil, "d.csv:2:"},
		{"no y", "a,b\n1,2\n", nil, nil, "no target column"},
	} {
		_, err := ReadTable(strings.NewReader(tc.data), "d.csv", tc.y, tc.x, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestCSVTooLarge(t *testing.T) {
	data := "a,y\n" + strings.Repeat("1,2\n", 100)
	if _, err := ReadTable(strings.NewReader(data), "d.csv", []string{"y"}, nil, 8*99); !errors.Is(err, ErrTooLarge) {
		t.Errorf("error %v, want ErrTooLarge", err)
	}
	if _, err := ReadTable(strings.NewReader(data), "d.csv", []string{"y"}, nil, 8*100); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
}

func TestCSVFilePasses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.csv")
	var sb strings.Builder
	sb.WriteString("x,y\n")
	for i := 0; i < 1000; i++ {
		sb.WriteString(strings.Repeat("1", 1+i%3) + ",2\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenCSVFile(path, []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	X, Y := make([]float32, 64), make([]float32, 64)
	for pass := 0; pass < 2; pass++ {
		rows, chunks := 0, 0
		var sum float64
		err := f.Pass(X, Y, func(X, Y linalg.Dense) error {
			rows += X.Rows
			chunks++
			for _, v := range X.Data {
				sum += float64(v)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if rows != 1000 || chunks != 16 || sum != 334*1+333*11+333*111 {
			t.Errorf("pass %d: %d rows in %d chunks, Σx = %v", pass, rows, chunks, sum)
		}
	}
	stop := errors.New("stop")
	if err := f.Pass(X, Y, func(linalg.Dense, linalg.Dense) error { return stop }); err != stop {
		t.Errorf("callback error: got %v", err)
	}
}

func TestCSVNextAllocs(t *testing.T) {
	data := "a,b,y\n" + strings.Repeat("1.5,2,3\n", 200)
	cr, err := NewCSVReader(strings.NewReader(data), "d.csv", []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]float32, 2), make([]float32, 1)
	a := zeroalloc.AllocsPerRun(100, func() {
		if err := cr.Next(x, y); err != nil && err != io.EOF {
			t.Fatal(err)
		}
	})
	// The scanner splits records in one reused buffer and parses in place.
	if a != 0 {
		t.Errorf("Next allocates %v times per row", a)
	}
}

// FuzzCSV: any input gives rows or an error naming the file, never a panic,
// and every value returned is finite.
func FuzzCSV(f *testing.F) {
	f.Add("temp,rainfall,humidity,apples,oranges\n73,67,43,56,70\n91,88,64,81,101\n")
	f.Add("a,y\n1,\"2\"\n")
	f.Add("a,y\n1,2,3\n")
	f.Add("\ufeffa,y\n1e5,-2.5\n#c\n\n3,4\n")
	f.Add("a,y\n1,\"\n")
	f.Add("\ufeff\"a\",\"y\"\r1,2\r# \"\r\r\n3,4")
	f.Fuzz(func(t *testing.T, data string) {
		tab, err := ReadTable(strings.NewReader(data), "f.csv", []string{"y"}, nil, 1<<20)
		if err != nil {
			var ce *CSVError
			if !errors.Is(err, ErrTooLarge) && (!errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "f.csv")) {
				t.Fatalf("error is not a *CSVError naming the file: %v", err)
			}
			if len(err.Error()) > 300 {
				t.Fatalf("error of %d bytes: %.300s", len(err.Error()), err)
			}
			return
		}
		if tab.X.Rows == 0 || len(tab.X.Data) != tab.X.Rows*tab.X.Cols || len(tab.Y.Data) != tab.X.Rows*tab.Y.Cols {
			t.Fatalf("table %d rows, %d+%d values", tab.X.Rows, len(tab.X.Data), len(tab.Y.Data))
		}
		for _, v := range append(tab.X.Data, tab.Y.Data...) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("non-finite value %v", v)
			}
		}
	})
}

// rawDense wraps m rows of k values at row stride ld, unchecked: bad shapes
// reach the function under test.
func rawDense(m, k, ld int, data []float32) linalg.Dense {
	return linalg.Dense{Rows: m, Cols: k, Stride: ld, Data: data}
}

// ReadBatch fills the rows of matrices of any stride, leaving the gaps alone,
// and reads no more rows than they have.
func TestCSVReadBatchStrided(t *testing.T) {
	cr, err := NewCSVReader(strings.NewReader("a,b,y\n1,2,3\n4,5,6\n7,8,9\n"), "d.csv", []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	X := rawDense(2, 2, 3, []float32{-1, -1, -1, -1, -1})
	Y := rawDense(2, 1, 2, []float32{-1, -1, -1})
	m, err := cr.ReadBatch(X, Y)
	if err != nil || m != 2 {
		t.Fatalf("ReadBatch: %d rows, %v; want 2", m, err)
	}
	if want := []float32{1, 2, -1, 4, 5}; !slices.Equal(X.Data, want) {
		t.Errorf("X.Data = %v, want %v", X.Data, want)
	}
	if want := []float32{3, -1, 6}; !slices.Equal(Y.Data, want) {
		t.Errorf("Y.Data = %v, want %v", Y.Data, want)
	}
	if m, err = cr.ReadBatch(X, Y); err != nil || m != 1 || X.Data[0] != 7 || Y.Data[0] != 9 {
		t.Errorf("second ReadBatch: %d rows, %v, X %v, Y %v; want the last row", m, err, X.Data, Y.Data)
	}
	if _, err := cr.ReadBatch(X, Y.Slice(0, 1)); err == nil {
		t.Error("ReadBatch with fewer target rows than input rows: no error")
	}
}
