package regress

import (
	"errors"
	"fmt"
	"math"

	"github.com/edgefit/edgefit/linalg"
)

// Gradient descent on raw inputs of very different scales (a temperature
// near 80, a count in the thousands) needs a learning rate small enough for
// the largest feature and then crawls along the others. Standardising each
// input, x' = (x − μ)/σ, puts every feature on the same scale; the model
// trained on x' is folded back into weights for raw inputs when it is
// exported, so inference stays one matmul on raw inputs:
//
//	y = W'·(x − μ)/σ + b' = (W'/σ)·x + (b' − W'·(μ/σ))

// Welford accumulates each feature's mean and spread in float64.
type Welford struct {
	Count int64
	Mean  []float64 // per feature
	M2    []float64 // per feature: Σ (x − mean)²
}

// NewWelford returns an accumulator for k features.
func NewWelford(k int) (*Welford, error) {
	if err := checkCount("NewWelford", "features", k); err != nil {
		return nil, err
	}
	return &Welford{Mean: make([]float64, k), M2: make([]float64, k)}, nil
}

// add adds one row of len(w.Mean) features.
func (w *Welford) add(x []float32) error { return welfordAdd(w, "Add", x) }

// Add64 adds one row of len(w.Mean) features.
func (w *Welford) Add64(x []float64) error { return welfordAdd(w, "Add64", x) }

func welfordAdd[T float32 | float64](w *Welford, op string, x []T) error {
	if len(x) != len(w.Mean) || len(w.M2) != len(w.Mean) {
		return fmt.Errorf("regress: Welford.%s: %d values for %d features", op, len(x), len(w.Mean))
	}
	w.Count++
	inv := 1 / float64(w.Count)
	for i, v := range x {
		d := float64(v) - w.Mean[i]
		w.Mean[i] += d * inv
		w.M2[i] += d * (float64(v) - w.Mean[i])
	}
	return nil
}

// AddRows adds the rows of X, all or, on error, none.
func (w *Welford) AddRows(X linalg.Dense) error {
	if err := checkRows("Welford.AddRows", "X", len(w.Mean), X); err != nil {
		return err
	}
	for i := 0; i < X.Rows; i++ {
		if err := w.add(row(X, i)); err != nil {
			return err
		}
	}
	return nil
}

// Merge adds the rows other has seen, as if added to w.
func (w *Welford) Merge(other *Welford) error {
	if other == nil {
		return errors.New("regress: Welford.Merge: nil accumulator")
	}
	if other == w {
		return errors.New("regress: Welford.Merge: an accumulator cannot merge itself")
	}
	k := len(w.Mean)
	if len(w.M2) != k || len(other.Mean) != k || len(other.M2) != k {
		return fmt.Errorf("regress: Welford.Merge: %d means and %d sums of squares into %d and %d",
			len(other.Mean), len(other.M2), k, len(w.M2))
	}
	if w.Count < 0 || other.Count < 0 || other.Count > math.MaxInt64-w.Count {
		return fmt.Errorf("regress: Welford.Merge: row counts %d and %d", other.Count, w.Count)
	}
	if other.Count == 0 {
		return nil
	}
	nA, nB := float64(w.Count), float64(other.Count)
	f := nB / (nA + nB)
	g := nA * f
	for i, mb := range other.Mean {
		d := mb - w.Mean[i]
		w.Mean[i] += d * f
		w.M2[i] += other.M2[i] + d*d*g
	}
	w.Count += other.Count
	return nil
}

// variance returns feature i's population variance (M2/Count, as scikit-learn).
func (w *Welford) variance(i int) float64 {
	if w.Count == 0 {
		return 0
	}
	return w.M2[i] / float64(w.Count)
}

