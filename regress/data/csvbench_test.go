package data

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchCSV is a CSV file of rows rows of 16 inputs of scales 1 to 1000 and
// 2 targets, 4 decimals each, as bench/bigcsv writes (issue 11's file).
func benchCSV(rows int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b []byte
	for j := 1; j <= 16; j++ {
		b = append(b, 'x')
		b = strconv.AppendInt(b, int64(j), 10)
		b = append(b, ',')
	}
	b = append(b, "y1,y2\n"...)
	for i := 0; i < rows; i++ {
		for j := 0; j < 18; j++ {
			scale := []float64{1, 10, 100, 1000}[j%4]
			b = strconv.AppendFloat(b, scale*rng.NormFloat64(), 'f', 4, 64)
			b = append(b, ",,,,,,,,,,,,,,,,,\n"[j])
		}
	}
	return b
}

// BenchmarkCSVRead reads rows of 16 inputs and 2 targets in batches of 256
// rows; an op is one row (SetBytes: its bytes), and reading allocates
// nothing per row.
func BenchmarkCSVRead(b *testing.B) {
	const rows = 20000
	data := benchCSV(rows)
	open := func() *CSVReader {
		cr, err := NewCSVReader(bytes.NewReader(data), "b.csv", []string{"y1", "y2"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		return cr
	}
	cr := open()
	X, Y := make([]float32, 256*16), make([]float32, 256*2)
	b.SetBytes(int64(len(data) / rows))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		m, err := cr.ReadBatch(rawDense(min(256, b.N-i), 16, 16, X), rawDense(min(256, b.N-i), 2, 2, Y))
		if err == io.EOF {
			b.StopTimer()
			cr = open()
			b.StartTimer()
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		i += m
	}
}
