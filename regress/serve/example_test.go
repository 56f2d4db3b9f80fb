package serve_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
	"github.com/edgefit/edgefit/regress/serve"
)

// A model file served, reloaded, and replaced by online learning: README.md's
// "Serving" shows the middle of this function, line for line (cmd/edgefit's
// TestREADMEGoSnippets checks the copy).
func ExamplePredictor() {
	dir, _ := os.MkdirTemp("", "edgefit-serve")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "crops.safetensors")
	model, _ := regress.NewLinear(3, 2, 1)
	model.Inputs, model.Outputs = []string{"temp", "rainfall", "humidity"}, []string{"apples", "oranges"}
	saved, _ := model.File()
	if err := modelfile.Save(path, saved); err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt, _ := regress.NewSGD(regress.SGDConfig{LR: 1e-5})
	o, _ := regress.NewOnline(model, opt)
	x, y := []float32{75, 63, 44}, make([]float32, 2)

	p, err := serve.Open(path, serve.Options{})
	go p.Watch(ctx, time.Second) // reload when the file changes (stat, then its content's CRC)
	y, err = p.PredictRow(y, x)  // any goroutine, y reused: no allocation; p.Predict(Y, X) for a batch (linalg.Dense)
	swapped, err := p.Reload()   // on demand
	m := p.Current()             // one model for a whole request: its names, then m.Predict(Y, X)
	o.PublishTo(p, 100)          // online learning: regress.Online trains its own copy, serves a snapshot every 100 samples

	fmt.Println(m.Inputs(), m.Outputs(), len(y), swapped, err)
	fmt.Printf("swaps %d, load errors %d\n", p.Stats().Swaps, p.Stats().LoadErrors)
	// Output:
	// [temp rainfall humidity] [apples oranges] 2 false <nil>
	// swaps 1, load errors 0
}
