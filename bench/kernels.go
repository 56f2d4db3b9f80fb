package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/edgefit/edgefit"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

func init() {
	// blas32 runs gonum's pure-Go BLAS unless told otherwise; say so
	// explicitly, since that is the implementation compared here.
	blas32.Use(gonum.Implementation{})
}

// A kernelCase is one kernel at one size with every contender for it.
type kernelCase struct {
	kernel string  // "matmul" or "sqerr"
	label  string  // the size as a reader knows it, e.g. "256×64×8"
	size   float64 // the x axis of the chart: m·k·n, or elements
	work   float64 // per call: floating-point operations (matmul) or bytes moved (sqerr)
	unit   string  // what work/time is: "GFLOP/s" or "GB/s"

	contenders []contender
	// ceilings are measured among the contenders (interleaved with them) but
	// are not implementations of the kernel: they bound what one could reach.
	ceilings []contender
	ceilWork float64 // work per call of a ceiling contender, in unit

	// check verifies the answer each contender left in its buffers after it
	// last ran, and returns an error naming the contender and the element.
	check func() error
	// corrupt spoils one contender's answer, for the tests of check.
	corrupt func(contender int)

	// The case for NumPy: its operands, the rest of its manifest line, and
	// the check of the sums the script reports over its answer.
	pyData  [][]float32
	pyArgs  string
	pyCheck func(sums []float64) error
}

const f32eps = 1.0 / (1 << 23)

// edgefitName is how an edgefit implementation is named in tables and charts.
func edgefitName(im *edgefit.Impl) string { return "edgefit " + im.Name() }

// referenceName is the contender every ratio is taken against: the
// implementation edgefit runs by default on this machine.
func referenceName() string { return edgefitName(edgefit.Active()) }

// newData returns n floats uniform in [-1, 1) from a fixed seed, so every run
// measures the same numbers.
func newData(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	d := make([]float32, n)
	for i := range d {
		d[i] = 2*r.Float32() - 1
	}
	return d
}

// matMulCase builds the case Y = X·Wᵀ + b for X m×k, W n×k (the nn.Linear
// layout), b n and Y m×n, all dense row-major. Every contender writes its own
// Y, so the check sees what each one computed.
func matMulCase(m, k, n int) *kernelCase {
	X := newData(1, m*k)
	W := newData(2, n*k)
	b := newData(3, n)
	c := &kernelCase{
		kernel: "matmul",
		label:  fmt.Sprintf("%d×%d×%d", m, k, n),
		size:   float64(m) * float64(k) * float64(n),
		work:   2 * float64(m) * float64(k) * float64(n),
		unit:   "GFLOP/s",
	}
	var outs [][]float32
	add := func(name string, run func(Y []float32)) {
		Y := make([]float32, m*n)
		outs = append(outs, Y)
		c.contenders = append(c.contenders, contender{name: name, run: func(iters int) {
			for range iters {
				run(Y)
			}
		}})
	}
	for _, im := range edgefit.Implementations() {
		add(edgefitName(im), func(Y []float32) { im.MatMulBias(m, n, k, X, k, W, k, b, Y, n) })
	}
	add("gonum Sgemm", func(Y []float32) { gonumMatMulBias(m, n, k, X, W, b, Y) })
	add("plain Go loop", func(Y []float32) { plainMatMulBias(m, n, k, X, W, b, Y) })

	// Every row for small cases; a spread of rows for large ones, where a
	// float64 reference of the whole product would cost as much as the
	// slowest contender.
	step := max(1, m/64)
	// ref returns Y[i,j] in float64 and the bound on its error in float32:
	// any summation order of a length-k dot product plus the bias, (k+1)
	// roundings, doubled for gonum's blocked sums.
	ref := func(i, j int) (want, tol float64) {
		want, mag := float64(b[j]), math.Abs(float64(b[j]))
		for p := 0; p < k; p++ {
			xw := float64(X[i*k+p]) * float64(W[j*k+p])
			want += xw
			mag += math.Abs(xw)
		}
		return want, 2*float64(k+1)*f32eps*mag + 1e-30
	}
	c.check = func() error {
		for i := 0; i < m; i += step {
			for j := 0; j < n; j++ {
				want, tol := ref(i, j)
				for ci, Y := range outs {
					if got := float64(Y[i*n+j]); !(math.Abs(got-want) <= tol) {
						return fmt.Errorf("%s %s: Y[%d,%d] = %g, want %g ± %.3g", c.contenders[ci].name, c.label, i, j, got, want, tol)
					}
				}
			}
		}
		return nil
	}
	c.corrupt = func(ci int) { outs[ci][len(outs[ci])-1] += 1 }
	c.pyData = [][]float32{X, W, b}
	c.pyArgs = fmt.Sprintf("%d %d %d %d", m, k, n, step)
	c.pyCheck = func(sums []float64) error {
		// The script sums the rows the check samples.
		var want, tol float64
		for i := 0; i < m; i += step {
			for j := 0; j < n; j++ {
				w, t := ref(i, j)
				want += w
				tol += t
			}
		}
		if len(sums) != 1 || !(math.Abs(sums[0]-want) <= tol+1e-9*math.Abs(want)) {
			return fmt.Errorf("sum of Y over rows 0, %d, %d, … = %v, want %g ± %.3g", step, 2*step, sums, want, tol)
		}
		return nil
	}
	return c
}

