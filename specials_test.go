package edgefit

// NaN and Inf propagate as IEEE 754 says, through every lane: a NaN planted
// in any single input element must make exactly the outputs it feeds NaN (and
// leave the others finite and correct), a single +Inf must give ±Inf there,
// and +Inf and −Inf meeting in one sum must give NaN. The float64 reference
// evaluates the same IEEE rules, so each case is checked exactly as in the
// sweeps. Every element position of every input is tried, for small sizes
// that cover every lane and tail position of the SIMD loops.

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"testing"
)

var (
	nan    = float32(math.NaN())
	posInf = float32(math.Inf(1))
	negInf = float32(math.Inf(-1))
)

// planted yields, for each base case, the case with NaN and then +Inf in
// each single input element and +Inf and −Inf in every pair of elements: of
// all the inputs when they have at most pairCells elements in all, otherwise
// of the first input (the one read along the reduction) when it has that few.
func planted(bases iter.Seq[kcase], pairCells int) iter.Seq[kcase] {
	return func(yield func(kcase) bool) {
		for c := range bases {
			var cells []*float32
			ins := c.inputs()
			for _, in := range ins {
				for i := range in.data {
					cells = append(cells, &in.data[i])
				}
			}
			for _, p := range cells {
				old := *p
				for _, v := range []float32{nan, posInf} {
					*p = v
					if !yield(c) {
						return
					}
				}
				*p = old
			}
			if len(cells) > pairCells {
				cells = cells[:len(ins[0].data)]
				if len(cells) > pairCells {
					continue
				}
			}
			for a, pa := range cells {
				for _, pb := range cells[a+1:] {
					oa, ob := *pa, *pb
					*pa, *pb = posInf, negInf
					if !yield(c) {
						return
					}
					*pa, *pb = oa, ob
				}
			}
		}
	}
}

// Real data are never zero, so that Inf·x is never the NaN of Inf·0 by
// accident of the data; that case is planted on purpose below.
func TestPropagationMatMulBias(t *testing.T) {
	testCases(t, heapPlacer{}, planted(func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(20, 20))
		mk := func(m, n, k int) bool {
			c := newMM(r, m, n, k, realData)
			if c.b == nil && (m+n+k)%2 == 0 {
				c.b = realData.fill(r, n)
			}
			return yield(c)
		}
		for k := 1; k <= maxSweep; k++ {
			if !mk(1, 1, k) {
				return
			}
		}
		for n := 1; n <= 40; n++ {
			if !mk(2, n, 3) {
				return
			}
		}
		for m := 1; m <= 20; m++ {
			if !mk(m, 2, 3) {
				return
			}
		}
		// Shapes with m·n·k ≥ 256, which SIMD sets do not hand to their Go
		// loops for being tiny: every lane of a panel of outputs (along n)
		// and of the reduction (along k), and Inf − Inf across lanes of X's row.
		for _, s := range [][3]int{{3, 9, 17}, {4, 17, 9}, {2, 33, 5}, {1, 40, 8}, {5, 9, 17}, {9, 3, 33}, {1, 1, 257}, {1, 16, 40}, {1, 7, 48}} {
			if !mk(s[0], s[1], s[2]) {
				return
			}
		}
	}, 48))
}

func TestPropagationGradW(t *testing.T) {
	testCases(t, heapPlacer{}, planted(func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(21, 21))
		mk := func(m, n, k int, beta float32) bool {
			c := newGW(r, m, n, k, realData)
			c.alpha, c.beta = realData.value(r), beta
			return yield(c)
		}
		for m := 1; m <= maxSweep; m++ {
			if !mk(m, 1, 1, float32(m%2)) {
				return
			}
		}
		for k := 1; k <= 40; k++ {
			if !mk(2, 3, k, float32(k%2)*0.5) {
				return
			}
		}
		for n := 1; n <= 20; n++ {
			if !mk(2, n, 3, float32(n%2)*-2) {
				return
			}
		}
		// m·n·k ≥ 256 (see TestPropagationMatMulBias), with Inf − Inf down
		// the reduction over m in R's first column when R is small.
		for i, s := range [][3]int{{2, 3, 48}, {3, 7, 17}, {16, 2, 9}, {1, 13, 20}, {70, 1, 4}, {40, 1, 8}, {33, 1, 9}} {
			if !mk(s[0], s[1], s[2], float32(i%2)) {
				return
			}
		}
	}, 48))
}

func TestPropagationColSums(t *testing.T) {
	testCases(t, heapPlacer{}, planted(func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(22, 22))
		mk := func(m, n int, beta float32) bool {
			c := newCS(r, m, n, realData)
			c.alpha, c.beta = realData.value(r), beta
			return yield(c)
		}
		for m := 1; m <= maxSweep; m++ {
			if !mk(m, 1, float32(m%2)) {
				return
			}
		}
		for n := 1; n <= 40; n++ {
			if !mk(2, n, float32(n%2)*3) {
				return
			}
		}
		// m·n ≥ 64, where SIMD sets do not hand the sums to a Go loop:
		// every lane along n, the reduction along m, and Inf − Inf down a
		// column of a 16×3 R.
		for n := 1; n <= 40; n++ {
			if !mk(8, n, float32(n%2)) {
				return
			}
		}
		for _, s := range [][2]int{{22, 3}, {33, 2}, {65, 1}, {70, 3}, {16, 3}, {24, 2}} {
			if !mk(s[0], s[1], 0) {
				return
			}
		}
	}, 48))
}

