// Command bigcsv writes the CSV file of issue 11's reading target: rows of
// 16 inputs of varied scale and 2 targets, each a linear function of the
// inputs plus noise, every value with 4 decimals. The same flags give the
// same file.
//
//	go run ./bigcsv -rows 1000000 -o /tmp/big.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	rows := flag.Int("rows", 1000000, "data rows")
	out := flag.String("o", "big.csv", "file to write")
	seed := flag.Uint64("seed", 1, "seed of the values")
	flag.Parse()
	if err := write(*out, *rows, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "bigcsv:", err)
		os.Exit(1)
	}
}

const inputs, targets = 16, 2

func write(path string, rows int, seed uint64) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(fh, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 2))
	// Input j has scale 10^(j%4) (1 to 1000) and an offset of a few
	// scales; the targets' weights undo the scale, so that every input
	// matters; the targets are around 12345.5 and 24691.
	var scale, offset [inputs]float64
	var weight [targets][inputs]float64
	for j := range scale {
		scale[j] = math.Pow(10, float64(j%4))
		offset[j] = scale[j] * float64(j%3)
		for t := range weight {
			weight[t][j] = (rng.Float64()*2 - 1) / scale[j]
		}
	}
	for j := 0; j < inputs; j++ {
		fmt.Fprintf(w, "x%d,", j+1)
	}
	fmt.Fprintln(w, "y1,y2")
	var x [inputs]float64
	buf := make([]byte, 0, 256)
	for i := 0; i < rows; i++ {
		buf = buf[:0]
		for j := range x {
			x[j] = round4(offset[j] + scale[j]*rng.NormFloat64())
			buf = strconv.AppendFloat(buf, x[j], 'f', 4, 64)
			buf = append(buf, ',')
		}
		for t := range weight {
			y := 12345.5 * float64(t+1)
			for j := range x {
				y += weight[t][j] * x[j]
			}
			y += 0.1 * rng.NormFloat64()
			buf = strconv.AppendFloat(buf, round4(y), 'f', 4, 64)
			if t < targets-1 {
				buf = append(buf, ',')
			}
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			fh.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
