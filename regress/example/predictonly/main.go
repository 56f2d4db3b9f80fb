// Command predictonly is the smallest program that loads a model file and
// predicts: it imports only what that needs, so that its size is what an edge
// deployment pays for the library (CI builds it for linux/arm64 and checks
// the size). Usage: predictonly MODEL x1,x2,…
package main

import (
	"os"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit/regress/modelfile"
)

func main() {
	if len(os.Args) != 3 {
		os.Stderr.WriteString("usage: predictonly MODEL x1,x2,...\n")
		os.Exit(2)
	}
	mf, err := modelfile.Load(os.Args[1])
	if err != nil {
		os.Stderr.WriteString("predictonly: " + err.Error() + "\n")
		os.Exit(2)
	}
	fields := strings.Split(os.Args[2], ",")
	if len(fields) != mf.In {
		os.Stderr.WriteString("predictonly: " + strconv.Itoa(len(fields)) + " inputs, the model takes " + strconv.Itoa(mf.In) + "\n")
		os.Exit(2)
	}
	x := make([]float32, mf.In)
	for i, f := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
		if err != nil {
			os.Stderr.WriteString("predictonly: input " + strconv.Itoa(i+1) + ": " + err.Error() + "\n")
			os.Exit(2)
		}
		x[i] = float32(v)
	}
	y := make([]float32, mf.Out)
	if err := mf.Predict(y, x); err != nil {
		os.Stderr.WriteString("predictonly: " + err.Error() + "\n")
		os.Exit(2)
	}
	var out []byte
	for j, v := range y {
		if j > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendFloat(out, float64(v), 'g', -1, 32)
	}
	os.Stdout.Write(append(out, '\n'))
}
