package main

import (
	"encoding/json"
	"fmt"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// trainResult is what train reports; its JSON form is the -json output.
type trainResult struct {
	Epochs     int         `json:"epochs"`
	Rows       int64       `json:"rows"`
	ValRows    int64       `json:"val_rows"`
	TrainMSE   float64     `json:"train_mse"`
	ValMSE     *float64    `json:"val_mse"`
	R2         float64     `json:"r2"`
	MAE        float64     `json:"mae"`
	OptimalMSE *float64    `json:"optimal_mse"`
	RowsPerSec float64     `json:"rows_per_sec"`
	Weight     [][]float32 `json:"weight"`
	Bias       []float32   `json:"bias"`
	Exact      *exactJSON  `json:"exact,omitempty"`
	Inputs     []string    `json:"inputs"`
	Outputs    []string    `json:"outputs"`
	Streamed   bool        `json:"streamed"`
	BestEpoch  int         `json:"best_epoch,omitempty"`
	Rollbacks  int         `json:"rollbacks"`
	Model      string      `json:"model,omitempty"`

	lossCurve  []float64
	qr         *regress.QR // the least-squares accumulator of the training rows
	optimalErr error
	mf         *modelfile.File // the model to save
}

// measure records the exported model mf: its metrics over the training
// and the validation rows, raw, and its weights.
func (r *trainResult) measure(run *trainRun, mf *modelfile.File, chunk int) error {
	met, err := regress.NewMetrics(len(r.Outputs))
	if err != nil {
		return err
	}
	if err := run.measure(mf, met, chunk); err != nil {
		return err
	}
	r.TrainMSE, r.R2, r.MAE = met.TotalMSE(), met.MeanR2(), met.TotalMAE()
	if val := run.fp.val; val.rows > 0 {
		vm, err := val.metrics(mf)
		if err != nil {
			return err
		}
		v := vm.TotalMSE()
		r.ValMSE = &v
	}
	k := len(r.Inputs)
	for j := range r.Outputs {
		r.Weight = append(r.Weight, mf.W[j*k:(j+1)*k])
	}
	r.Bias = append([]float32{}, mf.B...) // [] in JSON without a bias
	r.mf = mf
	return nil
}

// print writes the results on stdout; printNotes then adds the chart and
// notes on stderr, once stdout has taken the results (a failure before
// must leave stderr its one line).
func (r *trainResult) printNotes(e *env, f *trainFlags) {
	if !f.quiet && len(r.lossCurve) > 1 {
		chart(e.stderr, "training loss (MSE) by epoch", r.lossCurve, 60, 10)
	}
	if r.optimalErr != nil && !f.quiet {
		fmt.Fprintf(e.stderr, "note: no optimal_mse: %v\n", r.optimalErr)
	}
}

func (r *trainResult) print(e *env, f *trainFlags) error {
	w := e.stdout
	if f.json {
		enc := json.NewEncoder(w)
		return enc.Encode(r)
	}
	mode := "in memory"
	if r.Streamed {
		mode = "streamed from disk"
	}
	if f.epochs == 0 {
		fmt.Fprintf(w, "no training (-epochs 0): the -init %s model, measured on %d rows (%s)\n", f.init, r.Rows, mode)
	} else {
		fmt.Fprintf(w, "trained %d epochs on %d rows (%s), %s rows/s\n", r.Epochs, r.Rows, mode, si(r.RowsPerSec))
	}
	// With -patience the best epoch's weights are kept: say so when they are
	// not the last epoch's, and call it early stopping only when it stopped.
	switch {
	case r.BestEpoch > 0 && r.Epochs < f.epochs:
		fmt.Fprintf(w, "early stopping: stopped at epoch %d, %d after the best on validation (epoch %d), whose weights are kept\n",
			r.Epochs, r.Epochs-r.BestEpoch, r.BestEpoch)
	case r.BestEpoch > 0 && r.BestEpoch < r.Epochs:
		fmt.Fprintf(w, "validation: the best epoch was %d, whose weights are kept\n", r.BestEpoch)
	}
	if r.Rollbacks > 0 {
		fmt.Fprintf(w, "divergence guard: %d rollbacks\n", r.Rollbacks)
	}
	fmt.Fprintf(w, "train MSE %.6g   R² %.4f   MAE %.4g", r.TrainMSE, r.R2, r.MAE)
	if r.OptimalMSE != nil {
		fmt.Fprintf(w, "   (least-squares optimum MSE %.6g)", *r.OptimalMSE)
	}
	fmt.Fprintln(w)
	if r.ValMSE != nil {
		fmt.Fprintf(w, "validation MSE %.6g on %d rows\n", *r.ValMSE, r.ValRows)
	}
	for j, name := range r.Outputs {
		fmt.Fprintf(w, "%s = ", name)
		for p, in := range r.Inputs {
			if p > 0 {
				fmt.Fprint(w, " ")
			}
			fmt.Fprintf(w, "%+.6g·%s", r.Weight[j][p], in)
		}
		if len(r.Bias) > 0 {
			fmt.Fprintf(w, " %+.6g", r.Bias[j])
		}
		fmt.Fprintln(w)
	}
	if r.Model != "" {
		fmt.Fprintf(w, "model saved to %s\n", r.Model)
	}
	return nil
}