func TestPropagationVectors(t *testing.T) {
	testCases(t, heapPlacer{}, planted(func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(23, 23))
		for n := 1; n <= maxSweep; n++ {
			ax := newVec(r, "Axpy", n, realData)
			ax.alpha = realData.value(r)
			if !yield(newSE(r, n, false, realData)) || !yield(newSE(r, n, true, realData)) ||
				!yield(newVec(r, "Dot", n, realData)) || !yield(ax) {
				return
			}
		}
	}, 48))
}

// TestPropagationPeakLoad: a NaN at any position must reach the result.
func TestPropagationPeakLoad(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(24, 24))
		for n := 1; n <= maxSweep; n++ {
			c := newPL(r, n)
			for _, in := range c.inputs() {
				for i := range in.data {
					old := in.data[i]
					in.data[i] = nan
					if !yield(c) {
						return
					}
					in.data[i] = old
				}
			}
		}
	})
}

// TestSpecialScalars: α and β of NaN or ±Inf, and Inf·0 in the data. Integer
// data make every sum exact, so that Inf·s is NaN exactly when s is 0 in
// every implementation.
func TestSpecialScalars(t *testing.T) {
	specials := []float32{nan, posInf, negInf}
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(25, 25))
		for i, s := range [][3]int{{0, 1, 1}, {1, 1, 1}, {3, 5, 7}, {17, 8, 33}, {9, 3, 70}, {70, 2, 2}} {
			for _, sp := range specials {
				for _, which := range []int{0, 1} {
					c := newGW(r, s[0], s[1], s[2], intData)
					d := newCS(r, s[0], s[2], intData)
					a := newVec(r, "Axpy", s[2]+i, intData)
					if which == 0 {
						c.alpha, d.alpha, a.alpha = sp, sp, sp
					} else {
						c.beta, d.beta = sp, sp
						a.x[0] = 0 // Inf·0 in Axpy's data instead
						a.alpha = sp
					}
					if !yield(c) || !yield(d) || !yield(a) {
						return
					}
				}
			}
		}
		// Inf·0 inside the sums of MatMulBias (big enough for SIMD paths
		// from k = 4) and Dot.
		for k := 1; k <= 20; k++ {
			c := newMM(r, 4, 17, k, intData)
			c.X[k-1], c.W[k-1] = posInf, 0
			v := newVec(r, "Dot", k, intData)
			v.x[k-1], v.y[k-1] = 0, negInf
			if !yield(c) || !yield(v) {
				return
			}
		}
	})
}

// TestSubnormalsAndNaNs states what each implementation does with subnormal
// numbers and NaN payloads, which the sweeps (data far from both) never
// meet. IEEE 754 arithmetic, which the Go kernels, avx2 and arm64's NEON
// follow, keeps a subnormal result (gradual underflow) and the payload of
// its one NaN operand. ARMv7 NEON (the neon set on GOARCH=arm, flushes set)
// flushes subnormal operands and results to zero and returns the default
// NaN, 0x7fc00000, whatever the operands' payloads. (Payloads are checked
// only there: Go's software floating point, GOARM=5, drops them too.)
func TestSubnormalsAndNaNs(t *testing.T) {
	for _, im := range Implementations() {
		for _, e := range subnormalErrors(im) {
			t.Errorf("%s: %s", im, e)
		}
	}
}

// subnormalErrors returns what im does against what its flushes says.
func subnormalErrors(im *Impl) []string {
	var errs []string
	sub := float32(math.Ldexp(1, -127)) // subnormal, and the product of two normals
	x, y := float32(math.Ldexp(1, -64)), float32(math.Ldexp(1, -63))
	const payload = 0x7fc12345
	wantSub, wantNaN := sub, uint32(0) // any NaN
	if im.flushes {
		wantSub, wantNaN = 0, 0x7fc00000
	}
	check := func(what string, got float32) {
		if math.Float32bits(got) != math.Float32bits(wantSub) {
			errs = append(errs, fmt.Sprintf("%s = %g, want %g (flushes %v)", what, got, wantSub, im.flushes))
		}
	}
	for _, n := range []int{1, 4, 20} { // the scalar tail, a vector, both
		at := n - 1
		a, b := make([]float32, n), make([]float32, n)
		a[at], b[at] = x, y
		check(fmt.Sprintf("Dot of %d with one subnormal product", n), im.Dot(a, b))
		a[at], b[at] = sub, 0
		r := make([]float32, n)
		im.SqErr(r, a, b)
		check(fmt.Sprintf("SqErr's R[%d] = subnormal − 0", at), r[at])
		b[at] = 0
		im.Axpy(1, b, a)
		check(fmt.Sprintf("Axpy's y[%d] = subnormal + 1·0", at), a[at])
		a[at] = math.Float32frombits(payload)
		got := im.SqErrSum(a, b)
		if bits := math.Float32bits(got); got == got || im.flushes && bits != wantNaN {
			errs = append(errs, fmt.Sprintf("SqErrSum of %d with one NaN %#08x = %#08x, want a NaN (flushes %v: %#08x)", n, uint32(payload), bits, im.flushes, wantNaN))
		}
	}
	for _, k := range []int{1, 8} {
		X, W, Y := make([]float32, 4*k), make([]float32, 3*k), make([]float32, 4*3)
		im.MatMulBias(4, 3, k, X, k, W, k, []float32{sub, sub, sub}, Y, 3)
		check(fmt.Sprintf("MatMulBias (k = %d) of zeros plus a subnormal bias", k), Y[11])
	}
	return errs
}