// Standardizer returns (x − μ)/σ, σ = 1 for a constant feature.
func (w *Welford) Standardizer() *Standardizer {
	s := &Standardizer{Mean: make([]float32, len(w.Mean)), Scale: make([]float32, len(w.Mean))}
	for i := range w.Mean {
		s.Mean[i] = float32(w.Mean[i])
		s.Scale[i] = scaleOf(math.Sqrt(w.variance(i)))
	}
	return s
}

// ScaleOnly returns x/√(σ² + μ²), for a model without bias.
func (w *Welford) ScaleOnly() *Standardizer {
	s := &Standardizer{Mean: make([]float32, len(w.Mean)), Scale: make([]float32, len(w.Mean))}
	for i, mu := range w.Mean {
		s.Scale[i] = scaleOf(math.Sqrt(w.variance(i) + mu*mu))
	}
	return s
}

// scaleOf is a spread as a float32 scale: 1 for none (or none known), else
// clamped to float32's positive range.
func scaleOf(sd float64) float32 {
	switch {
	case !(sd > 0) || math.IsInf(sd, 0):
		sd = 1
	case sd < minScale:
		// A spread too small for a normal float32: the smallest normal one.
		sd = minScale
	case sd > math.MaxFloat32:
		sd = math.MaxFloat32
	}
	return float32(sd)
}

// Constant returns the features that never varied, in order.
func (w *Welford) Constant() []int {
	var c []int
	for i, m2 := range w.M2 {
		if w.Count > 0 && m2 == 0 {
			c = append(c, i)
		}
	}
	return c
}

// Standardizer is the per-feature transform (x − Mean)/Scale.
type Standardizer struct {
	Mean, Scale []float32
}

// applyChecked writes the rows of X standardised to D (D may be X): all or, on
// error, none. It allocates nothing.
func (s *Standardizer) applyChecked(D, X linalg.Dense) error {
	k := len(s.Mean)
	if len(s.Scale) != k {
		return fmt.Errorf("regress: Standardizer.Apply: %d means and %d scales", k, len(s.Scale))
	}
	if err := checkRows("Standardizer.Apply", "X", k, X); err != nil {
		return err
	}
	if err := checkRows("Standardizer.Apply", "D", k, D); err != nil {
		return err
	}
	if D.Rows != X.Rows {
		return fmt.Errorf("regress: Standardizer.Apply: %d destination rows for %d input rows", D.Rows, X.Rows)
	}
	return s.apply(D, X)
}

// apply is applyChecked on checked arguments: D = (X − Mean)/Scale by the
// root package's Standardize kernel, which gives, bit for bit, what the
// float32 loop d[p] = (x[p] − Mean[p]) / Scale[p] over each row gives.
func (s *Standardizer) apply(D, X linalg.Dense) error {
	return linalg.Standardize(D, X, s.Mean[:X.Cols], s.Scale[:X.Cols])
}

// minScale is the smallest scale taken: float32's smallest normal number (1
// over a subnormal scale overflows float32).
const minScale = 0x1p-126

// check returns an error unless s standardises k inputs: k finite means and
// k finite scales ≥ minScale.
func (s *Standardizer) check(op string, k int) error {
	if len(s.Mean) != k || len(s.Scale) != k {
		return fmt.Errorf("regress: %s: standardizer of %d means and %d scales, the model takes %d inputs", op, len(s.Mean), len(s.Scale), k)
	}
	for i := range s.Mean {
		if !finite(s.Mean[i]) || !finite(s.Scale[i]) || !(s.Scale[i] >= minScale) {
			return fmt.Errorf("regress: %s: standardizer input %d has mean %v and scale %v: want finite numbers and a normal scale > 0", op, i, s.Mean[i], s.Scale[i])
		}
	}
	return nil
}

// checkRows returns an error unless X is a well-formed matrix (Dense.Check:
// sizes computed without overflow) of k columns.
func checkRows(op, name string, k int, X linalg.Dense) error {
	if X.Cols != k {
		return fmt.Errorf("regress: %s: %s has %d columns, want %d", op, name, X.Cols, k)
	}
	return X.Check(op, name)
}

