package edgefit

// The proof that every implementation computes what kernels.go documents:
// every kernel of every implementation in Implementations() (so a new SIMD set
// is covered as soon as dispatch lists it) against the float64 reference, for
// every size 0..70 in each dimension with the others at 1, 3, 8 and 17, for
// large sizes, at every alignment, with padded strides, with guards around
// every operand and in the gaps between rows. Half of the cases use integer
// data and must be exact; see ref_test.go for the tolerances.

import (
	"iter"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"testing"
)

// maxSweep is the largest size of the exhaustive sweeps: past two full
// unrolled iterations of 8-lane AVX2 registers × 4 accumulators (64) and of
// NEON's 4 lanes × 16, so every tail length of every loop is reached.
const maxSweep = 70

// sweepOthers are the sizes of the dimensions not being swept.
var sweepOthers = []int{1, 3, 8, 17}

// sweep yields every size 0..maxSweep of each of nd dimensions, with every
// combination of sweepOthers for the other dimensions.
func sweep(nd int) iter.Seq[[]int] {
	return func(yield func([]int) bool) {
		combos := 1
		for range nd - 1 {
			combos *= len(sweepOthers)
		}
		for d := 0; d < nd; d++ {
			for v := 0; v <= maxSweep; v++ {
				for c := 0; c < combos; c++ {
					dims := make([]int, nd)
					for e, cc := 0, c; e < nd; e++ {
						if e == d {
							dims[e] = v
							continue
						}
						dims[e] = sweepOthers[cc%len(sweepOthers)]
						cc /= len(sweepOthers)
					}
					if !yield(dims) {
						return
					}
				}
			}
		}
	}
}

// testCases runs the cases gen yields on every implementation, checking each
// against the float64 reference and every SIMD result against generic's on
// the same case. gen must be deterministic so that every implementation sees
// the same cases.
//
// The calling test runs in parallel with the other such tests (never with
// TestNoAllocations, whose counts are global: Go runs parallel tests only
// after all sequential ones).
func testCases(t *testing.T, p placer, gen iter.Seq[kcase]) {
	t.Helper()
	t.Parallel()
	for _, im := range Implementations() {
		t.Run(im.Name(), func(t *testing.T) {
			// A fault past a guard page becomes a panic that call reports.
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			failed, n := 0, 0
			for c := range gen {
				n++
				if rs, ok := p.(resetter); ok {
					rs.reset()
				}
				errs := c.run(im, p)
				if errs.n == 0 && im != generic {
					// The documented contract proper: within 2·γₙ·S of the
					// Go loop, run on the same case.
					res := *c.last()
					if rs, ok := p.(resetter); ok {
						rs.reset()
					}
					if c.run(generic, p).n == 0 {
						compareWithGeneric(errs, res, *c.last())
					}
				}
				if errs.n > 0 {
					t.Errorf("%s:\n\t%s", c, errs)
					if failed++; failed == 10 {
						t.Fatalf("stopping after %d failing cases", failed)
					}
				}
			}
			if n == 0 {
				t.Fatal("no cases")
			}
		})
	}
}

// modeOf alternates the data mode from case to case.
func modeOf(i int) dataMode { return dataMode(i % 2) }

// Large shapes: long reductions and wide outputs, with sizes just past
// powers of two where unrolled loops hand over to their tails.
var (
	largeVec = []int{127, 128, 129, 255, 256, 257, 1000, 1023, 1024, 1025, 4103, 65539}
	largeMM  = [][3]int{{1, 1, 1000}, {1, 1, 4099}, {2, 3, 1027}, {67, 13, 259}, {5, 1029, 3}, {1029, 5, 7}, {129, 65, 33}, {1, 257, 257}}
	largeGW  = [][3]int{{1000, 1, 1}, {4099, 2, 3}, {1027, 9, 17}, {67, 13, 259}, {3, 257, 129}, {33, 65, 129}, {1, 1, 1029}}
	largeCS  = [][2]int{{1000, 1}, {4099, 3}, {1027, 17}, {3, 1029}, {65, 257}, {1, 4097}}
)

func TestMatMulBias(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(1, 1))
		i := 0
		for d := range sweep(3) {
			if !yield(newMM(r, d[0], d[1], d[2], modeOf(i))) {
				return
			}
			i++
		}
		for _, s := range largeMM {
			for _, mode := range []dataMode{realData, intData} {
				if !yield(newMM(r, s[0], s[1], s[2], mode)) {
					return
				}
			}
		}
	})
}

func TestGradW(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(2, 2))
		i := 0
		for d := range sweep(3) {
			if !yield(newGW(r, d[0], d[1], d[2], modeOf(i))) {
				return
			}
			i++
		}
		for _, s := range largeGW {
			for _, mode := range []dataMode{realData, intData} {
				if !yield(newGW(r, s[0], s[1], s[2], mode)) {
					return
				}
			}
		}
	})
}

