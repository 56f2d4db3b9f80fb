package edgefit

// The harness itself is tested: each mutant below is the generic set with one
// kernel broken in a way SIMD kernels break (a lost lane, a tail that reads or
// writes one element too far, a stride ignored, G read when β = 0, too little
// precision), and the suite must reject every one. Without this, a check that
// can never fail would look the same as a check that passes.

import (
	"iter"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"testing"
	"unsafe"
)

// overReadSink keeps the compiler from discarding a mutant's stray load.
var overReadSink float32

// at returns the element i places from &s[0], inside the slice or not:
// what an assembly loop does.
func at(s []float32, i int) *float32 {
	return (*float32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), i*4))
}

func mutant(name string, edit func(k *kernels)) *Impl {
	im := &Impl{name: name, k: generic.k}
	edit(&im.k)
	return im
}

var mutants = []struct {
	im     *Impl
	caught string // which test catches it
	faults bool   // caught only where guard pages fault
	gen    func(t *testing.T) (placer, iter.Seq[kcase])
}{
	{mutant("dot-loses-lane-7", func(k *kernels) {
		k.dot = func(x, y []float32) float32 {
			var s float32
			for i := range x {
				if i%8 != 7 {
					s += x[i] * y[i]
				}
			}
			return s
		}
	}), "sweep (integer data)", false, dotSweep},
	{mutant("dot-reads-one-past", func(k *kernels) {
		k.dot = func(x, y []float32) float32 {
			overReadSink = *at(x, len(x)) // a full-vector load of a tail
			return dotGeneric(x, y)
		}
	}), "guard page at end", true, fenced(true)},
	{mutant("dot-reads-one-before", func(k *kernels) {
		k.dot = func(x, y []float32) float32 {
			overReadSink = *at(y, -1)
			return dotGeneric(x, y)
		}
	}), "guard page at start", true, fenced(false)},
	{mutant("axpy-writes-one-past", func(k *kernels) {
		k.axpy = func(alpha float32, x, y []float32) {
			axpyGeneric(alpha, x, y)
			*at(y, len(y)) = 0
		}
	}), "guards", false, axpySweep},
	{mutant("sqerr-sum-loses-last-of-odd", func(k *kernels) {
		k.sqErr = func(r, p, t []float32) float32 {
			s := sqErrGeneric(r, p, t)
			if n := len(r); n%2 == 1 {
				s -= r[n-1] * r[n-1]
			}
			return s
		}
	}), "sweep", false, sqErrSweep},
	{mutant("matmul-ignores-ldx", func(k *kernels) {
		k.matMulBias = func(m, n, kk int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
			matMulBiasGeneric(m, n, kk, x, kk, w, ldw, b, y, ldy)
		}
	}), "sweep (padded strides)", false, mmSweep},
	{mutant("matmul-writes-row-gap", func(k *kernels) {
		k.matMulBias = func(m, n, kk int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
			matMulBiasGeneric(m, n, kk, x, ldx, w, ldw, b, y, ldy)
			if m > 1 && ldy > n {
				y[n] = 0 // a full-width store of row 0 spilling into the gap
			}
		}
	}), "guards in row gaps", false, mmSweep},
	{mutant("matmul-half-precision", func(k *kernels) {
		k.matMulBias = func(m, n, kk int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
			matMulBiasGeneric(m, n, kk, x, ldx, w, ldw, b, y, ldy)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					v := &y[i*ldy+j] // keep 11 significant bits, as float16 would
					*v = math.Float32frombits(math.Float32bits(*v) &^ 0xfff)
				}
			}
		}
	}), "sweep (real data, tolerance)", false, mmSweep},
	{mutant("gradw-reads-G-when-beta-0", func(k *kernels) {
		k.gradW = func(m, n, kk int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
			for j := 0; j < n; j++ {
				for p := 0; p < kk; p++ {
					var s float32
					for i := 0; i < m; i++ {
						s += r[i*ldr+j] * x[i*ldx+p]
					}
					g[j*ldg+p] = alpha*s + beta*g[j*ldg+p] // 0·G is NaN when G is
				}
			}
		}
	}), "β = 0 with NaN in G", false, gwSweep},
	{mutant("colsums-ignores-beta", func(k *kernels) {
		k.colSums = func(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
			colSumsGeneric(m, n, alpha, r, ldr, 0, g)
		}
	}), "sweep", false, csSweep},
	{mutant("sqerrsum-drops-nan-lane", func(k *kernels) {
		k.sqErrSum = func(p, t []float32) float32 {
			var s float32
			for i := range p {
				if d := p[i] - t[i]; d == d { // a max/min-style reduction that drops NaN
					s += d * d
				}
			}
			return s
		}
	}), "NaN propagation", false, sqErrSumPlanted},
	{mutant("gather-skips-last-row", func(k *kernels) {
		k.gatherRows = func(kk int, idx []int, x []float32, ldx int, y []float32, ldy int) {
			gatherRowsGeneric(kk, idx[:len(idx)-1], x, ldx, y, ldy)
		}
	}), "sweep (stale rows of Y)", false, grSweep},
	{mutant("gather-tail-off-by-one", func(k *kernels) {
		k.gatherRows = func(kk int, idx []int, x []float32, ldx int, y []float32, ldy int) {
			for i, r := range idx {
				n := kk
				if kk%8 != 0 {
					n-- // a tail loop that stops one short
				}
				copy(y[i*ldy:i*ldy+n], x[r*ldx:r*ldx+n])
			}
		}
	}), "sweep (stale last elements)", false, grSweep},
	{mutant("gather-ignores-ldy", func(k *kernels) {
		k.gatherRows = func(kk int, idx []int, x []float32, ldx int, y []float32, ldy int) {
			gatherRowsGeneric(kk, idx, x, ldx, y, kk)
		}
	}), "sweep (padded strides)", false, grSweep},
	{mutant("gather-ignores-ldx", func(k *kernels) {
		k.gatherRows = func(kk int, idx []int, x []float32, ldx int, y []float32, ldy int) {
			gatherRowsGeneric(kk, idx, x, kk, y, ldy)
		}
	}), "sweep (padded strides)", false, grSweep},
	{mutant("gather-writes-row-gap", func(k *kernels) {
		k.gatherRows = func(kk int, idx []int, x []float32, ldx int, y []float32, ldy int) {
			gatherRowsGeneric(kk, idx, x, ldx, y, ldy)
			if len(idx) > 1 && ldy > kk {
				y[kk] = y[kk-1] // a full-vector store of row 0 spilling into the gap
			}
		}
	}), "guards in row gaps", false, grSweep},
	{mutant("gather-through-arithmetic", func(k *kernels) {
		k.gatherRows = func(kk int, idx []int, x []float32, ldx int, y []float32, ldy int) {
			for i, r := range idx {
				for j := 0; j < kk; j++ {
					y[i*ldy+j] = x[r*ldx+j] + 0 // −0 becomes +0, signalling NaNs quiet
				}
			}
		}
	}), "bitwise comparison", false, grSweep},
	{mutant("gather-reads-one-past-row", func(k *kernels) {
		k.gatherRows = func(kk int, idx []int, x []float32, ldx int, y []float32, ldy int) {
			for _, r := range idx {
				overReadSink += *at(x, r*ldx+kk) // a full-vector load of a row's tail
			}
			gatherRowsGeneric(kk, idx, x, ldx, y, ldy)
		}
	}), "guard page at end", true, fenced(true)},
	{mutant("gather-reads-index-past-end", func(k *kernels) {
		k.gatherRows = func(kk int, idx []int, x []float32, ldx int, y []float32, ldy int) {
			// A prefetch address computed from idx[len(idx)], as a loop
			// that does not stop asking for rows ahead would; the row
			// itself is not read (prefetches do not fault), the index is.
			overReadSink += float32(*(*int)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(idx)), len(idx)*8)))
			gatherRowsGeneric(kk, idx, x, ldx, y, ldy)
		}
	}), "guard page after idx", true, fenced(true)},
	{mutant("prefetch-reads-index-past-end", func(k *kernels) {
		k.prefetchRows = func(kk int, idx []int, x []float32, ldx int) {
			// Asking for idx[i+1] ahead without stopping at the end.
			overReadSink += float32(*(*int)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(idx)), len(idx)*8)))
		}
	}), "guard page after idx", true, fenced(true)},
	{mutant("prefetch-loads-and-stores-rows", func(k *kernels) {
		k.prefetchRows = func(kk int, idx []int, x []float32, ldx int) {
			for _, r := range idx {
				for j := 0; j < kk; j++ {
					x[r*ldx+j] += 0 // "touching" the rows: −0 becomes +0, signalling NaNs quiet
				}
			}
		}
	}), "X unchanged, bitwise", false, prSweep},
	{mutant("prefetch-sorts-idx", func(k *kernels) {
		k.prefetchRows = func(kk int, idx []int, x []float32, ldx int) {
			slices.Sort(idx) // for locality, in the caller's slice
		}
	}), "idx unchanged", false, prSweep},
	{mutant("standardize-multiplies-by-reciprocal", func(k *kernels) {
		k.standardize = func(m, kk int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
			for i := 0; i < m; i++ {
				for p := 0; p < kk; p++ {
					d[i*ldd+p] = (x[i*ldx+p] - mean[p]) * (1 / scale[p]) // two roundings
				}
			}
		}
	}), "bitwise comparison", false, stdSweep},
	{mutant("standardize-ignores-ldd", func(k *kernels) {
		k.standardize = func(m, kk int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
			standardizeGeneric(m, kk, x, ldx, mean, scale, d, kk)
		}
	}), "sweep (padded strides)", false, stdSweep},
	{mutant("standardize-writes-row-gap", func(k *kernels) {
		k.standardize = func(m, kk int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
			standardizeGeneric(m, kk, x, ldx, mean, scale, d, ldd)
			if m > 1 && ldd > kk {
				d[kk] = 0 // a full-vector store of row 0 spilling into the gap
			}
		}
	}), "guards in row gaps", false, stdSweep},
	{mutant("standardize-reads-one-past-row", func(k *kernels) {
		k.standardize = func(m, kk int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
			overReadSink = *at(x, (m-1)*ldx+kk) // a full-vector load of the last row's tail
			standardizeGeneric(m, kk, x, ldx, mean, scale, d, ldd)
		}
	}), "guard page at end", true, fenced(true)},
	{mutant("standardize-reads-mean-past-k", func(k *kernels) {
		k.standardize = func(m, kk int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
			overReadSink = *at(mean, kk)
			standardizeGeneric(m, kk, x, ldx, mean, scale, d, ldd)
		}
	}), "guard page at end", true, fenced(true)},
	{mutant("peakload-skips-last", func(k *kernels) {
		k.peakLoad = func(x, y []float32) float32 { return peakLoadGeneric(x[:len(x)-1], y[:len(x)-1]) }
	}), "PeakLoad NaN at every position", false, peakLoadPlanted},
}

