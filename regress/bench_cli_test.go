package regress

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/regress/data"
)

// BenchmarkCSVReader measures parsing rows of 16 inputs and 1 target, the
// cost of every streamed pass over a file.
func BenchmarkCSVReader(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,x11,x12,x13,x14,x15,y\n")
	const rows = 10000
	for i := 0; i < rows; i++ {
		for p := 0; p < 17; p++ {
			if p > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "%.3f", float64((i*31+p*17)%2000)/10-100)
		}
		sb.WriteByte('\n')
	}
	text := sb.String()
	X, Y := zeros(1024, 16), zeros(1024, 1)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cr, err := data.NewCSVReader(strings.NewReader(text), "b.csv", []string{"y"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := cr.ReadBatch(X, Y); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPartialFit measures one online update of a 16→1 model.
func BenchmarkPartialFit(b *testing.B) {
	m, _ := NewLinear(16, 1, 1)
	opt, _ := NewSGD(SGDConfig{LR: 1e-3})
	o, _ := NewOnline(m, opt)
	x, y := make([]float32, 16), []float32{1}
	for i := range x {
		x[i] = float32(i) / 16
	}
	b.ReportAllocs()
	b.ResetTimer()
	zeroalloc.Loop(b, func() {
		for range b.N {
			if _, err := o.PartialFit(x, y); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLeastSquaresAdd measures accumulating one row of 16 inputs into
// the normal equations.
func BenchmarkLeastSquaresAdd(b *testing.B) {
	ls := must(newLeastSquares(16, 1))
	x, y := make([]float32, 16), []float32{1}
	for i := range x {
		x[i] = float32(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	zeroalloc.Loop(b, func() {
		for i := range b.N {
			x[i%16]++
			ls.Add(x, y)
		}
	})
}
