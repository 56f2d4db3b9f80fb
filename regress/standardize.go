package regress

import (
	"fmt"
	"math"
)

// Gradient descent on raw inputs of very different scales (a temperature
// near 80, a count in the thousands) needs a learning rate small enough for
// the largest feature and then crawls along the others. Standardising each
// input, x' = (x − μ)/σ, puts every feature on the same scale; the model
// trained on x' is folded back into weights for raw inputs when it is
// exported, so inference stays one matmul on raw inputs:
//
//	y = W'·(x − μ)/σ + b' = (W'/σ)·x + (b' − W'·(μ/σ))

// Welford accumulates each feature's mean and variance in one streaming pass,
// in float64, with Welford's update, which stays accurate when the mean is
// large compared with the spread (the naive Σx² − (Σx)²/n does not).
type Welford struct {
	Count int64
	Mean  []float64 // per feature
	M2    []float64 // per feature: Σ (x − mean)²
}

// NewWelford returns an accumulator for k features.
func NewWelford(k int) *Welford {
	return &Welford{Mean: make([]float64, k), M2: make([]float64, k)}
}

// Add adds one row of len(w.Mean) features.
func (w *Welford) Add(x []float32) {
	if len(x) != len(w.Mean) {
		panic(fmt.Sprintf("regress: Welford.Add: len(x) = %d, want %d", len(x), len(w.Mean)))
	}
	w.Count++
	inv := 1 / float64(w.Count)
	for i, v := range x {
		d := float64(v) - w.Mean[i]
		w.Mean[i] += d * inv
		w.M2[i] += d * (float64(v) - w.Mean[i])
	}
}

// AddRows adds m rows of X (row stride ldx).
func (w *Welford) AddRows(m int, X []float32, ldx int) {
	k := len(w.Mean)
	for i := 0; i < m; i++ {
		w.Add(X[i*ldx : i*ldx+k])
	}
}

// Var returns feature i's population variance (dividing by the count, as
// scikit-learn's StandardScaler does).
func (w *Welford) Var(i int) float64 {
	if w.Count == 0 {
		return 0
	}
	return w.M2[i] / float64(w.Count)
}

// Standardizer returns the transform x' = (x − μ)/σ for the features seen.
// Every feature with a non-zero spread, however small, is scaled by it; a
// feature that never varies (Constant lists them) gets σ = 1 (it is only
// centred), as in scikit-learn, rather than a division by zero.
func (w *Welford) Standardizer() *Standardizer {
	s := &Standardizer{Mean: make([]float32, len(w.Mean)), Scale: make([]float32, len(w.Mean))}
	for i := range w.Mean {
		s.Mean[i] = float32(w.Mean[i])
		sd := math.Sqrt(w.Var(i))
		switch {
		case !(sd > 0) || math.IsInf(sd, 0):
			sd = 1
		case sd < math.SmallestNonzeroFloat32:
			// A spread that float32 cannot hold: the smallest it can.
			sd = math.SmallestNonzeroFloat32
		case sd > math.MaxFloat32:
			sd = math.MaxFloat32
		}
		s.Scale[i] = float32(sd)
	}
	return s
}

// Constant returns the features whose values never varied (every value
// added was the same), in increasing order: nothing can be learned from
// them. It returns nil before any row is added.
func (w *Welford) Constant() []int {
	var c []int
	for i, m2 := range w.M2 {
		if w.Count > 0 && m2 == 0 {
			c = append(c, i)
		}
	}
	return c
}

// Standardizer is the per-feature transform x' = (x − Mean)/Scale.
type Standardizer struct {
	Mean, Scale []float32
}

// Identity reports whether s changes nothing (mean 0, scale 1 everywhere).
func (s *Standardizer) Identity() bool {
	for i := range s.Mean {
		if s.Mean[i] != 0 || s.Scale[i] != 1 {
			return false
		}
	}
	return true
}

// Apply writes the standardised rows of X (m×k, row stride ldx) to D (row
// stride ldd); D may be X. It allocates nothing.
func (s *Standardizer) Apply(m int, X []float32, ldx int, D []float32, ldd int) {
	k := len(s.Mean)
	for i := 0; i < m; i++ {
		x, d := X[i*ldx:i*ldx+k], D[i*ldd:i*ldd+k]
		for p := range x {
			d[p] = (x[p] - s.Mean[p]) / s.Scale[p]
		}
	}
}

// Fold turns weights W (n×k) and bias b trained on standardised inputs into
// the weights and bias that give the same outputs on raw inputs, writing
// them to Wraw and braw (which may be W and b). The arithmetic is float64.
func (s *Standardizer) Fold(W, b, Wraw, braw []float32) {
	k := len(s.Mean)
	n := len(b)
	s.checkParams("Fold", W, b, Wraw, braw)
	for j := 0; j < n; j++ {
		bj := float64(b[j])
		for p := 0; p < k; p++ {
			w := float64(W[j*k+p]) / float64(s.Scale[p])
			bj -= w * float64(s.Mean[p])
			Wraw[j*k+p] = float32(w)
		}
		braw[j] = float32(bj)
	}
}

// Unfold is the inverse of Fold: from weights for raw inputs to the weights
// for standardised inputs that give the same outputs (used to start training
// from a given model).
func (s *Standardizer) Unfold(Wraw, braw, W, b []float32) {
	k := len(s.Mean)
	n := len(braw)
	s.checkParams("Unfold", Wraw, braw, W, b)
	for j := 0; j < n; j++ {
		bj := float64(braw[j])
		for p := 0; p < k; p++ {
			w := float64(Wraw[j*k+p])
			bj += w * float64(s.Mean[p])
			W[j*k+p] = float32(w * float64(s.Scale[p]))
		}
		b[j] = float32(bj)
	}
}

// checkParams panics unless the weights are n×k for n = len(b), a caller's
// bug rather than bad data.
func (s *Standardizer) checkParams(op string, W, b, W2, b2 []float32) {
	k, n := len(s.Mean), len(b)
	if len(W) != n*k || len(W2) != n*k || len(b2) != n {
		panic(fmt.Sprintf("regress: Standardizer.%s: weights of %d and %d values, biases of %d and %d, want %d×%d and %d for %d inputs", op, len(W), len(W2), n, len(b2), n, k, n, k))
	}
}