// row returns row i of a matrix checked by checkRows (nil without columns,
// where Data may be empty whatever the stride).
func row(X linalg.Dense, i int) []float32 {
	if X.Cols == 0 {
		return nil
	}
	return X.Row(i)
}

// fold turns weights W (n×k) and bias b trained on standardised inputs into
// Wraw and braw (which may be W and b) giving the same outputs on raw inputs,
// in float64. Without a bias (b and braw nil) every Mean must be 0
// (ScaleOnly).
func (s *Standardizer) fold(W, b, Wraw, braw []float32) error {
	k := len(s.Mean)
	n, err := s.checkParams("Fold", W, b, Wraw, braw)
	if err != nil {
		return err
	}
	for j := 0; j < n; j++ {
		var bj float64
		if b != nil {
			bj = float64(b[j])
		}
		for p := 0; p < k; p++ {
			w := float64(W[j*k+p]) / float64(s.Scale[p])
			bj -= w * float64(s.Mean[p])
			Wraw[j*k+p] = float32(w)
			if !finite(Wraw[j*k+p]) {
				return overflow("Fold", j, p)
			}
		}
		if braw != nil {
			if braw[j] = float32(bj); !finite(braw[j]) {
				return overflow("Fold", j, -1)
			}
		}
	}
	return nil
}

// overflow is fold's or unfold's error for weight (j, p), or bias j (p < 0),
// out of float32's range.
func overflow(op string, j, p int) error {
	what := fmt.Sprintf("weight (%d, %d)", j, p)
	if p < 0 {
		what = fmt.Sprintf("bias %d", j)
	}
	return fmt.Errorf("regress: Standardizer.%s: %s overflows float32 with these means and scales", op, what)
}

// unfold is fold's inverse, to start training from a model for raw inputs.
func (s *Standardizer) unfold(Wraw, braw, W, b []float32) error {
	k := len(s.Mean)
	n, err := s.checkParams("Unfold", Wraw, braw, W, b)
	if err != nil {
		return err
	}
	for j := 0; j < n; j++ {
		var bj float64
		if braw != nil {
			bj = float64(braw[j])
		}
		for p := 0; p < k; p++ {
			w := float64(Wraw[j*k+p])
			bj += w * float64(s.Mean[p])
			if W[j*k+p] = float32(w * float64(s.Scale[p])); !finite(W[j*k+p]) {
				return overflow("Unfold", j, p)
			}
		}
		if b != nil {
			if b[j] = float32(bj); !finite(b[j]) {
				return overflow("Unfold", j, -1)
			}
		}
	}
	return nil
}

// checkParams returns n, the outputs, after checking that the weights are
// n×k for n = len(b) and Scale has k values; without a bias (b and b2 both
// nil) n is len(W)/k and every Mean must be 0.
func (s *Standardizer) checkParams(op string, W, b, W2, b2 []float32) (int, error) {
	k, n := len(s.Mean), len(b)
	if len(s.Scale) != k {
		return 0, fmt.Errorf("regress: Standardizer.%s: %d means and %d scales", op, k, len(s.Scale))
	}
	if b == nil && b2 == nil && k > 0 {
		n = len(W) / k
		for p, mu := range s.Mean {
			if mu != 0 {
				return 0, fmt.Errorf("regress: Standardizer.%s: input %d has mean %v: a model without bias cannot absorb a shift of its inputs (scale them only: Welford.ScaleOnly)", op, p, mu)
			}
		}
	}
	if (k > 0 && (len(W)%k != 0 || len(W)/k != n)) || (k == 0 && len(W) != 0) || len(W2) != len(W) || len(b2) != len(b) || (b == nil) != (b2 == nil) {
		return 0, fmt.Errorf("regress: Standardizer.%s: weights of %d and %d values, biases of %d and %d, want %d×%d and %d for %d inputs", op, len(W), len(W2), len(b), len(b2), n, k, n, k)
	}
	return n, nil
}
