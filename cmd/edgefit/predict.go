package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

func cmdPredict(e *env, args []string) error {
	fs := newFlags(e, "predict", "-model MODEL [-data FILE.csv] [-json] [ROW ...]")
	modelPath := fs.String("model", "", "the model `file` written by edgefit train -o")
	data := fs.String("data", "", "read rows from this CSV `file` (- for stdin); with no ROW arguments and no -data, rows come from stdin")
	asJSON := fs.Bool("json", false, "print the predictions as one JSON object")
	names := addNameFlags(fs)
	rows, err := parseRows(fs, args)
	if err != nil {
		return err
	}
	if *modelPath == "" {
		return errors.New("-model is required: the model file written by edgefit train -o")
	}
	mf, err := modelfile.Load(*modelPath)
	if err != nil {
		return err
	}
	if err := names.apply(mf); err != nil {
		return err
	}
	if len(rows) > 0 && *data != "" {
		return errors.New("give rows as arguments or -data, not both")
	}
	out := newPredictWriter(e, mf, *asJSON)
	x, y := make([]float32, mf.In), make([]float32, mf.Out)
	// predict predicts the row in x into y.
	predict := func(where func() string) error {
		if err := mf.Predict(y, x); err != nil {
			return err
		}
		if err := checkFinite(y, out.names); err != nil {
			return fmt.Errorf("%s: %w", where(), err)
		}
		return out.row(y)
	}
	if len(rows) > 0 {
		for i, r := range rows {
			fields := strings.Split(r, ",")
			if len(fields) != mf.In {
				return fmt.Errorf("row %d %s has %d values, the model takes %d (%s)", i+1, clipArg(r), len(fields), mf.In, inputNames(mf))
			}
			for p, s := range fields {
				v, err := parseValue(s)
				if err != nil {
					return fmt.Errorf("row %d %s, value %d: %v", i+1, clipArg(r), p+1, err)
				}
				x[p] = v
			}
			if err := predict(func() string { return fmt.Sprintf("row %d %s", i+1, clipArg(r)) }); err != nil {
				return err
			}
		}
		return out.close()
	}
	var in io.Reader = e.stdin
	name := "stdin"
	if *data != "" && *data != "-" {
		f, err := os.Open(*data)
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, *data
	}
	if err := predictCSV(in, name, mf, x, predict); err != nil {
		return err
	}
	return out.close()
}

// parseRows parses predict's flags and returns its ROW arguments. A row such
// as -1.5,2,3 is an argument, not a flag: marked with a NUL (which no
// argument holds) for the flag parser, it stays in its place among the rows.
func parseRows(fs *flagSet, args []string) ([]string, error) {
	var rest []string
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' && (a[1] == '.' || (a[1] >= '0' && a[1] <= '9')) {
			a = "\x00" + a
		}
		rest = append(rest, a)
	}
	rows, err := parse(fs, rest)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		rows[i] = strings.TrimPrefix(r, "\x00")
	}
	return rows, nil
}

// checkFinite reports a prediction that is not a finite float32 (finite
// inputs far outside the model's range overflow): predict and eval refuse
// it, in text and JSON alike, rather than print "+Inf", which is not JSON.
func checkFinite(y []float32, names []string) error {
	for j, v := range y {
		if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
			return fmt.Errorf("the prediction for %q is %v, beyond float32's range (the inputs are far outside what the model can predict)", clip(names[j]), v)
		}
	}
	return nil
}

// parseValue parses a value given as an argument by the rule of CSV values
// (data.ParseNumber).
func parseValue(s string) (float32, error) { return data.ParseNumber(s) }

func inputNames(mf *modelfile.File) string {
	if mf.Inputs == nil {
		return "unnamed inputs: " + modelKind(mf)
	}
	s := strings.Join(mf.Inputs, ", ")
	if len(s) > 150 {
		s = strings.ToValidUTF8(s[:150], "") + fmt.Sprintf("… (%d in all)", len(mf.Inputs))
	}
	return s
}

// predictWriter prints predictions as they are made: CSV lines under a
// header of the output names, or one JSON object written incrementally so
// that memory does not grow with the number of rows.
type predictWriter struct {
	w       io.Writer
	json    bool
	started bool
	names   []string
	buf     []byte
}

func newPredictWriter(e *env, mf *modelfile.File, asJSON bool) *predictWriter {
	names := mf.Outputs
	if names == nil {
		for j := 0; j < mf.Out; j++ {
			names = append(names, fmt.Sprintf("y%d", j+1))
		}
	}
	return &predictWriter{w: e.stdout, json: asJSON, names: names}
}

func (p *predictWriter) start() error {
	if p.started {
		return nil
	}
	p.started = true
	if p.json {
		b, _ := json.Marshal(p.names)
		_, err := fmt.Fprintf(p.w, `{"outputs":%s,"predictions":[`, b)
		return err
	}
	_, err := fmt.Fprintln(p.w, strings.Join(p.names, ","))
	return err
}

func (p *predictWriter) row(y []float32) error {
	first := !p.started
	if err := p.start(); err != nil {
		return err
	}
	b := p.buf[:0]
	if p.json {
		if !first {
			b = append(b, ',')
		}
		b = append(b, '[')
	}
	for j, v := range y {
		if j > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
	}
	if p.json {
		b = append(b, ']')
	} else {
		b = append(b, '\n')
	}
	p.buf = b
	_, err := p.w.Write(b)
	return err
}

func (p *predictWriter) close() error {
	if err := p.start(); err != nil {
		return err
	}
	if p.json {
		_, err := fmt.Fprintln(p.w, "]}")
		return err
	}
	return nil
}
