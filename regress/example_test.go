package regress_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
)

// The tutorial's crop data: (temperature, rainfall, humidity) → (apples,
// oranges) yields.
var (
	inputs = [][]float32{{73, 67, 43}, {91, 88, 64}, {87, 134, 58}, {102, 43, 37}, {69, 96, 70},
		{74, 66, 43}, {91, 87, 65}, {88, 134, 59}, {101, 44, 37}, {68, 96, 71},
		{73, 66, 44}, {92, 87, 64}, {87, 135, 57}, {103, 43, 36}, {68, 97, 70}}
	targets = [][]float32{{56, 70}, {81, 101}, {119, 133}, {22, 37}, {103, 119},
		{57, 69}, {80, 102}, {118, 132}, {21, 38}, {104, 118},
		{57, 69}, {82, 100}, {118, 134}, {20, 38}, {102, 120}}
)

// The first half of the tutorial, linear regression from scratch: the model
// is x @ w.t() + b, the loss the mean squared error, and each of 100 epochs
// one full-batch gradient step at lr 1e-5. The weights are those PyTorch's
// torch.manual_seed(42); torch.randn(2, 3); torch.randn(2) draw, so the
// numbers printed are the ones PyTorch prints.
func Example_fromScratch() {
	X, _ := linalg.FromRows(inputs[:5])  // inputs = torch.from_numpy(inputs)
	Y, _ := linalg.FromRows(targets[:5]) // targets = torch.from_numpy(targets)
	model, err := regress.NewLinearFrom( // w = torch.randn(2, 3, requires_grad=True); b = ...
		[][]float32{{0.33669036626815796, 0.12880940735340118, 0.23446236550807953},
			{0.23033303022384644, -1.1228563785552979, -0.18632829189300537}},
		[]float32{2.2082014083862305, -0.637997031211853})
	if err != nil {
		log.Fatal(err)
	}
	P, _ := linalg.New(5, 2)
	model.Predict(P, X) // preds = model(inputs)
	fmt.Printf("first prediction: %.2f %.2f\n", P.At(0, 0), P.At(0, 1))

	opt, _ := regress.NewSGD(regress.SGDConfig{LR: 1e-5})
	tr, _ := regress.NewTrainer(model, regress.MSE, opt, 5) // 5 = largest batch
	for epoch := 0; epoch < 100; epoch++ {
		loss, err := tr.Step(X, Y) // forward, loss, gradients, update
		// (preds = model(inputs); loss = mse(preds, targets); loss.backward();
		// with torch.no_grad(): w -= w.grad * 1e-5; b -= b.grad * 1e-5; zero_())
		if err != nil {
			log.Fatal(err)
		}
		if epoch == 0 {
			fmt.Printf("loss before training: %.1f\n", loss)
		}
	}
	loss, _ := tr.Evaluate(X, Y) // 380.8, as PyTorch
	fmt.Printf("loss after 100 epochs: %.1f\n", loss)
	// Output:
	// first prediction: 45.50 -67.07
	// loss before training: 19322.3
	// loss after 100 epochs: 380.8
}

// The tutorial's look at the gradients: after loss.backward(), w.grad and
// b.grad hold ∂loss/∂w and ∂loss/∂b. Backward computes them without updating
// the model; Gradients lays them out as Params, W row by row then b. The
// values are the ones PyTorch prints for the same weights.
func Example_gradients() {
	X, _ := linalg.FromRows(inputs[:5])
	Y, _ := linalg.FromRows(targets[:5])
	model, _ := regress.NewLinearFrom(
		[][]float32{{0.33669036626815796, 0.12880940735340118, 0.23446236550807953},
			{0.23033303022384644, -1.1228563785552979, -0.18632829189300537}},
		[]float32{2.2082014083862305, -0.637997031211853})
	opt, _ := regress.NewSGD(regress.SGDConfig{LR: 1e-5})
	tr, _ := regress.NewTrainer(model, regress.MSE, opt, 5)
	loss, _ := tr.Backward(X, Y) // loss = mse(model(inputs), targets); loss.backward()
	g := tr.Gradients()
	fmt.Printf("loss %.1f\n", loss)
	fmt.Printf("w.grad [[%.1f %.1f %.1f] [%.1f %.1f %.1f]]\n", g[0], g[1], g[2], g[3], g[4], g[5])
	fmt.Printf("b.grad [%.2f %.2f]\n", g[6], g[7])
	// Output:
	// loss 19322.3
	// w.grad [[-1622.2 -2731.8 -1496.6] [-14781.0 -17480.2 -10474.5]]
	// b.grad [-21.79 -179.45]
}

