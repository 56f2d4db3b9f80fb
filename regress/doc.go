// Package regress trains and runs linear regression models with the
// semantics, and the numbers, of the PyTorch tutorial "Gradient Descent and
// Linear Regression with PyTorch": nn.Linear, F.mse_loss, torch.optim.SGD and
// Adam, TensorDataset and DataLoader, and the fit loop that ties them.
//
// # The model
//
// A Linear model maps an input row x (In values) to an output row
//
//	y = W·x + b        (for a batch X, one row per example: Y = X·Wᵀ + b)
//
// with W stored Out×In and b of length Out, the layout of nn.Linear's weight
// and bias, so weights move between the two unchanged. NewLinear initialises
// them as nn.Linear does (uniform in ±1/√In) from a seed.
//
// # Training
//
// A Trainer owns every buffer a step needs, allocated once by NewTrainer.
// Step runs one batch (forward pass, loss, the gradients autograd would give,
// the optimiser's update); Epoch runs every batch a Loader yields; Fit runs
// epochs, calls back, honours context cancellation and records the loss of
// each epoch; Evaluate computes the loss of a model on data without training.
// After construction none of them allocates, nor does Linear.Predict.
//
// The numbers are PyTorch's: the optimisers apply torch.optim's update
// equations in the same order, and the tests compare predictions, losses,
// gradients and trained weights with reference values PyTorch itself produced
// (fixtures/pytorch.json at the repository root, made by
// fixtures/make_fixtures.py).
//
// # Errors
//
// Bad input is an error that says what and where: NaN or Inf in the data
// (row and column), an empty dataset, a batch size or learning rate that is
// not positive, shapes that do not agree. Training that diverges (a loss that
// becomes NaN or Inf, or grows without bound) stops with a *DivergedError that
// names the epoch and suggests a lower learning rate or standardised inputs;
// a model full of NaN is never returned as a success.
package regress
