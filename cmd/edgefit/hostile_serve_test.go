//go:build linux

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// The hostile cases of edgefit serve's start (a model that is not a file,
// or not a model; flags out of range) and of edgefit solve on stats whose
// sums overflow float64 when merged.
var serveCases = []hostileCase{
	{name: "serve -model is a FIFO", args: args("serve -model fifo -addr 127.0.0.1:0"), setup: mkfifo("fifo"), want: `^edgefit serve: fifo: not a regular file$`},
	{name: "serve -model is a directory", args: args("serve -model sub -addr 127.0.0.1:0"), setup: mkdir("sub"), want: `^edgefit serve: sub: not a regular file$`},
	{name: "serve -model is truncated", args: args("serve -model t.st -addr 127.0.0.1:0"), setup: truncatedModel("t.st"), want: `^edgefit serve: t\.st: not a valid edgefit model file: .*truncated`},
	{name: "serve -model is a stats file", args: args("serve -model a.stats -addr 127.0.0.1:0"), setup: madeStats("a.stats", "apples"), want: `^edgefit serve: a\.stats: not a valid edgefit model file: __metadata__ has "format": "edgefit-stats"`},
	{name: "serve -max-body 0", args: args("serve -model m.st -max-body 0"), want: `^edgefit serve: -max-body 0: want 1 to 1073741824 bytes$`},
	{name: "serve -max-rows 0", args: args("serve -model m.st -max-rows 0"), want: `^edgefit serve: -max-rows 0: want at least 1$`},
	{name: "serve -addr out of range", args: args("serve -model m.st -addr 127.0.0.1:99999"), want: `^edgefit serve: -addr 127\.0\.0\.1:99999: .*invalid port`},
	{name: "serve with an argument", args: args("serve -model m.st extra"), want: `^edgefit serve: unexpected argument "extra"`},
	{name: "stats whose merged sums overflow", args: args("solve -stats a.stats,b.stats -o m2.st"), setup: both(farStats("a.stats", 1e308), farStats("b.stats", -1e308)), want: `^edgefit solve: b\.stats: QR\.Merge: the merged sums overflow float64 \(rescale the data\)`},
}

// truncatedModel writes the case's model m.st cut short as name.
func truncatedModel(name string) setupFunc {
	return func(t *testing.T, dir string) {
		b, err := os.ReadFile(filepath.Join(dir, "m.st"))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), b[:len(b)-10])
	}
}

// farStats writes a valid stats file of one input and one target, both of
// the given mean (near float64's range): two of opposite means overflow
// when merged.
func farStats(name string, mean float64) setupFunc {
	return func(t *testing.T, dir string) {
		s := &modelfile.Stats{Inputs: []string{"a"}, Outputs: []string{"y"}, K: 1, N: 1, Intercept: true, Rows: 2,
			Mean: []float64{mean, mean}, MeanLo: []float64{0, 0}, M2: []float64{1e308, 1e308}, R: []float64{1e308, 0, 0, 1e308}}
		if err := modelfile.SaveStats(filepath.Join(dir, name), s); err != nil {
			t.Fatal(err)
		}
	}
}
