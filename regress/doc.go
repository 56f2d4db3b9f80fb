// Package regress trains and runs linear regression models with the
// semantics, and the numbers, of the PyTorch tutorial "Gradient Descent and
// Linear Regression with PyTorch": nn.Linear, F.mse_loss, torch.optim.SGD and
// Adam, and the fit loop that ties them to TensorDataset and DataLoader
// (package regress/data).
//
// # The model
//
// A Linear model maps an input row x (In values) to an output row
//
//	y = W·x + b        (for a batch X, one row per example: Y = X·Wᵀ + b)
//
// with W stored Out×In and b of length Out, the layout of nn.Linear's weight
// and bias, so weights move between the two unchanged. NewLinear initialises
// them as nn.Linear does (uniform in ±1/√In) from a seed. NewLinearNoBias
// makes y = W·x, nn.Linear(bias=False): no bias is computed, trained or saved.
//
// # Training
//
// A Trainer owns every buffer a step needs, allocated once by NewTrainer.
// Step runs one batch (forward pass, loss, the gradients autograd would give,
// the optimiser's update); Epoch runs every batch a data.Loader yields; Fit runs
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
// # Around the trainer
//
// Data comes from package regress/data (Dataset, Loader, the CSV reader);
// model files are package regress/modelfile's. The rest of this package is
// what a program needs around a Trainer, each piece usable on its own
// (cmd/edgefit ties them together):
//
//   - Standardisation: Welford accumulates each input's mean and spread in
//     one streaming pass (Constant lists the inputs that never vary); its
//     Standardizer is applied while training and folded into W and b
//     afterwards (Fold), so inference stays one matmul on raw inputs. A
//     model without bias cannot absorb a mean: ScaleOnly scales without
//     centring.
//   - The exact solution: LeastSquares accumulates the normal equations in
//     float64 (memory independent of the number of rows) and solves them by
//     Cholesky, with an optional ridge term: the best MSE any linear model
//     reaches, and a warm start.
//   - Exact least squares at QR's accuracy, merged across devices: QR keeps
//     the triangular factor of the centred [X Y] in float64 (O((k+n)²)
//     memory whatever the rows); Solve, with a ridge term if asked, does not
//     square the condition number, and a QRRefinement over a second pass
//     gains the last digits. QR.Merge combines the accumulators of parts of
//     the rows (devices, threads) into that of all of them, in any order,
//     and Welford.Merge does the same for means and spreads. State and
//     NewQRFromState give a QR as plain values, which package
//     regress/modelfile stores as a stats file (modelfile.Stats), so that a
//     device sends its accumulator rather than its rows; a second round
//     (NewQRRefinementFor on each device, QRRefinementState sent back,
//     NewQRRefinementFromState against the merged QR) refines the merged
//     solution as a second pass would.
//   - Training control: Schedule (StepDecay, InvScaling), EarlyStop on a
//     validation loss, and Guard, which on divergence rolls back and halves
//     the learning rate instead of only stopping.
//   - Online learning: Online.PartialFit takes one sample at a time, as a
//     sensor stream delivers them, without allocating; PublishTo hands
//     copies of the model to a Publisher such as regress/serve's Predictor,
//     which serves them while the trainer goes on.
//   - Evaluation: Metrics accumulates MSE, MAE and R² per output.
//   - Model files: NewModelFile makes the contents of a model file
//     (package regress/modelfile: the safetensors layout, saved atomically
//     and loaded defensively) from a trained model and its
//     standardisation; LinearFromFile turns one back into a Linear. A
//     model without bias is stored without a bias tensor.
//
// # Errors
//
// Bad input is an error that says what and where: NaN or Inf in the data
// (row and column), an empty dataset, a batch size or learning rate that is
// not positive, shapes that do not agree. Training that diverges (a loss that
// becomes NaN or Inf, or grows without bound) stops with a *DivergedError that
// names the epoch and suggests a lower learning rate or standardised inputs;
// a model full of NaN is never returned as a success. Targets too large for
// float32's squared error (about 1e19 and up) give an *OverflowError instead,
// which says to scale them. Bad arguments of exported functions (nil, wrong
// lengths, negative counts, shapes that disagree, one optimiser given to two
// trainers) are errors, never panics; only index accessors such as
// Metrics.MSE(j) panic on an index out of range, as a slice does.
package regress
