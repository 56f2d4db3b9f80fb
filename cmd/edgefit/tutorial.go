package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"strings"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
)

// cropsCSV is the tutorial's data: 15 regions' temperature, rainfall and
// humidity, and their yields of apples and oranges (fixtures/crops.csv).
//
//go:embed crops.csv
var cropsCSV []byte

// The tutorial's settings: nn.Linear(3, 2), DataLoader(batch_size=5,
// shuffle=True), SGD(lr=1e-5), 100 epochs, the loss printed every 10.
const (
	tutorialBatch  = 5
	tutorialLR     = 1e-5
	tutorialEpochs = 100
	tutorialSeed   = 42
	standardLR     = 0.1 // for standardised inputs (see below)
)

// cmdTutorial is the main job: the tutorial's fit on raw inputs, then what
// standardised inputs and the exact least-squares solution reach on the
// same rows.
func cmdTutorial(e *env) error {
	w := e.stdout
	tab, err := data.ReadTable(bytes.NewReader(cropsCSV), "crops.csv", []string{"apples", "oranges"}, nil, 0)
	if err != nil {
		return err
	}
	X, Y := tab.X, tab.Y
	in, out := tab.Cols.XNames(), tab.Cols.YNames()
	fmt.Fprintf(w, "The tutorial's crop model: %d regions, %s -> %s\n", tab.X.Rows, strings.Join(in, ", "), strings.Join(out, ", "))
	fmt.Fprintf(w, "nn.Linear(%d, %d), batches of %d shuffled, SGD lr %g, %d epochs, raw inputs (kernels: %s)\n\n",
		tab.X.Cols, tab.Y.Cols, tutorialBatch, tutorialLR, tutorialEpochs, edgefit.Active().Name())

	model, err := fitCrops(X, Y, nil, tutorialLR, func(st regress.EpochStats) {
		fmt.Fprintf(w, "Epoch [%d/%d], Loss: %.4f\n", st.Epoch, st.Epochs, st.LastBatchLoss)
	})
	if err != nil {
		return err
	}

	if err := printCrops(w, tab, model, X, Y); err != nil {
		return err
	}
	return compareCrops(w, tab, model, X, Y)
}

