package edgefit

// Float64 references for every kernel, and the tolerances the documentation
// of kernels.go allows.
//
// Every output element of a kernel is a sum of terms computed from float32
// inputs. The reference computes that sum in float64, where the product of
// two float32 values is exact and a sum of a few thousand terms of moderate
// range carries a relative error near 2⁻⁴⁰ (negligible next to float32's
// 2⁻²⁴), together with S = Σ|terms| and the count n of the documented bound.
//
// The documented contract (kernels.go) is: an implementation may differ from
// the plain Go loop by at most n·2⁻²³·S. Written rigorously that is 2·γₙ·S
// with γₙ = n·u/(1−n·u), u = 2⁻²⁴ (the loop and any other summation order,
// fused or not, are each within γₙ·S of the exact sum; Higham, "Accuracy and
// Stability of Numerical Algorithms", §3.1). The loop itself is within γₙ·S of
// the exact value, so an implementation is within 3·γₙ·S of it. The tests use
//
//	tolGeneric = 2·γₙ·S   implementation against the generic (Go) result
//	tolExact   = 3·γₙ·S   any implementation against the float64 reference
//
// For MatMulBias with a bias the count is k+1 (k products and the bias are
// k+1 terms), one more than the k in the comment on MatMulBias; see the notes.
//
// A bound proportional to n·S is loose for large n: a dropped term of size
// S/n could hide inside it. So half of all test data are small integers: when
// every term is an integer and S ≤ 2²⁴, every partial sum in any order is an
// exactly representable integer and every implementation must return the
// exact value, bit for bit. That catches a lost or doubled element at any n.

import (
	"math"
	"math/rand/v2"
)

const unitRoundoff = 0x1p-24 // u for float32, half of 2⁻²³, the spacing of floats at 1

// gamma is γₙ = n·u/(1−n·u), the classical bound on the relative error of a
// sum of n rounded operations.
func gamma(n int) float64 {
	nu := float64(n) * unitRoundoff
	return nu / (1 - nu)
}

// want is the reference for one output element.
type want struct {
	v     float64 // exact value of the documented formula on the float32 inputs
	s     float64 // Σ|terms| (S in the documented bound)
	n     int     // count of rounded operations in the documented bound
	exact bool    // every term is an integer and S ≤ 2²⁴: the result must be exactly v
}

// sumSafety absorbs the float64 rounding in v and s themselves (relative
// error below 2⁻⁴⁰ for the sizes tested), so that tolerances stay rigorous.
const sumSafety = 1 + 0x1p-30

func (w want) tolExact() float64   { return 3 * gamma(w.n) * w.s * sumSafety }
func (w want) tolGeneric() float64 { return 2 * gamma(w.n) * w.s * sumSafety }

// accumulator builds a want term by term.
type accumulator struct {
	v, s float64
	ints bool
}

func newAcc() accumulator { return accumulator{ints: true} }

func (a *accumulator) add(term float64) {
	a.v += term
	a.s += math.Abs(term)
	a.ints = a.ints && term == math.Trunc(term)
}

func (a *accumulator) want(n int) want {
	return want{v: a.v, s: a.s, n: n, exact: a.ints && a.s <= 1<<24}
}

// scaled returns the accumulator for α·(this sum), the form of GradW and
// ColSums: α multiplies every term.
func (a accumulator) scaled(alpha float32) accumulator {
	al := float64(alpha)
	ints := a.ints && al == math.Trunc(al)
	if a.s == 0 && !math.IsInf(al, 0) && !math.IsNaN(al) {
		// No terms: α·0 is 0 whatever α is.
		return accumulator{ints: true}
	}
	return accumulator{v: al * a.v, s: math.Abs(al) * a.s, ints: ints}
}

// check reports whether got is acceptable for w within tol: NaN exactly where
// IEEE arithmetic gives NaN, the same infinity where it gives one, and
// otherwise a finite value within tol (or exactly v when w.exact).
func (w want) check(got float32, tol float64) bool {
	g := float64(got)
	switch {
	case math.IsNaN(w.v):
		return math.IsNaN(g)
	case math.IsInf(w.v, 0):
		return g == w.v
	case math.IsNaN(g) || math.IsInf(g, 0):
		return false
	case w.exact:
		return g == w.v
	}
	return math.Abs(g-w.v) <= tol
}

// refMatMulBias returns the m×n wants of Y = X·Wᵀ + b, row-major; X, W are
// compact (row strides k).
func refMatMulBias(m, n, k int, X, W, b []float32) []want {
	ws := make([]want, m*n)
	cnt := k
	if b != nil {
		cnt++
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			a := newAcc()
			for p := 0; p < k; p++ {
				a.add(float64(X[i*k+p]) * float64(W[j*k+p]))
			}
			if b != nil {
				a.add(float64(b[j]))
			}
			ws[i*n+j] = a.want(cnt)
		}
	}
	return ws
}

