// Package regress trains and runs linear regression models with the
// semantics and the numbers of the PyTorch tutorial "Gradient Descent and
// Linear Regression with PyTorch" (the tests compare with PyTorch's):
//
//	nn.Linear                  Linear, NewLinear
//	F.mse_loss                 MSE, SumSquares
//	torch.optim.SGD, Adam      NewSGD, NewAdam
//	fit(epochs, model, …)      Trainer: Step, Epoch, Evaluate, Fit
//	TensorDataset, DataLoader  package regress/data
//
// A Linear carries its standardisation (Std): it trains on standardised
// inputs and predicts raw ones, and its file (File, package
// regress/modelfile) holds weights for raw inputs. Around the trainer: QR,
// exact least squares whose accumulators merge across devices, refined by
// QRRefinement; Online learning; Metrics. Hot paths allocate nothing; bad
// input is an error, never a panic.
package regress
