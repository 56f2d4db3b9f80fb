package regress

import (
	"math"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
)

func TestWelfordMatchesTwoPass(t *testing.T) {
	X, _ := cropXY()
	w := must(NewWelford(3))
	w.AddRows(rawDense(15, 3, 3, X))
	for p := 0; p < 3; p++ {
		var s float64
		for i := 0; i < 15; i++ {
			s += float64(X[i*3+p])
		}
		mu := s / 15
		var v float64
		for i := 0; i < 15; i++ {
			d := float64(X[i*3+p]) - mu
			v += d * d
		}
		v /= 15
		if math.Abs(w.Mean[p]-mu) > 1e-12*mu || math.Abs(w.variance(p)-v) > 1e-9*v {
			t.Errorf("feature %d: mean %v var %v, want %v %v", p, w.Mean[p], w.variance(p), mu, v)
		}
	}
}

// Welford must stay accurate where the textbook formula cancels: a large
// mean with a tiny spread.
func TestWelfordLargeMean(t *testing.T) {
	w := must(NewWelford(1))
	for i := 0; i < 1000; i++ {
		w.add([]float32{float32(1e6 + i%2)}) // variance exactly 0.25
	}
	if v := w.variance(0); math.Abs(v-0.25) > 1e-9 {
		t.Errorf("Var = %v, want 0.25", v)
	}
}

func TestStandardizerFoldUnfold(t *testing.T) {
	X, _ := cropXY()
	w := must(NewWelford(3))
	w.AddRows(rawDense(15, 3, 3, X))
	s := w.Standardizer()
	Xs := make([]float32, len(X))
	s.applyChecked(rawDense(15, 3, 3, Xs), rawDense(15, 3, 3, X))
	// Standardised columns have mean 0 and variance 1.
	c := must(NewWelford(3))
	c.AddRows(rawDense(15, 3, 3, Xs))
	for p := 0; p < 3; p++ {
		if math.Abs(c.Mean[p]) > 1e-5 || math.Abs(c.variance(p)-1) > 1e-5 {
			t.Errorf("standardised feature %d: mean %v var %v", p, c.Mean[p], c.variance(p))
		}
	}
	W := []float32{0.5, -1, 2, 3, 0.25, -0.75}
	b := []float32{1, -2}
	Wr, br := make([]float32, 6), make([]float32, 2)
	s.fold(W, b, Wr, br)
	for i := 0; i < 15; i++ {
		for j := 0; j < 2; j++ {
			var std, raw float64 = float64(b[j]), float64(br[j])
			for p := 0; p < 3; p++ {
				std += float64(W[j*3+p]) * float64(Xs[i*3+p])
				raw += float64(Wr[j*3+p]) * float64(X[i*3+p])
			}
			if math.Abs(std-raw) > 1e-4*math.Max(1, math.Abs(std)) {
				t.Errorf("row %d output %d: standardised model %v, folded model %v", i, j, std, raw)
			}
		}
	}
	W2, b2 := make([]float32, 6), make([]float32, 2)
	s.unfold(Wr, br, W2, b2)
	for i := range W {
		if math.Abs(float64(W2[i]-W[i])) > 1e-5 {
			t.Errorf("Unfold(Fold(W))[%d] = %v, want %v", i, W2[i], W[i])
		}
	}
	for j := range b {
		if math.Abs(float64(b2[j]-b[j])) > 1e-3 {
			t.Errorf("Unfold(Fold(b))[%d] = %v, want %v", j, b2[j], b[j])
		}
	}
}

func TestStandardizerConstantFeature(t *testing.T) {
	w := must(NewWelford(2))
	for i := 0; i < 5; i++ {
		w.add([]float32{7, float32(i)})
	}
	s := w.Standardizer()
	if s.Scale[0] != 1 || s.Mean[0] != 7 {
		t.Errorf("constant feature: mean %v scale %v, want 7 and 1", s.Mean[0], s.Scale[0])
	}
	x := []float32{7, 2}
	if a := zeroalloc.AllocsPerRun(100, func() { s.applyChecked(rawDense(1, 2, 2, x), rawDense(1, 2, 2, x)); x[0], x[1] = 7, 2 }); a != 0 {
		t.Errorf("Apply allocates %v times", a)
	}
}

// Any finite non-zero spread standardises, however small; a column that
// never varies is listed by Constant.
func TestStandardizerTinySpread(t *testing.T) {
	w := must(NewWelford(3))
	for i := 0; i < 4; i++ {
		w.add([]float32{float32(i) * 1e-13, 5, float32(i)})
	}
	s := w.Standardizer()
	want := math.Sqrt(w.variance(0))
	if s.Scale[0] != float32(want) || s.Scale[1] != 1 || s.Scale[2] != float32(math.Sqrt(w.variance(2))) {
		t.Errorf("scales %v, want %v, 1 and the third's spread", s.Scale, want)
	}
	if c := w.Constant(); len(c) != 1 || c[0] != 1 {
		t.Errorf("Constant() = %v, want [1]", c)
	}
	// Standardised, the tiny column spans about ±1.3.
	x := []float32{3e-13, 5, 3}
	s.applyChecked(rawDense(1, 3, 3, x), rawDense(1, 3, 3, x))
	if !(x[0] > 1.2 && x[0] < 1.4) {
		t.Errorf("standardised 3e-13: %v", x[0])
	}
	// Spreads too small for float32 get the smallest scale it holds.
	w = must(NewWelford(1))
	w.add([]float32{0})
	w.add([]float32{math.SmallestNonzeroFloat32})
	w.add([]float32{0})
	w.add([]float32{0})
	if s := w.Standardizer(); !(s.Scale[0] > 0) || len(w.Constant()) != 0 {
		t.Errorf("subnormal spread: scale %v, constant %v", s.Scale[0], w.Constant())
	}
}

// TestWelfordAdd64: the float64 row path of Welford, which float32 rows
// would round (2²⁴+1).
func TestWelfordAdd64(t *testing.T) {
	w, _ := NewWelford(1)
	for _, v := range []float64{0, 16777217} {
		if err := w.Add64([]float64{v}); err != nil {
			t.Fatal(err)
		}
	}
	if w.Mean[0] != 8388608.5 || w.variance(0) != 8388608.5*8388608.5 {
		t.Errorf("mean %v, variance %v, want 8388608.5 and its square", w.Mean[0], w.variance(0))
	}
	if err := w.Add64([]float64{1, 2}); err == nil || !strings.Contains(err.Error(), "regress: Welford.Add64: 2 values for 1 features") {
		t.Errorf("Add64 of 2 values: %v", err)
	}
}

// rawDense wraps m rows of k values at row stride ld, unchecked: bad shapes
// reach the function under test.
func rawDense(m, k, ld int, data []float32) linalg.Dense {
	return linalg.Dense{Rows: m, Cols: k, Stride: ld, Data: data}
}