// refGradW returns the n×k wants of G = α·Rᵀ·X + β·G0 (G0 ignored when
// β = 0); R, X and G0 compact.
func refGradW(m, n, k int, alpha float32, R, X []float32, beta float32, G0 []float32) []want {
	ws := make([]want, n*k)
	for j := 0; j < n; j++ {
		for p := 0; p < k; p++ {
			a := newAcc()
			for i := 0; i < m; i++ {
				a.add(float64(R[i*n+j]) * float64(X[i*k+p]))
			}
			a = a.scaled(alpha)
			if beta != 0 {
				a.add(float64(beta) * float64(G0[j*k+p]))
			}
			ws[j*k+p] = a.want(m + 2)
		}
	}
	return ws
}

// refColSums returns the n wants of g = α·colsum(R) + β·g0.
func refColSums(m, n int, alpha float32, R []float32, beta float32, g0 []float32) []want {
	ws := make([]want, n)
	for j := 0; j < n; j++ {
		a := newAcc()
		for i := 0; i < m; i++ {
			a.add(float64(R[i*n+j]))
		}
		a = a.scaled(alpha)
		if beta != 0 {
			a.add(float64(beta) * float64(g0[j]))
		}
		ws[j] = a.want(m + 2)
	}
	return ws
}

// refSqErr returns the residuals R = P − T, each exactly the float32
// difference, and the want of Σ R².
func refSqErr(P, T []float32) (R []want, sum want) {
	R = make([]want, len(P), len(P)+1) // +1: room for the sum
	a := newAcc()
	for i := range P {
		d := P[i] - T[i] // one float32 rounding, exactly what every implementation must store
		R[i] = want{v: float64(d), exact: true}
		a.add(float64(d) * float64(d))
	}
	return R, a.want(len(P))
}

// refDot returns the want of Σ x·y.
func refDot(x, y []float32) want {
	a := newAcc()
	for i := range x {
		a.add(float64(x[i]) * float64(y[i]))
	}
	return a.want(len(x))
}

// refAxpy returns the wants of y + α·x: two terms, whose float32 evaluation
// is one or two roundings (fused or not), so n = 2.
func refAxpy(alpha float32, x, y []float32) []want {
	ws := make([]want, len(y))
	for i := range y {
		a := newAcc()
		a.add(float64(y[i]))
		a.add(float64(alpha) * float64(x[i]))
		ws[i] = a.want(2)
	}
	return ws
}

// Test data.

// dataMode chooses how test values are drawn.
type dataMode int

const (
	realData dataMode = iota // random mantissas over 2⁻³..2³: every sum rounds
	intData                  // integers in −8..8: every result must be exact
)

func (d dataMode) String() string {
	if d == intData {
		return "int"
	}
	return "real"
}

// value draws one test value: in realData, a random sign and 23-bit mantissa
// with an exponent in −3..3, so never zero, subnormal or near overflow.
func (d dataMode) value(r *rand.Rand) float32 {
	u := r.Uint64()
	if d == intData {
		return float32(int(u%17) - 8)
	}
	exp := uint32(127-3) + uint32(u>>23%7)
	return math.Float32frombits(uint32(u>>32)&(1<<31) | exp<<23 | uint32(u)&(1<<23-1))
}

// scalar draws α or β: 0 sometimes, otherwise a value exact in intData mode.
func (d dataMode) scalar(r *rand.Rand, zeroOneIn int) float32 {
	if r.IntN(zeroOneIn) == 0 {
		return 0
	}
	if d == intData {
		return []float32{1, -1, 2, 3, -4}[r.IntN(5)]
	}
	return d.value(r)
}

func (d dataMode) fill(r *rand.Rand, n int) []float32 {
	a := make([]float32, n)
	for i := range a {
		a[i] = d.value(r)
	}
	return a
}

// closeToGeneric reports whether a SIMD result got is acceptable next to
// generic's result gen for the output w describes: NaN where generic has NaN,
// the same infinity, the same value when the data make every sum exact,
// otherwise within the documented bound 2·γₙ·S.
func closeToGeneric(got, gen float32, w want) bool {
	switch {
	case gen != gen || got != got:
		return gen != gen && got != got
	case math.IsInf(float64(gen), 0) || math.IsInf(float64(got), 0) || w.exact:
		return got == gen
	}
	return math.Abs(float64(got)-float64(gen)) <= w.tolGeneric()
}
