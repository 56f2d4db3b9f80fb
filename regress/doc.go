// Package regress trains and runs linear regression models with the
// semantics and the numbers of the PyTorch tutorial "Gradient Descent and
// Linear Regression with PyTorch". The tutorial's pieces map to:
//
//	nn.Linear                  Linear (W Out×In, as nn.Linear's weight), NewLinear
//	F.mse_loss                 MSE, SumSquares
//	torch.optim.SGD, Adam      NewSGD, NewAdam (each an Optimizer)
//	fit(epochs, model, …)      Trainer: Step, Epoch, Evaluate; Fit (rows in memory
//	                           or streamed) with Schedule, Guard, EarlyStop
//	TensorDataset, DataLoader  package regress/data
//
// The tests compare predictions, losses, gradients and trained weights with
// values PyTorch produced (fixtures/pytorch.json). After construction, Step,
// Epoch, Evaluate and Linear.Predict allocate nothing.
//
// Around the trainer, each usable on its own (cmd/edgefit ties them together):
// Welford and Standardizer (inputs standardised while training, folded into
// W and b after, so that inference is one matmul on raw inputs); QR, exact
// least squares in float64 whose accumulators merge across devices (QRState,
// package regress/modelfile's stats files), refined by QRRefinement over a
// second pass or round; Online
// (one sample at a time, publishing copies to a Publisher such as
// regress/serve's); Metrics (MSE, MAE, R²); NewModelFile and LinearFromFile
// (package regress/modelfile's files).
//
// Bad input is an error naming what and where, never a panic (index
// accessors such as Metrics.MSE(j) panic as a slice index does). Training
// that diverges stops with a *DivergedError, targets too large for float32's
// squared error with an *OverflowError; a model full of NaN is never returned
// as a success.
package regress
