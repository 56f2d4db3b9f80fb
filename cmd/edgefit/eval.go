package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

type outputMetrics struct {
	Name string  `json:"name"`
	MSE  float64 `json:"mse"`
	RMSE float64 `json:"rmse"`
	MAE  float64 `json:"mae"`
	R2   float64 `json:"r2"`
}

func cmdEval(e *env, args []string) error {
	fs := newFlags(e, "eval", "-model MODEL -data FILE.csv [-json]")
	modelPath := fs.String("model", "", "the model `file` written by edgefit train -o")
	data := fs.String("data", "", "a CSV `file` with the model's input and output columns")
	asJSON := fs.Bool("json", false, "print the metrics as one JSON object")
	names := addNameFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (edgefit eval -h lists the flags)", pos[0])
	}
	if *modelPath == "" || *data == "" {
		return errors.New("-model and -data are required")
	}
	mf, err := modelfile.Load(*modelPath)
	if err != nil {
		return err
	}
	if err := names.apply(mf); err != nil {
		return err
	}
	if mf.Inputs == nil || mf.Outputs == nil {
		if err := namesByPosition(*data, *modelPath, mf); err != nil {
			return err
		}
	}
	met, err := evalMetrics(*data, mf)
	if err != nil {
		return err
	}
	return printMetrics(e, *data, mf, met, *asJSON)
}

// evalMetrics reads the rows of the CSV file path and measures mf's
// predictions of them.
func evalMetrics(path string, mf *modelfile.File) (*regress.Metrics, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr, err := data.NewCSVReader(f, path, mf.Outputs, mf.Inputs)
	if err != nil {
		return nil, err
	}
	chunk := evalChunk(mf.In, mf.Out)
	X, Y, P := newDense(chunk, mf.In), newDense(chunk, mf.Out), newDense(chunk, mf.Out)
	met, err := regress.NewMetrics(mf.Out)
	if err != nil {
		return nil, err
	}
	for {
		m, err := cr.ReadBatch(X, Y)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		Pm := P.Slice(0, m)
		if err := mf.Predict(Pm.Data, X.Slice(0, m).Data); err != nil {
			return nil, err
		}
		for i := 0; i < m; i++ {
			if err := checkFinite(Pm.Row(i), mf.Outputs); err != nil {
				return nil, fmt.Errorf("%s: data row %d: %v", path, met.Count+int64(i)+1, err)
			}
		}
		if err := met.Add(Pm, Y.Slice(0, m)); err != nil {
			return nil, err
		}
	}
	if met.Count == 0 {
		return nil, fmt.Errorf("%s: no data rows after the header", path)
	}
	return met, nil
}

// printMetrics prints met per output and overall, as a table or as JSON.
func printMetrics(e *env, data string, mf *modelfile.File, met *regress.Metrics, asJSON bool) error {
	var outs []outputMetrics
	for j, name := range mf.Outputs {
		outs = append(outs, outputMetrics{name, met.MSE(j), math.Sqrt(met.MSE(j)), met.MAE(j), met.R2(j)})
	}
	all := outputMetrics{"overall", met.TotalMSE(), math.Sqrt(met.TotalMSE()), met.TotalMAE(), met.MeanR2()}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(struct {
			Rows    int64           `json:"rows"`
			Outputs []outputMetrics `json:"outputs"`
			Overall outputMetrics   `json:"overall"`
		}{met.Count, outs, all})
	}
	w := e.stdout
	fmt.Fprintf(w, "%d rows of %s\n", met.Count, data)
	fmt.Fprintf(w, "%-12s %12s %12s %12s %10s\n", "output", "MSE", "RMSE", "MAE", "R²")
	for _, o := range append(outs, all) {
		fmt.Fprintf(w, "%-12s %12.6g %12.6g %12.6g %10.6f\n", o.Name, o.MSE, o.RMSE, o.MAE, o.R2)
	}
	fmt.Fprintln(w, "(overall: MSE and MAE over every value, R² the mean of the outputs', as scikit-learn's r2_score)")
	return nil
}

// evalChunk is the rows eval reads at a time: 4096, or fewer for a wide
// model, so that its buffers (inputs, targets, predictions) take at most
// about 16 MiB.
func evalChunk(in, out int) int {
	const most, bytes = 4096, 16 << 20
	return max(1, min(most, bytes/(4*(in+2*out))))
}

// newDense returns a zeroed contiguous rows×cols matrix, for sizes the
// command has already bounded.
func newDense(rows, cols int) linalg.Dense {
	return linalg.Dense{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: make([]float32, rows*cols)}
}

// rowsOf wraps the first m contiguous rows of k values in X.
func rowsOf(m, k int, X []float32) linalg.Dense {
	return linalg.Dense{Rows: m, Cols: k, Stride: max(k, 1), Data: X[:m*k]}
}
