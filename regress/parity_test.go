package regress

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// The reference values come from PyTorch itself: ../fixtures/make_fixtures.py
// ran the tutorial's code and recorded them in ../fixtures/pytorch.json.

type fixtures struct {
	Torch       string      `json:"torch"`
	Inputs      [][]float32 `json:"inputs"`
	Targets     [][]float32 `json:"targets"`
	FromScratch struct {
		Rows      int         `json:"rows"`
		LR        float64     `json:"lr"`
		Epochs    int         `json:"epochs"`
		W0        [][]float32 `json:"w0"`
		B0        []float32   `json:"b0"`
		Preds0    [][]float32 `json:"preds0"`
		Loss0     float32     `json:"loss0"`
		WGrad0    [][]float32 `json:"w_grad0"`
		BGrad0    []float32   `json:"b_grad0"`
		SumLoss0  float32     `json:"sum_loss0"`
		SumWGrad0 [][]float32 `json:"sum_w_grad0"`
		SumBGrad0 []float32   `json:"sum_b_grad0"`
		PGrad0    [][]float32 `json:"preds_grad0"`
		SumPGrad0 [][]float32 `json:"sum_preds_grad0"`
		Losses    []float32   `json:"losses"`
		W         [][]float32 `json:"w"`
		B         []float32   `json:"b"`
		Preds     [][]float32 `json:"preds"`
		Loss      float32     `json:"loss"`
	} `json:"from_scratch"`
	Builtins []builtinCase `json:"builtins"`
}

type builtinCase struct {
	Name      string `json:"name"`
	Optimizer struct {
		Type        string  `json:"type"`
		LR          float64 `json:"lr"`
		Momentum    float64 `json:"momentum"`
		Dampening   float64 `json:"dampening"`
		Nesterov    bool    `json:"nesterov"`
		WeightDecay float64 `json:"weight_decay"`
		Beta1       float64 `json:"beta1"`
		Beta2       float64 `json:"beta2"`
		Eps         float64 `json:"eps"`
	} `json:"optimizer"`
	Bias            *bool       `json:"bias"` // false: nn.Linear(bias=False), B0 and B empty
	Epochs          int         `json:"epochs"`
	Batch           int         `json:"batch"`
	W0              [][]float32 `json:"w0"`
	B0              []float32   `json:"b0"`
	Orders          [][]int     `json:"orders"`
	StepLosses      []float32   `json:"step_losses"`
	LastBatchLosses []float32   `json:"last_batch_losses"`
	W               [][]float32 `json:"w"`
	B               []float32   `json:"b"`
	FullLoss        float32     `json:"full_loss"`
	Predict         []float32   `json:"predict_75_63_44"`
}

func loadFixtures(t testing.TB) *fixtures {
	t.Helper()
	raw, err := os.ReadFile("../fixtures/pytorch.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Inputs) != 15 || len(f.Builtins) == 0 {
		t.Fatalf("fixtures look incomplete: %d input rows, %d cases", len(f.Inputs), len(f.Builtins))
	}
	return &f
}

// tol is the parity bound of the issue: 1e-4 relative.
const tol = 1e-4

// closeRel reports whether got is within tol of want, relative to |want|, or
// to scale when that is larger: a vector's elements are compared relative to
// the vector's largest magnitude, since an element that happens to cross
// zero has no meaningful relative error of its own.
func closeRel(got, want, scale float32) bool {
	d := math.Abs(float64(got) - float64(want))
	return d <= tol*math.Max(math.Abs(float64(want)), float64(scale))
}

func maxAbs(v []float32) float32 {
	var m float32
	for _, x := range v {
		m = max(m, float32(math.Abs(float64(x))))
	}
	return m
}