// gonumMatMulBias is what a gonum user writes for a linear layer: the bias
// broadcast into Y, then Y = 1·X·Wᵀ + 1·Y with Sgemm (through blas32).
func gonumMatMulBias(m, n, k int, X, W, b, Y []float32) {
	for i := 0; i < m; i++ {
		copy(Y[i*n:(i+1)*n], b)
	}
	blas32.Gemm(blas.NoTrans, blas.Trans, 1,
		blas32.General{Rows: m, Cols: k, Stride: k, Data: X},
		blas32.General{Rows: n, Cols: k, Stride: k, Data: W},
		1, blas32.General{Rows: m, Cols: n, Stride: n, Data: Y})
}

// plainMatMulBias is the loop a Go programmer writes without a library.
func plainMatMulBias(m, n, k int, X, W, b, Y []float32) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := b[j]
			for p := 0; p < k; p++ {
				s += X[i*k+p] * W[j*k+p]
			}
			Y[i*n+j] = s
		}
	}
}

// sqErrCase builds the case R = P − T, returning Σ R², over n elements: the
// loss step of training, which reads P and T and writes R (12 bytes an
// element). The load ceiling of every edgefit implementation is measured
// among the contenders on buffers of the same size.
func sqErrCase(n int) *kernelCase {
	P := newData(4, n)
	T := newData(5, n)
	c := &kernelCase{
		kernel:   "sqerr",
		label:    fmt.Sprint(n),
		size:     float64(n),
		work:     12 * float64(n),
		unit:     "GB/s",
		ceilWork: 8 * float64(n),
	}
	var outs [][]float32
	var sums []*float32
	add := func(name string, run func(R []float32) float32) {
		R := make([]float32, n)
		s := new(float32)
		outs = append(outs, R)
		sums = append(sums, s)
		c.contenders = append(c.contenders, contender{name: name, run: func(iters int) {
			for range iters {
				*s = run(R)
			}
		}})
	}
	for _, im := range edgefit.Implementations() {
		add(edgefitName(im), func(R []float32) float32 { return im.SqErr(R, P, T) })
	}
	add("gonum blas32", func(R []float32) float32 { return gonumSqErr(R, P, T) })
	add("plain Go loop", func(R []float32) float32 { return plainSqErr(R, P, T) })

	for _, im := range edgefit.Implementations() {
		c.ceilings = append(c.ceilings, contender{name: "load ceiling " + im.Name(), run: func(iters int) {
			for range iters {
				// The call goes through the implementation's kernel table, so
				// it runs in full although its result is not kept.
				im.PeakLoad(P, T)
			}
		}})
	}

	// ref returns ΣR² and ΣR in float64 of the float32 differences, and the
	// bound SqErr documents for the error of a float32 sum of squares.
	ref := func() (sq, sum, absSum, tol float64) {
		for i := range P {
			d := float64(P[i] - T[i]) // rounded to float32, as every contender must
			sq += d * d
			sum += d
			absSum += math.Abs(d)
		}
		return sq, sum, absSum, float64(n)*f32eps*sq + 1e-30
	}
	c.check = func() error {
		want, _, _, tol := ref()
		for ci, R := range outs {
			name := c.contenders[ci].name
			for i := range R {
				if R[i] != P[i]-T[i] {
					return fmt.Errorf("%s %s: R[%d] = %g, want P−T = %g", name, c.label, i, R[i], P[i]-T[i])
				}
			}
			if got := float64(*sums[ci]); !(math.Abs(got-want) <= tol) {
				return fmt.Errorf("%s %s: ΣR² = %g, want %g ± %.3g", name, c.label, got, want, tol)
			}
		}
		return nil
	}
	c.corrupt = func(ci int) { outs[ci][n/2] += 1 }
	c.pyData = [][]float32{P, T}
	c.pyArgs = fmt.Sprint(n)
	c.pyCheck = func(sums []float64) error {
		want, sumR, absR, tol := ref()
		// ΣR is summed in float64 on both sides, in different orders.
		if len(sums) != 2 || !(math.Abs(sums[0]-want) <= tol) || !(math.Abs(sums[1]-sumR) <= 1e-7*absR) {
			return fmt.Errorf("(ΣR², ΣR) = %v, want (%g ± %.3g, %g)", sums, want, tol, sumR)
		}
		return nil
	}
	return c
}

