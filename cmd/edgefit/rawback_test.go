package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/regress"
)

// rawBack brings standardised rows back to the raw values bit for bit, and
// standardises them exactly as Standardizer.Apply does; with too many
// values to keep whole it gives up (nil), the rows standardised all the same.
func TestRawBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(p int) float32{
		"varied scales":  func(p int) float32 { return float32(math.Pow(10, float64(p%9-4)) * (rng.NormFloat64() + float64(p))) },
		"near zero":      func(p int) float32 { return float32(rng.NormFloat64() * 1e-30) },
		"rounded values": func(p int) float32 { return float32(math.Round(rng.NormFloat64()*1e4) / 1e4) },
		"far from mean":  func(p int) float32 { return float32([]float64{1e-20, 3e7, -2, 0}[rng.IntN(4)]) },
		"huge":           func(p int) float32 { return float32(rng.NormFloat64() * 1e37) },
	}
	for name, gen := range gens {
		const rows, k = 3000, 7
		mem := &table{k: k, n: 1, X: make([]float32, rows*k), Y: make([]float32, rows)}
		w, err := regress.NewWelford(k)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < rows; i++ {
			for p := 0; p < k; p++ {
				mem.X[i*k+p] = gen(p)
			}
			if err := w.Add(mem.X[i*k : (i+1)*k]); err != nil {
				t.Fatal(err)
			}
		}
		std := w.Standardizer()
		raw := append([]float32(nil), mem.X...)
		want := make([]float32, len(raw))
		if err := std.Apply(rowsOf(rows, k, want), rowsOf(rows, k, raw)); err != nil {
			t.Fatal(err)
		}
		back := standardizeInPlace(mem, std)
		for i := range want {
			if math.Float32bits(mem.X[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: value %d standardised to %v, Apply gives %v", name, i, mem.X[i], want[i])
			}
		}
		if back == nil {
			t.Logf("%s: values kept whole past the limit: the file is read again", name)
			continue
		}
		t.Logf("%s: %d values kept whole", name, len(back.whole))
		back.restore(mem, std)
		for i := range raw {
			if math.Float32bits(mem.X[i]) != math.Float32bits(raw[i]) {
				t.Fatalf("%s: value %d back as %v, was %v", name, i, mem.X[i], raw[i])
			}
		}
	}
}

// The final metrics of rows trained on in memory are those of the raw rows,
// as when streamed: whether the standardised rows are brought back (bigCSV)
// or, with inputs that leave too many values to keep whole, the file is read
// again.
func TestInMemoryMetricsAreRaw(t *testing.T) {
	far := filepath.Join(t.TempDir(), "far.csv")
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := 0; i < 2000; i++ {
		a := []string{"1e-20", "30000000", "-2", "0"}[i%4]
		fmt.Fprintf(&b, "%s,%d.5,%d\n", a, i%13, i%7)
	}
	if err := os.WriteFile(far, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bigCSV(t, 3000), far} {
		args := []string{"-data", path, "-y", "y", "-epochs", "3", "-batch", "16", "-shuffle=false", "-chunk-rows", "200"}
		mem := trainJ(t, args...)
		str := trainJ(t, append(args, "-mem-mb", "0")...)
		if mem.Streamed || !str.Streamed || *mem.TrainMSE != *str.TrainMSE || *mem.R2 != *str.R2 || *mem.MAE != *str.MAE {
			t.Errorf("%s: in memory (streamed %v) MSE %v R² %v MAE %v; streamed (%v) %v %v %v", filepath.Base(path),
				mem.Streamed, *mem.TrainMSE, *mem.R2, *mem.MAE, str.Streamed, *str.TrainMSE, *str.R2, *str.MAE)
		}
	}
}
