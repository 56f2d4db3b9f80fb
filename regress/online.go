package regress

import (
	"fmt"

	"github.com/edgefit/edgefit/linalg"
)

// Online trains a model from samples as they arrive, one at a time, as a
// sensor stream delivers them: PartialFit is one optimiser step on one
// example (scikit-learn's partial_fit), standardised with a fixed
// Standardizer if one is given. It allocates nothing after NewOnline.
type Online struct {
	t   *Trainer
	std *Standardizer
	x   []float32
	y   []float32
	X   linalg.Dense
	Y   linalg.Dense
}

// NewOnline returns an online trainer of m with optimiser opt and the MSE
// loss. std may be nil (raw inputs); otherwise m's weights are for
// standardised inputs (see Standardizer.Unfold) and Fold gives the raw ones.
func NewOnline(m *Linear, opt Optimizer, std *Standardizer) (*Online, error) {
	if std != nil && len(std.Mean) != m.In() {
		return nil, fmt.Errorf("regress: NewOnline: standardizer for %d inputs, model takes %d", len(std.Mean), m.In())
	}
	t, err := NewTrainer(m, MSE, opt, 1)
	if err != nil {
		return nil, err
	}
	o := &Online{t: t, std: std, x: make([]float32, m.In()), y: make([]float32, m.Out())}
	o.X = linalg.Dense{Rows: 1, Cols: m.In(), Stride: m.In(), Data: o.x}
	o.Y = linalg.Dense{Rows: 1, Cols: m.Out(), Stride: m.Out(), Data: o.y}
	return o, nil
}

// Trainer returns the trainer underneath, for its learning rate and
// snapshots.
func (o *Online) Trainer() *Trainer { return o.t }

// PartialFit updates the model from one example with inputs x and targets y
// and returns the loss on it before the update. A NaN or Inf in x or y is an
// error naming the column; a loss that is NaN or Inf leaves the model as it
// was and returns a *DivergedError.
func (o *Online) PartialFit(x, y []float32) (float32, error) {
	if len(x) != len(o.x) || len(y) != len(o.y) {
		return 0, fmt.Errorf("regress: PartialFit: %d inputs and %d targets, the model takes %d and %d", len(x), len(y), len(o.x), len(o.y))
	}
	if o.std != nil {
		o.std.Apply(1, x, len(x), o.x, len(x))
	} else {
		copy(o.x, x)
	}
	copy(o.y, y)
	return o.t.Step(o.X, o.Y)
}