func TestColSums(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(3, 3))
		i := 0
		for d := range sweep(2) {
			if !yield(newCS(r, d[0], d[1], modeOf(i))) {
				return
			}
			i++
		}
		for _, s := range largeCS {
			for _, mode := range []dataMode{realData, intData} {
				if !yield(newCS(r, s[0], s[1], mode)) {
					return
				}
			}
		}
	})
}

// vectorCases yields, for every length 0..maxSweep and every start offset
// 0..7 of the first operand (the others at random offsets), then for the
// large lengths, the case mk makes.
func vectorCases(seed uint64, mk func(r *rand.Rand, n int, mode dataMode) kcase) iter.Seq[kcase] {
	return func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(seed, seed))
		i := 0
		for n := 0; n <= maxSweep; n++ {
			for off := 0; off < 8; off++ {
				c := mk(r, n, modeOf(i))
				setFirstOffset(c, off)
				if !yield(c) {
					return
				}
				i++
			}
		}
		for _, n := range largeVec {
			for _, mode := range []dataMode{realData, intData} {
				if !yield(mk(r, n, mode)) {
					return
				}
			}
		}
	}
}

func setFirstOffset(c kcase, off int) {
	switch c := c.(type) {
	case *seCase:
		c.lp.off = off
	case *vecCase:
		c.lx.off = off
	case *plCase:
		c.lx.off = off
	}
}

func TestSqErr(t *testing.T) {
	testCases(t, heapPlacer{}, vectorCases(4, func(r *rand.Rand, n int, mode dataMode) kcase { return newSE(r, n, false, mode) }))
}

func TestSqErrSum(t *testing.T) {
	testCases(t, heapPlacer{}, vectorCases(5, func(r *rand.Rand, n int, mode dataMode) kcase { return newSE(r, n, true, mode) }))
}

func TestDot(t *testing.T) {
	testCases(t, heapPlacer{}, vectorCases(6, func(r *rand.Rand, n int, mode dataMode) kcase { return newVec(r, "Dot", n, mode) }))
}

func TestAxpy(t *testing.T) {
	testCases(t, heapPlacer{}, vectorCases(7, func(r *rand.Rand, n int, mode dataMode) kcase { return newVec(r, "Axpy", n, mode) }))
}

func TestPeakLoad(t *testing.T) {
	testCases(t, heapPlacer{}, vectorCases(8, func(r *rand.Rand, n int, _ dataMode) kcase { return newPL(r, n) }))
}

func TestPeakFMA(t *testing.T) {
	for _, im := range Implementations() {
		for _, iters := range []int{-1, 0, 1, 3, 100} {
			want := int64(max(iters, 0)) * PeakFMAFlopsPerIter
			if got := im.PeakFMA(iters); got != want {
				t.Errorf("%s: PeakFMA(%d) = %d flops, want %d", im, iters, got, want)
			}
		}
	}
}

// The special cases the sweeps reach only at random, each made explicit.

// TestBetaZeroDoesNotReadG: with β = 0, G (and ColSums' g) holds NaN before
// the call and must come out finite and correct, for α = 0 too (then G must
// be exactly zero).
func TestBetaZeroDoesNotReadG(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(9, 9))
		for i, s := range [][3]int{{0, 1, 1}, {1, 1, 1}, {3, 5, 7}, {17, 8, 33}, {4, 65, 9}, {9, 3, 70}} {
			for _, alpha := range []float32{0, 1, -0.25} {
				c := newGW(r, s[0], s[1], s[2], modeOf(i))
				c.alpha, c.beta = alpha, 0
				d := newCS(r, s[0], s[2], modeOf(i))
				d.alpha, d.beta = alpha, 0
				if !yield(c) || !yield(d) {
					return
				}
			}
		}
	})
}

// TestBetaNonZero: β ≠ 0 accumulates into G, with α = 0 leaving β·G.
func TestBetaNonZero(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(10, 10))
		for i, s := range [][3]int{{0, 2, 3}, {1, 1, 1}, {3, 5, 7}, {17, 8, 33}, {4, 65, 9}, {9, 3, 70}} {
			for _, ab := range [][2]float32{{1, 1}, {0, 1}, {0.5, -2}, {-3, 0.75}} {
				c := newGW(r, s[0], s[1], s[2], modeOf(i))
				c.alpha, c.beta = ab[0], ab[1]
				d := newCS(r, s[0], s[2], modeOf(i))
				d.alpha, d.beta = ab[0], ab[1]
				if !yield(c) || !yield(d) {
					return
				}
			}
		}
	})
}