func smallSweep(mk func(r *rand.Rand, d []int, mode dataMode) kcase, nd int) func(*testing.T) (placer, iter.Seq[kcase]) {
	return func(*testing.T) (placer, iter.Seq[kcase]) {
		return heapPlacer{}, func(yield func(kcase) bool) {
			r := rand.New(rand.NewPCG(40, 40))
			i := 0
			for d := range sweep(nd) {
				if d[0] > 20 || (nd > 1 && d[1] > 20) || (nd > 2 && d[2] > 20) {
					continue
				}
				if !yield(mk(r, d, modeOf(i))) {
					return
				}
				i++
			}
		}
	}
}

var (
	dotSweep   = smallSweep(func(r *rand.Rand, d []int, mode dataMode) kcase { return newVec(r, "Dot", d[0], mode) }, 1)
	axpySweep  = smallSweep(func(r *rand.Rand, d []int, mode dataMode) kcase { return newVec(r, "Axpy", d[0], mode) }, 1)
	sqErrSweep = smallSweep(func(r *rand.Rand, d []int, mode dataMode) kcase { return newSE(r, d[0], false, mode) }, 1)
	mmSweep    = smallSweep(func(r *rand.Rand, d []int, mode dataMode) kcase { return newMM(r, d[0], d[1], d[2], mode) }, 3)
	gwSweep    = smallSweep(func(r *rand.Rand, d []int, mode dataMode) kcase { return newGW(r, d[0], d[1], d[2], mode) }, 3)
	csSweep    = smallSweep(func(r *rand.Rand, d []int, mode dataMode) kcase { return newCS(r, d[0], d[1], mode) }, 2)
	grSweep    = smallSweep(func(r *rand.Rand, d []int, _ dataMode) kcase {
		return newGR(r, 1+r.IntN(20), d[0], d[1], r.IntN(numOrders))
	}, 2)
	prSweep = smallSweep(func(r *rand.Rand, d []int, _ dataMode) kcase {
		return newPR(r, 1+r.IntN(20), d[0], d[1], r.IntN(numOrders))
	}, 2)
	stdSweep = smallSweep(func(r *rand.Rand, d []int, mode dataMode) kcase { return newStd(r, d[0], d[1], mode) }, 2)
)

