package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// describeModel prints what the model file at path holds, for edgefit info
// -model: where it came from, its shape and columns, its bias (or none) and
// the standardisation it was trained with.
func describeModel(w io.Writer, path string) error {
	mf, err := modelfile.Load(path)
	if err != nil {
		return err
	}
	names := func(v []string) string {
		if v == nil {
			return "unnamed"
		}
		return clipList(v)
	}
	fmt.Fprintf(w, "model         %s\n", path)
	fmt.Fprintf(w, "source        %s\n", mf.Source)
	fmt.Fprintf(w, "shape         %d inputs → %d outputs\n", mf.In, mf.Out)
	fmt.Fprintf(w, "inputs        %s\n", names(mf.Inputs))
	fmt.Fprintf(w, "outputs       %s\n", names(mf.Outputs))
	if len(mf.B) == 0 {
		fmt.Fprintln(w, "bias          none: y = W·x, as nn.Linear(bias=False)")
	} else {
		vals := make([]string, len(mf.B))
		for j, b := range mf.B {
			vals[j] = strconv.FormatFloat(float64(b), 'g', -1, 32)
		}
		fmt.Fprintf(w, "bias          %s\n", clipList(vals))
	}
	centred, scaled := false, false
	for p, m := range mf.Mean {
		centred = centred || m != 0
		scaled = scaled || mf.Scale[p] != 1
	}
	switch {
	case !centred && !scaled:
		fmt.Fprintln(w, "standardised  no")
	case centred:
		fmt.Fprintln(w, "standardised  (x − mean)/scale in training, folded into the weights")
	default:
		fmt.Fprintln(w, "standardised  x/scale in training (scaled, not centred), folded into the weights")
	}
	return nil
}

// clipList joins names or values for one line, at most about 150 bytes.
func clipList(v []string) string {
	s := strings.Join(v, ", ")
	if len(s) > 150 {
		s = strings.ToValidUTF8(s[:150], "") + fmt.Sprintf("… (%d in all)", len(v))
	}
	return s
}