// TestNilBias: b == nil means no bias, for every k (including 0, where Y
// must be exactly zero) and every width.
func TestNilBias(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(11, 11))
		for n := 0; n <= maxSweep; n++ {
			for _, k := range []int{0, 1, 9} {
				c := newMM(r, 3, n, k, modeOf(n))
				c.b = nil
				if !yield(c) {
					return
				}
			}
		}
	})
}

// TestSqErrAliasing: R may be P or T itself.
func TestSqErrAliasing(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(12, 12))
		for n := 0; n <= maxSweep; n++ {
			for _, alias := range []int{aliasRP, aliasRT} {
				c := newSE(r, n, false, modeOf(n))
				c.alias = alias
				if !yield(c) {
					return
				}
			}
		}
	})
}

// TestAlphaZero: Axpy with α = 0 leaves y exactly as it was; GradW and
// ColSums with α = 0 are covered by the β tests above.
func TestAlphaZero(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(13, 13))
		for n := 0; n <= maxSweep; n++ {
			c := newVec(r, "Axpy", n, realData)
			c.alpha = 0
			if !yield(c) {
				return
			}
		}
	})
}

// TestPackageFuncsRunActive: the package-level functions give exactly what
// Active's methods give.
func TestPackageFuncsRunActive(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 14))
	im := Active()
	const m, n, k = 5, 7, 19
	X, W, b := realData.fill(r, m*k), realData.fill(r, n*k), realData.fill(r, n)
	P, T := realData.fill(r, m*n), realData.fill(r, m*n)
	y1, y2 := make([]float32, m*n), make([]float32, m*n)
	MatMulBias(m, n, k, X, k, W, k, b, y1, n)
	im.MatMulBias(m, n, k, X, k, W, k, b, y2, n)
	r1, r2 := make([]float32, m*n), make([]float32, m*n)
	s1, s2 := SqErr(r1, P, T), im.SqErr(r2, P, T)
	e1, e2 := SqErrSum(P, T), im.SqErrSum(P, T)
	g1, g2 := make([]float32, n*k), make([]float32, n*k)
	GradW(m, n, k, 0.5, r1, n, X, k, 0, g1, k)
	im.GradW(m, n, k, 0.5, r2, n, X, k, 0, g2, k)
	c1, c2 := make([]float32, n), make([]float32, n)
	ColSums(m, n, 0.5, r1, n, 0, c1)
	im.ColSums(m, n, 0.5, r2, n, 0, c2)
	a1, a2 := append([]float32(nil), X...), append([]float32(nil), X...)
	Axpy(-0.1, X, a1)
	im.Axpy(-0.1, X, a2)
	d1, d2 := Dot(X, a1), im.Dot(X, a2)
	idx := []int{4, 0, 2, 2}
	x1, x2 := make([]float32, len(idx)*k), make([]float32, len(idx)*k)
	GatherRows(k, idx, X, k, x1, k)
	im.GatherRows(k, idx, X, k, x2, k)
	z1, z2 := make([]float32, m*k), make([]float32, m*k)
	Standardize(m, k, X, k, W[:k], a1[:k], z1, k)
	im.Standardize(m, k, X, k, W[:k], a1[:k], z2, k)
	same := func(what string, a, b []float32) {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Errorf("%s[%d]: package function %v, %s method %v", what, i, a[i], im, b[i])
				return
			}
		}
	}
	same("MatMulBias", y1, y2)
	same("SqErr", append(r1, s1), append(r2, s2))
	same("SqErrSum", []float32{e1}, []float32{e2})
	same("GradW", g1, g2)
	same("ColSums", c1, c2)
	same("Axpy", a1, a2)
	same("Dot", []float32{d1}, []float32{d2})
	same("GatherRows", x1, x2)
	same("Standardize", z1, z2)
}

// streamingLen is a length from which an implementation may use streaming
// stores (avx2's SqErr does from 2²⁰).
const streamingLen = 1 << 20

// TestSqErrStreaming: lengths past 2²⁰, where an implementation may switch to
// streaming (non-temporal) stores of R, which need aligned addresses: every
// start offset of R 0..7, with tails of every length 0..7 and aliasing.
func TestSqErrStreaming(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(15, 15))
		const n = streamingLen
		data := [2][2][]float32{ // [mode][P, T], shared by the cases to save time
			{realData.fill(r, n+8), realData.fill(r, n+8)},
			{intData.fill(r, n+8), intData.fill(r, n+8)},
		}
		for off := 0; off < 8; off++ {
			c := newSE(r, 0, false, modeOf(off))
			tail := (off * 5) % 8
			c.P, c.T = data[c.mode][0][:n+tail], data[c.mode][1][:n+tail]
			c.lr.off, c.alias = off, []int{noAlias, noAlias, aliasRP, aliasRT}[off%4]
			if c.alias == aliasRP {
				c.lp.off = off
			} else if c.alias == aliasRT {
				c.lt.off = off
			}
			if !yield(c) {
				return
			}
		}
	})
}
