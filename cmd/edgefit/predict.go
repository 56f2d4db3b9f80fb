package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit/regress"
)

func cmdPredict(e *env, args []string) error {
	fs := newFlags(e, "predict", "-model MODEL [-data FILE.csv] [-json] [ROW ...]")
	modelPath := fs.String("model", "", "the model `file` written by edgefit train -o")
	data := fs.String("data", "", "read rows from this CSV `file` (- for stdin); with no ROW arguments and no -data, rows come from stdin")
	asJSON := fs.Bool("json", false, "print the predictions as one JSON object")
	// A row such as -1.5,2,3 is an argument, not a flag.
	var rows, rest []string
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' && (a[1] == '.' || (a[1] >= '0' && a[1] <= '9')) {
			rows = append(rows, a)
		} else {
			rest = append(rest, a)
		}
	}
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	rows = append(pos, rows...)
	if *modelPath == "" {
		return errors.New("-model is required: the model file written by edgefit train -o")
	}
	mf, err := regress.LoadModel(*modelPath)
	if err != nil {
		return err
	}
	if len(rows) > 0 && *data != "" {
		return errors.New("give rows as arguments or -data, not both")
	}
	out := newPredictWriter(e, mf, *asJSON)
	x, y := make([]float32, mf.In), make([]float32, mf.Out)
	// predict predicts the row in x into y.
	predict := func() error {
		mf.Predict(1, x, y)
		return checkFinite(y, out.names)
	}
	if len(rows) > 0 {
		for i, r := range rows {
			fields := strings.Split(r, ",")
			if len(fields) != mf.In {
				return fmt.Errorf("row %d %q has %d values, the model takes %d (%s)", i+1, r, len(fields), mf.In, inputNames(mf))
			}
			for p, s := range fields {
				v, err := parseValue(s)
				if err != nil {
					return fmt.Errorf("row %d %q, value %d: %v", i+1, r, p+1, err)
				}
				x[p] = v
			}
			if err := predict(); err != nil {
				return fmt.Errorf("row %d %q: %v", i+1, clip(r), err)
			}
			if err := out.row(y); err != nil {
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
	cr := csv.NewReader(in)
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	cr.Comment = '#' // the dialect regress.CSVReader reads
	var cols []int   // the model's inputs' positions in each record
	first := true
	rowsRead := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if _, err := parseValue(rec[0]); err != nil {
				// A header: find the model's inputs by name.
				if cols, err = headerColumns(rec, mf); err != nil {
					return fmt.Errorf("%s:%d: %v", name, line, err)
				}
				continue
			}
		}
		if cols == nil {
			if len(rec) != mf.In {
				return fmt.Errorf("%s:%d: %d values, the model takes %d (%s)", name, line, len(rec), mf.In, inputNames(mf))
			}
		} else if len(rec) <= maxInt(cols) {
			return fmt.Errorf("%s:%d: %d fields, fewer than the header's", name, line, len(rec))
		}
		for p := 0; p < mf.In; p++ {
			j := p
			if cols != nil {
				j = cols[p]
			}
			v, err := parseValue(rec[j])
			if err != nil {
				_, col := cr.FieldPos(j)
				return fmt.Errorf("%s:%d:%d: %v", name, line, col, err)
			}
			x[p] = v
		}
		if err := predict(); err != nil {
			return fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if err := out.row(y); err != nil {
			return err
		}
		rowsRead++
	}
	if rowsRead == 0 {
		return fmt.Errorf("%s: no rows to predict", name)
	}
	return out.close()
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

func parseValue(s string) (float32, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 32)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return float32(v), nil
}

func inputNames(mf *regress.ModelFile) string {
	if mf.Inputs == nil {
		return "unnamed inputs"
	}
	return strings.Join(mf.Inputs, ", ")
}

func headerColumns(header []string, mf *regress.ModelFile) ([]int, error) {
	if mf.Inputs == nil {
		return nil, errors.New("the file has a header but the model has no input names: give the values alone, in the model's order")
	}
	pos := map[string]int{}
	for i, h := range header {
		h = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		if j, dup := pos[h]; dup {
			return nil, fmt.Errorf("header names column %q twice (columns %d and %d)", clip(h), j+1, i+1)
		}
		pos[h] = i
	}
	cols := make([]int, mf.In)
	for p, name := range mf.Inputs {
		i, ok := pos[name]
		if !ok {
			return nil, fmt.Errorf("the header has no column %q, an input of the model (%s)", name, inputNames(mf))
		}
		cols[p] = i
	}
	return cols, nil
}

func maxInt(v []int) int {
	m := 0
	for _, x := range v {
		m = max(m, x)
	}
	return m
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

func newPredictWriter(e *env, mf *regress.ModelFile, asJSON bool) *predictWriter {
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