// The second half of the tutorial, with the built-ins: TensorDataset,
// DataLoader(batch_size=5, shuffle=True), nn.Linear(3, 2), F.mse_loss,
// torch.optim.SGD(lr=1e-5) and fit() for 100 epochs, printing the loss every
// 10 epochs, then a prediction for a new region. (The initial weights and
// the shuffles come from Go's generator, so the numbers are not PyTorch's run
// for run; the parity tests replay PyTorch's own.)
func Example_fit() {
	X, _ := linalg.FromRows(inputs)
	Y, _ := linalg.FromRows(targets)
	train, err := data.NewDataset(X, Y) // train_ds = TensorDataset(inputs, targets)
	if err != nil {
		log.Fatal(err)
	}
	// train_dl = DataLoader(train_ds, batch_size=5, shuffle=True)
	dl, _ := data.NewLoader(train, data.LoaderConfig{BatchSize: 5, Shuffle: true, Seed: 1})
	model, _ := regress.NewLinear(3, 2, 42)                 // model = nn.Linear(3, 2)
	opt, _ := regress.NewSGD(regress.SGDConfig{LR: 1e-5})   // opt = torch.optim.SGD(model.parameters(), lr=1e-5)
	tr, _ := regress.NewTrainer(model, regress.MSE, opt, 5) // loss_fn = F.mse_loss

	// fit(100, model, loss_fn, opt, train_dl)
	ctx := context.Background()
	hist, err := tr.Fit(ctx, dl, regress.FitConfig{
		Epochs: 100, Every: 20,
		Progress: func(st regress.EpochStats) {
			fmt.Printf("Epoch [%d/%d], Loss: %.1f\n", st.Epoch, st.Epochs, st.LastBatchLoss)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	y, _ := model.PredictRow(nil, []float32{75, 63, 44}) // model(torch.tensor([[75, 63, 44.]]))
	fmt.Printf("the loss of %d epochs; apples %.0f, oranges %.0f\n", len(hist), y[0], y[1])
	// Output:
	// Epoch [20/100], Loss: 635.6
	// Epoch [40/100], Loss: 190.7
	// Epoch [60/100], Loss: 79.8
	// Epoch [80/100], Loss: 86.0
	// Epoch [100/100], Loss: 42.7
	// the loss of 100 epochs; apples 55, oranges 70
}

// Predict writes into a matrix the caller owns, so serving predictions
// allocates nothing.
func ExampleLinear_Predict() {
	model, _ := regress.NewLinearFrom([][]float32{{1, 0, -1}, {0.5, 0.5, 0.5}}, []float32{10, 0})
	X, _ := linalg.FromRows([][]float32{{1, 2, 3}, {4, 5, 6}})
	P, _ := linalg.New(2, 2)
	if err := model.Predict(P, X); err != nil {
		log.Fatal(err)
	}
	fmt.Println(P.Row(0), P.Row(1))
	// Output: [8 3] [8 7.5]
}

// Training that diverges stops with an error saying what to do, not a model
// full of NaN: here the raw crop inputs with a learning rate of 0.01.
func ExampleDivergedError() {
	X, _ := linalg.FromRows(inputs)
	Y, _ := linalg.FromRows(targets)
	train, _ := data.NewDataset(X, Y)
	dl, _ := data.NewLoader(train, data.LoaderConfig{BatchSize: 5})
	model, _ := regress.NewLinear(3, 2, 42)
	opt, _ := regress.NewSGD(regress.SGDConfig{LR: 0.01})
	tr, _ := regress.NewTrainer(model, regress.MSE, opt, 5)
	_, err := tr.Fit(context.Background(), dl, regress.FitConfig{Epochs: 100})
	var d *regress.DivergedError
	if errors.As(err, &d) {
		fmt.Println("diverged at epoch", d.Epoch)
		_, advice, _ := strings.Cut(err.Error(), "): ")
		fmt.Println(advice)
	}
	// Output:
	// diverged at epoch 2
	// lower the learning rate or standardise the inputs
}
