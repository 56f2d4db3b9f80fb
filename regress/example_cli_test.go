package regress_test

import (
	"fmt"
	"strings"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
)

const cropsCSV = `temp,rainfall,humidity,apples,oranges
73,67,43,56,70
91,88,64,81,101
87,134,58,119,133
102,43,37,22,37
69,96,70,103,119
`

// The exact least-squares fit of the first five crop rows, accumulated in
// one pass.
func ExampleQR() {
	tab, err := data.ReadTable(strings.NewReader(cropsCSV), "crops.csv", []string{"apples", "oranges"}, nil, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := regress.NewQR(tab.X.Cols, tab.Y.Cols, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	a.AddRows32(tab.X, tab.Y)
	sol, err := a.Solve(0)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Five rows, four parameters per output: a close fit.
	fmt.Printf("MSE %.4f, R² %.4f and %.4f\n", sol.MSE(), sol.R2(0), sol.R2(1))
	fmt.Printf("apples = %.3f·temp %+.3f·rainfall %+.3f·humidity %+.2f\n", sol.W[0], sol.W[1], sol.W[2], sol.B[0])
	// Output:
	// MSE 0.4831, R² 0.9992 and 1.0000
	// apples = -0.388·temp +0.848·rainfall +0.698·humidity -1.64
}

// A model on standardised inputs (its Std) predicts raw rows; Standardize
// (nil) folds Std into its weights, which then take raw inputs directly.
func ExampleLinear_Standardize() {
	tab, _ := data.ReadTable(strings.NewReader(cropsCSV), "crops.csv", []string{"apples"}, []string{"temp", "rainfall", "humidity"}, 0)
	w, err := regress.NewWelford(tab.X.Cols)
	if err != nil {
		fmt.Println(err)
		return
	}
	w.AddRows(tab.X)
	m, _ := regress.NewLinearFrom([][]float32{{-0.5, 1.5, 0.25}}, []float32{76}) // weights for standardised inputs
	m.Std = w.Standardizer()
	fmt.Printf("temp: mean %.1f, scale %.2f\n", m.Std.Mean[0], m.Std.Scale[0])

	x := tab.X.Row(0) // the first row, raw
	ystd, _ := m.PredictRow(nil, x)
	m.Standardize(nil) // W and b for raw inputs, Std nil
	yraw, _ := m.PredictRow(nil, x)
	fmt.Printf("standardised model %.3f, folded model on raw inputs %.3f\n", ystd[0], yraw[0])
	// Output:
	// temp: mean 84.4, scale 12.06
	// standardised model 75.327, folded model on raw inputs 75.327
}

// Samples arriving one at a time update the model as they come.
func ExampleOnline_PartialFit() {
	m, _ := regress.NewLinear(1, 1, 1)
	opt, _ := regress.NewSGD(regress.SGDConfig{LR: 0.1})
	o, _ := regress.NewOnline(m, opt)
	for i := 0; i < 2000; i++ {
		x := float32(i%10) / 10
		o.PartialFit([]float32{x}, []float32{3*x + 1}) // a sensor: y = 3x + 1
	}
	fmt.Printf("y = %.2fx + %.2f\n", m.W.At(0, 0), m.B[0])
	// Output:
	// y = 3.00x + 1.00
}