// gonumSqErr is the squared error with gonum's float32 level-1 BLAS, which
// has no subtraction: R = P, R += −1·T, then R·R.
func gonumSqErr(R, P, T []float32) float32 {
	r := blas32.Vector{N: len(R), Inc: 1, Data: R}
	blas32.Copy(blas32.Vector{N: len(P), Inc: 1, Data: P}, r)
	blas32.Axpy(-1, blas32.Vector{N: len(T), Inc: 1, Data: T}, r)
	return blas32.Dot(r, r)
}

// plainSqErr is the loop a Go programmer writes without a library.
func plainSqErr(R, P, T []float32) float32 {
	var s float32
	for i := range R {
		d := P[i] - T[i]
		R[i] = d
		s += d * d
	}
	return s
}

// fmaCeilings returns one contender per edgefit implementation running its
// PeakFMA loop, fmaItersPerCall iterations a call.
func fmaCeilings() []contender {
	var cs []contender
	for _, im := range edgefit.Implementations() {
		cs = append(cs, contender{name: "FMA ceiling " + im.Name(), run: func(iters int) {
			for range iters {
				im.PeakFMA(fmaItersPerCall)
			}
		}})
	}
	return cs
}

const fmaItersPerCall = 1000

// Sizes of the kernel sweep, from the tutorial's (5 rows, 3 inputs, 2
// outputs) to 1024³, spread over the orders of magnitude of m·k·n: the
// tutorial's model on a larger batch, training batches of 256 × 64 → 8 and
// 1024 rows of them, and squares. The quick ones are what the tests and
// -quick run.
var (
	matMulShapes = [][3]int{ // m, k, n
		{5, 3, 2}, {256, 3, 2}, {64, 16, 4}, {256, 64, 8}, {1024, 64, 8},
		{128, 128, 128}, {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024},
	}
	matMulShapesQuick = [][3]int{{5, 3, 2}, {15, 3, 2}, {33, 17, 9}, {64, 64, 64}}
	sqErrSizes        = []int{10, 2048, 16 << 10, 128 << 10, 1 << 20, 8 << 20}
	sqErrSizesQuick   = []int{10, 2048, 16<<10 + 3}
)
