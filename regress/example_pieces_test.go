package regress_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// The pieces the command is made of, one after another: README.md's "The
// same pieces from Go" is the middle of this function, line for line
// (cmd/edgefit's TestREADMEGoSnippets checks the copy).
func Example_pieces() {
	f := strings.NewReader(cropsCSV) // the file, as os.Open gives it
	dir, _ := os.MkdirTemp("", "edgefit-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "crops.safetensors")
	model, _ := regress.NewLinear(3, 2, 1)
	opt, _ := regress.NewSGD(regress.SGDConfig{LR: 0.01})
	x, y := []float32{-0.5, 1, 0.5}, make([]float32, 2)

	tab, err := data.ReadTable(f, "crops.csv", []string{"apples", "oranges"}, nil, 0) // errors name line and column
	w, err := regress.NewWelford(tab.X.Cols)                                          // one streaming pass: per-input mean and spread
	err = w.AddRows(tab.X)                                                            // rows are linalg.Dense; bad arguments are errors
	model.Std = w.Standardizer()                                                      // trains on x' = (x − mean)/scale, predicts raw x

	a, err := regress.NewQR(tab.X.Cols, tab.Y.Cols, true) // float64 QR factor, O((k+n)²) memory
	err = a.AddRows32(tab.X, tab.Y)
	sol, err := a.Solve(0)              // *SingularError names a collinear input
	fmt.Printf("MSE %.4f\n", sol.MSE()) // the best any linear model does on these rows

	model.Inputs, model.Outputs = tab.Cols.XNames(), tab.Cols.YNames()
	mf, err := model.File()                    // weights for raw inputs: Std folded into W, b
	err = modelfile.Save(path, mf)             // atomic
	mf, err = modelfile.Load(path)             // checked
	err = mf.Predict(y, []float32{75, 63, 44}) // one matmul, raw inputs

	o, err := regress.NewOnline(model, opt) // a sensor stream: one sample at a time, no allocation
	loss, err := o.PartialFit(x, y)         // a step that explodes is undone and reported

	fmt.Println(mf.Inputs, mf.Outputs, loss > 0, err)
	// Output:
	// MSE 0.4831
	// [temp rainfall humidity] [apples oranges] true <nil>
}