func flat(rows [][]float32) []float32 {
	var out []float32
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func checkVec(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := maxAbs(want)
	worst := 0.0
	for i := range got {
		if !closeRel(got[i], want[i], scale) {
			t.Errorf("%s[%d] = %v, PyTorch %v (relative error %.2g > %g)", what, i, got[i], want[i],
				math.Abs(float64(got[i]-want[i]))/math.Max(math.Abs(float64(want[i])), float64(scale)), tol)
		}
		worst = max(worst, math.Abs(float64(got[i]-want[i]))/math.Max(math.Abs(float64(want[i])), float64(scale)))
	}
	t.Logf("%s: worst relative difference from PyTorch %.2g", what, worst)
}

func mustDense(t testing.TB, rows [][]float32) linalg.Dense {
	t.Helper()
	d, err := linalg.FromRows(rows)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParityFromScratch(t *testing.T) {
	f := loadFixtures(t)
	s := &f.FromScratch
	X := mustDense(t, f.Inputs[:s.Rows])
	Y := mustDense(t, f.Targets[:s.Rows])
	m, err := NewLinearFrom(s.W0, s.B0)
	if err != nil {
		t.Fatal(err)
	}
	// preds = x @ w.t() + b
	P, _ := linalg.New(s.Rows, 2)
	if err := m.Predict(P, X); err != nil {
		t.Fatal(err)
	}
	checkVec(t, "initial predictions", P.Data, flat(s.Preds0))

	for _, c := range []struct {
		loss             Loss
		want             float32
		wantW            [][]float32
		wantB            []float32
		wantP            [][]float32
		lossName, gradNm string
	}{
		{MSE, s.Loss0, s.WGrad0, s.BGrad0, s.PGrad0, "mse", "mse"},
		{SumSquares, s.SumLoss0, s.SumWGrad0, s.SumBGrad0, s.SumPGrad0, "sum", "sum"},
	} {
		// preds.grad after loss.backward(), through Loss.Grad.
		D, _ := linalg.New(s.Rows, 2)
		lg, err := c.loss.grad(D, P, Y)
		if err != nil {
			t.Fatal(err)
		}
		checkVec(t, c.lossName+" Loss.Grad loss", []float32{lg}, []float32{c.want})
		checkVec(t, c.lossName+" gradient of the predictions", D.Data, flat(c.wantP))

		for _, tiny := range []bool{true, false} {
			opt, _ := NewSGD(SGDConfig{LR: s.LR})
			tr, err := NewTrainer(m.Clone(), c.loss, opt, s.Rows)
			if err != nil {
				t.Fatal(err)
			}
			tr.path = pathKernels
			if tiny {
				tr.path = pathFused
			}
			loss, err := tr.Backward(X, Y)
			if err != nil {
				t.Fatal(err)
			}
			checkVec(t, c.lossName+" loss", []float32{loss}, []float32{c.want})
			checkVec(t, c.gradNm+" gradient of W and b", tr.Gradients(), append(flat(c.wantW), c.wantB...))
		}

		// The same loss through Loss.Value and Loss.Grad.
		v, err := c.loss.Value(P, Y)
		if err != nil {
			t.Fatal(err)
		}
		checkVec(t, c.lossName+" Loss.Value", []float32{v}, []float32{c.want})
	}

	// 100 epochs of full-batch gradient descent at lr 1e-5.
	opt, _ := NewSGD(SGDConfig{LR: s.LR})
	tr, err := NewTrainer(m, MSE, opt, s.Rows)
	if err != nil {
		t.Fatal(err)
	}
	losses := make([]float32, s.Epochs)
	for e := range losses {
		if losses[e], err = tr.Step(X, Y); err != nil {
			t.Fatal(err)
		}
	}
	checkVec(t, "loss per epoch", losses, s.Losses)
	checkVec(t, "trained W and b", m.Params(), append(flat(s.W), s.B...))
	if err := m.Predict(P, X); err != nil {
		t.Fatal(err)
	}
	checkVec(t, "trained predictions", P.Data, flat(s.Preds))
	loss, err := tr.Evaluate(X, Y)
	if err != nil {
		t.Fatal(err)
	}
	checkVec(t, "trained loss", []float32{loss}, []float32{s.Loss})
	if !(s.Losses[len(s.Losses)-1] < s.Losses[0]/10) {
		t.Fatalf("fixture sanity: the loss should fall tenfold, %v -> %v", s.Losses[0], s.Losses[len(s.Losses)-1])
	}
}

func (c *builtinCase) optimizer(t *testing.T) Optimizer {
	o := c.Optimizer
	switch o.Type {
	case "sgd":
		opt, err := NewSGD(SGDConfig{LR: o.LR, Momentum: o.Momentum, Dampening: o.Dampening, Nesterov: o.Nesterov, WeightDecay: o.WeightDecay})
		if err != nil {
			t.Fatal(err)
		}
		return opt
	case "adam":
		opt, err := NewAdam(AdamConfig{LR: o.LR, Beta1: o.Beta1, Beta2: o.Beta2, Eps: o.Eps, WeightDecay: o.WeightDecay})
		if err != nil {
			t.Fatal(err)
		}
		return opt
	}
	t.Fatalf("unknown optimizer %q", o.Type)
	return nil
}

// The tutorial's second half: nn.Linear, TensorDataset, DataLoader(batch 5,
// shuffle) and fit(), replayed batch for batch with each optimiser.
func TestParityFit(t *testing.T) {
	f := loadFixtures(t)
	X := mustDense(t, f.Inputs)
	Y := mustDense(t, f.Targets)
	ds, err := data.NewDataset(X, Y)
	if err != nil {
		t.Fatal(err)
	}
	noBias := map[string]bool{}
	for _, c := range f.Builtins {
		if !c.hasBias() {
			noBias[c.Optimizer.Type] = true
		}
		for _, tiny := range []bool{true, false} {
			c.run(t, ds, X, Y, tiny)
		}
	}
	if !noBias["sgd"] || !noBias["adam"] {
		t.Errorf("fixtures without bias for %v, want sgd and adam", noBias)
	}
}

func (c *builtinCase) hasBias() bool { return c.Bias == nil || *c.Bias }

// model returns the case's initial model: nn.Linear(3, 2), or without bias.
func (c *builtinCase) model() (*Linear, error) {
	if !c.hasBias() {
		if len(c.B0) != 0 || len(c.B) != 0 {
			return nil, fmt.Errorf("case %s without bias has biases %v and %v", c.Name, c.B0, c.B)
		}
		return NewLinearNoBiasFrom(c.W0)
	}
	return NewLinearFrom(c.W0, c.B0)
}

// run replays case c with the fused small-model path (tiny) or the kernels.
func (c *builtinCase) run(t *testing.T, ds *data.Dataset, X, Y linalg.Dense, tiny bool) {
	name := c.Name + "/kernels"
	if tiny {
		name = c.Name + "/fused"
	}
	{
		t.Run(name, func(t *testing.T) {
			m, err := c.model()
			if err != nil {
				t.Fatal(err)
			}
			l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: c.Batch, Order: data.Orders(c.Orders)})
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewTrainer(m, MSE, c.optimizer(t), c.Batch)
			if err != nil {
				t.Fatal(err)
			}
			tr.path = pathKernels
			if tiny {
				tr.path = pathFused
			}
			// Record every step's loss through the public pieces: Epoch
			// over the loader, and the last-batch loss fit() prints.
			var last []float32
			hist, err := tr.Fit(context.Background(), l, FitConfig{Epochs: c.Epochs, OnEpoch: func(st EpochStats) error {
				last = append(last, st.LastBatchLoss)
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			if len(hist) != c.Epochs {
				t.Fatalf("history of %d epochs, want %d", len(hist), c.Epochs)
			}
			checkVec(t, "last batch loss per epoch", last, c.LastBatchLosses)
			// The epoch loss is the mean of the epoch's three equal batches.
			perBatch := len(c.StepLosses) / c.Epochs
			want := make([]float32, c.Epochs)
			for e := range want {
				var s float64
				for _, v := range c.StepLosses[e*perBatch : (e+1)*perBatch] {
					s += float64(v)
				}
				want[e] = float32(s / float64(perBatch))
			}
			checkVec(t, "epoch loss", hist, want)
			checkVec(t, "trained W and b", m.Params(), append(flat(c.W), c.B...))
			full, err := tr.Evaluate(X, Y)
			if err != nil {
				t.Fatal(err)
			}
			checkVec(t, "loss on all rows", []float32{full}, []float32{c.FullLoss})
			y, err := m.PredictRow(nil, []float32{75, 63, 44})
			if err != nil {
				t.Fatal(err)
			}
			checkVec(t, "model(75, 63, 44)", y, c.Predict)
		})
	}
}