// printCrops prints the tutorial's model, its predictions beside the
// targets, and its prediction for a new region.
func printCrops(w io.Writer, tab *data.Table, model *regress.Linear, X, Y linalg.Dense) error {
	in, out := tab.Cols.XNames(), tab.Cols.YNames()
	fmt.Fprintf(w, "\nweight (%s by %s):\n", strings.Join(out, ", "), strings.Join(in, ", "))
	for j := 0; j < tab.Y.Cols; j++ {
		fmt.Fprintf(w, "  %-8s", out[j])
		for p := 0; p < tab.X.Cols; p++ {
			fmt.Fprintf(w, " %9.4f", model.W.At(j, p))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "bias:     ")
	for j := 0; j < tab.Y.Cols; j++ {
		fmt.Fprintf(w, " %9.4f", model.B[j])
	}
	fmt.Fprintln(w)

	P, _ := linalg.New(tab.X.Rows, tab.Y.Cols)
	if err := model.Predict(P, X); err != nil {
		return err
	}
	fmt.Fprintf(w, "\npredictions beside targets:\n")
	for _, name := range in {
		fmt.Fprintf(w, " %9s", name)
	}
	for _, name := range out {
		fmt.Fprintf(w, "  %19s", name+" pred / target")
	}
	fmt.Fprintln(w)
	for i := 0; i < tab.X.Rows; i++ {
		for p := 0; p < tab.X.Cols; p++ {
			fmt.Fprintf(w, " %9.0f", X.At(i, p))
		}
		for j := 0; j < tab.Y.Cols; j++ {
			fmt.Fprintf(w, "  %10.2f / %6.0f", P.At(i, j), Y.At(i, j))
		}
		fmt.Fprintln(w)
	}
	y, err := model.PredictRow(nil, newRegion)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nprediction for a new region (75, 63, 44): %s %.2f, %s %.2f\n", out[0], y[0], out[1], y[1])
	return nil
}

// newRegion is the tutorial's new region: temperature, rainfall, humidity.
var newRegion = []float32{75, 63, 44}

// compareCrops prints the mean squared error of the tutorial's model
// beside the same fit on standardised inputs and the exact solution.
func compareCrops(w io.Writer, tab *data.Table, model *regress.Linear, X, Y linalg.Dense) error {
	out := tab.Cols.YNames()

	// The comparison: the same batches and epochs on standardised inputs
	// (a rate 10⁴ times larger is stable once every feature has unit
	// spread), and the best any linear model can do.
	rawMSE, err := mse(model, X, Y)
	if err != nil {
		return err
	}
	ws, err := regress.NewWelford(tab.X.Cols)
	if err != nil {
		return err
	}
	if err := ws.AddRows(tab.X); err != nil {
		return err
	}
	sm, err := fitCrops(X, Y, ws.Standardizer(), standardLR, nil)
	if err != nil {
		return err
	}
	if err := sm.Standardize(nil); err != nil { // weights for raw inputs, as in its file
		return err
	}
	stdMSE, err := mse(sm, X, Y)
	if err != nil {
		return err
	}
	ls, err := regress.NewQR(tab.X.Cols, tab.Y.Cols, true)
	if err != nil {
		return err
	}
	if err := ls.AddRows32(tab.X, tab.Y); err != nil {
		return err
	}
	sol, err := ls.Solve(0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nthe same %d rows, three ways (mean squared error of the final model over all rows):\n", tab.X.Rows)
	fmt.Fprintf(w, "  raw inputs, SGD lr %g, %d epochs          %10.4f\n", tutorialLR, tutorialEpochs, rawMSE)
	fmt.Fprintf(w, "  standardised inputs, SGD lr %g, %d epochs   %10.4f\n", standardLR, tutorialEpochs, stdMSE)
	fmt.Fprintf(w, "  exact least squares (QR)                     %10.4f\n", sol.MSE())
	ys, _ := sm.PredictRow(nil, newRegion)
	fmt.Fprintf(w, "\nstandardised model's prediction for (75, 63, 44): %s %.2f, %s %.2f\n", out[0], ys[0], out[1], ys[1])
	fmt.Fprintln(w, "\nnext: go run ./cmd/edgefit train -data fixtures/crops.csv -y apples,oranges -o crops.safetensors")
	return nil
}

// fitCrops trains nn.Linear on X, Y as the tutorial's fit does, on inputs
// standardised by std (nil: raw), and calls report every 10 epochs.
func fitCrops(X, Y linalg.Dense, std *regress.Standardizer, lr float64, report func(regress.EpochStats)) (*regress.Linear, error) {
	ds, err := data.NewDataset(X, Y)
	if err != nil {
		return nil, err
	}
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: tutorialBatch, Shuffle: true, Seed: tutorialSeed})
	if err != nil {
		return nil, err
	}
	m, err := regress.NewLinear(X.Cols, Y.Cols, tutorialSeed)
	if err != nil {
		return nil, err
	}
	m.Std = std // nil: raw inputs
	opt, err := regress.NewSGD(regress.SGDConfig{LR: lr})
	if err != nil {
		return nil, err
	}
	t, err := regress.NewTrainer(m, regress.MSE, opt, tutorialBatch)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	_, err = t.Fit(context.Background(), l, regress.FitConfig{Epochs: tutorialEpochs, Every: 10, Progress: report})
	return m, err
}

func mse(m *regress.Linear, X, Y linalg.Dense) (float64, error) {
	P, _ := linalg.New(X.Rows, m.Out())
	if err := m.Predict(P, X); err != nil {
		return 0, err
	}
	e, err := regress.NewMetrics(m.Out())
	if err != nil {
		return 0, err
	}
	if err := e.Add(P, Y); err != nil {
		return 0, err
	}
	return e.TotalMSE(), nil
}