func fenced(atEnd bool) func(*testing.T) (placer, iter.Seq[kcase]) {
	return func(t *testing.T) (placer, iter.Seq[kcase]) {
		return newFencePlacer(t, atEnd, smallFence), tailCases(41)
	}
}

func sqErrSumPlanted(*testing.T) (placer, iter.Seq[kcase]) {
	return heapPlacer{}, planted(func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(42, 42))
		for n := 1; n <= 20; n++ {
			if !yield(newSE(r, n, true, realData)) {
				return
			}
		}
	}, 0)
}

func peakLoadPlanted(*testing.T) (placer, iter.Seq[kcase]) {
	return heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(43, 43))
		for n := 1; n <= 20; n++ {
			c := newPL(r, n)
			c.y[n-1] = nan
			if !yield(c) {
				return
			}
		}
	}
}

// failures runs the cases on im and counts the failing ones.
func failures(im *Impl, p placer, gen iter.Seq[kcase]) (failed int, first string) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	for c := range gen {
		if rs, ok := p.(resetter); ok {
			rs.reset()
		}
		if errs := c.run(im, p); errs.n > 0 {
			if failed == 0 {
				first = c.String() + ": " + errs.msgs[0]
			}
			failed++
		}
	}
	return failed, first
}

func TestHarnessCatchesMutants(t *testing.T) {
	for _, mu := range mutants {
		if mu.faults && !fencesFault {
			continue // reads past the end are only caught with guard pages
		}
		p, gen := mu.gen(t)
		// The same cases pass on generic, so a failure is the mutant's.
		if n, first := failures(generic, p, gen); n != 0 {
			t.Fatalf("generic fails the cases meant for mutant %s: %s", mu.im, first)
		}
		n, first := failures(mu.im, p, gen)
		if n == 0 {
			t.Errorf("mutant %s passed every case: the %s check does not work", mu.im, mu.caught)
		} else {
			t.Logf("mutant %s: %d failing cases (%s), first: %.150s", mu.im, n, mu.caught, first)
		}
	}
}

// TestSubnormalCheckCatchesMutants: the check of what a set does with
// subnormals and NaN payloads (specials_test.go) rejects a Dot that flushes
// a subnormal result in a set said to follow IEEE 754, and a set said to
// flush that does not.
func TestSubnormalCheckCatchesMutants(t *testing.T) {
	flushing := mutant("dot-flushes-subnormals", func(k *kernels) {
		k.dot = func(x, y []float32) float32 {
			if s := dotGeneric(x, y); math.Abs(float64(s)) >= 0x1p-126 {
				return s
			}
			return 0
		}
	})
	claiming := mutant("said-to-flush", func(*kernels) {})
	claiming.flushes = true
	if len(subnormalErrors(generic)) != 0 {
		t.Fatalf("generic fails the subnormal check: %v", subnormalErrors(generic))
	}
	for _, im := range []*Impl{flushing, claiming} {
		if errs := subnormalErrors(im); len(errs) == 0 {
			t.Errorf("mutant %s passed the subnormal check", im)
		} else {
			t.Logf("mutant %s: %d errors, first: %s", im, len(errs), errs[0])
		}
	}
}
