package edgefit

// The proof of Standardize, for every implementation: each element is the Go
// loop's (x − mean)/scale bit for bit (the subtraction and the division are
// each correctly rounded, in every set, with NaN payloads as the Go loop
// gives them), for every row length 0..70 and some long ones, several rows,
// padded strides, every alignment, D == X in place, guards around and
// between the rows of every operand, and NaN, ±Inf, ±0, subnormal and huge
// values among the inputs, the means and the scales.

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"testing"
)

type stdCase struct {
	m, k           int
	X, mean, scale []float32 // compact
	inPlace        bool      // D is X
	lx, ld, lm, ls lay
	mode           string
	result
}

// newStd draws an m×k case: values of mode, scales of mode without zeros
// (a zero is a special, drawn in TestStandardizeSpecials), in place one time
// in three.
func newStd(r *rand.Rand, m, k int, mode dataMode) *stdCase {
	c := &stdCase{m: m, k: k, X: mode.fill(r, m*k), mean: mode.fill(r, k), scale: mode.fill(r, k),
		inPlace: r.IntN(3) == 0, lx: randLay(r), ld: randLay(r), lm: randLay(r), ls: randLay(r), mode: mode.String()}
	c.lm.pad, c.ls.pad = 0, 0
	for i, s := range c.scale {
		if s == 0 {
			c.scale[i] = 3
		}
	}
	return c
}

// newStdBits is newStd with arbitrary bits, one in four a special, in every
// operand (gatherBits).
func newStdBits(r *rand.Rand, m, k int) *stdCase {
	c := newStd(r, m, k, realData)
	c.X, c.mean, c.scale, c.mode = gatherBits(r, m*k), gatherBits(r, k), gatherBits(r, k), "bits"
	return c
}

// newStdContiguous is newStd with rows end to end in X and D (strides k),
// flush against whatever follows: the layout the SIMD sets run as long rows
// of whole vectors (splitter.runs).
func newStdContiguous(r *rand.Rand, m, k int, mode dataMode, inPlace bool) *stdCase {
	c := newStd(r, m, k, mode)
	c.inPlace = inPlace
	c.lx.pad, c.ld.pad, c.lx.extra, c.ld.extra = 0, 0, 0, 0
	return c
}

func (c *stdCase) String() string {
	in := ""
	if c.inPlace {
		in = " D=X"
	}
	return fmt.Sprintf("Standardize m=%d k=%d%s %s X:%v D:%v mean:%v scale:%v", c.m, c.k, in, c.mode, c.lx, c.ld, c.lm, c.ls)
}

func (c *stdCase) inputs() []named {
	return []named{{"X", c.X}, {"mean", c.mean}, {"scale", c.scale}}
}

// refStandardize returns the bits of the Go loop's elements, and reports
// any that differ from the float64 computation rounded to float32 after
// each operation (float64's 53 bits make both roundings exact ones: the
// loop's float32 arithmetic is correctly rounded, or the test is wrong).
func refStandardize(m, k int, X, mean, scale []float32) ([]uint32, []want, error) {
	bits, ws := make([]uint32, m*k), make([]want, m*k, m*k+1)
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			x, mu, s := X[i*k+p], mean[p], scale[p]
			d := (x - mu) / s
			d64 := float32(float64(float32(float64(x)-float64(mu))) / float64(s))
			if d != d64 && !(d != d && d64 != d64) {
				return nil, nil, fmt.Errorf("(%v − %v)/%v: float32 %v, float64 rounded %v", x, mu, s, d, d64)
			}
			bits[i*k+p] = math.Float32bits(d)
			ws[i*k+p] = want{v: float64(d), exact: true}
		}
	}
	return bits, ws, nil
}

func (c *stdCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	X := newOperand("X", p, c.m, c.k, ld(c.k, c.lx.pad), c.lx, c.X, inGuardBits)
	mean := newVector("mean", p, c.lm, c.mean, inGuardBits)
	scale := newVector("scale", p, c.ls, c.scale, inGuardBits)
	D := X
	if !c.inPlace {
		D = newOperand("D", p, c.m, c.k, ld(c.k, c.ld.pad), c.ld, nil, outGuardBits)
	}
	bits, ws, err := refStandardize(c.m, c.k, c.X, c.mean, c.scale)
	if err != nil {
		errs.add("reference: %v", err)
		return &errs
	}
	if call(&errs, func() { im.Standardize(c.m, c.k, X.s, X.ld, mean.s, scale.s, D.s, D.ld) }) {
		got := D.cells()
		for i, g := range got {
			if b := math.Float32bits(g); b != bits[i] {
				errs.add("D[%d,%d] = %v (bits %#x), want the Go loop's %v (bits %#x)", i/c.k, i%c.k, g, b, math.Float32frombits(bits[i]), bits[i])
			}
		}
		c.result = result{got, ws}
	}
	mean.checkUnchanged(&errs)
	scale.checkUnchanged(&errs)
	if !c.inPlace {
		X.checkUnchanged(&errs)
	}
	D.checkGuards(&errs)
	return &errs
}

// stdCases yields, for every k 0..maxSweep with m at 1, 3, 8 and 17 and
// every m 0..maxSweep with k at those, a case of mode real or int in turn,
// then the large shapes.
func stdCases(seed uint64) iter.Seq[kcase] {
	return func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(seed, seed))
		i := 0
		for d := range sweep(2) {
			if !yield(newStd(r, d[0], d[1], modeOf(i))) {
				return
			}
			i++
		}
		for _, s := range largeStd {
			for _, mode := range []dataMode{realData, intData} {
				if !yield(newStd(r, s[0], s[1], mode)) {
					return
				}
			}
		}
	}
}

// largeStd are long rows and many rows, past the unrolled loops.
var largeStd = [][2]int{{1, 1000}, {1, 4103}, {2, 1029}, {1000, 16}, {257, 33}, {4099, 3}, {65, 257}}

func TestStandardize(t *testing.T) { testCases(t, heapPlacer{}, stdCases(50)) }

// TestStandardizeSpecials: arbitrary bits (NaN with payloads, signalling
// NaN, ±Inf, ±0, subnormals, the largest finite value) in X, mean and
// scale, so zero and infinite scales, subnormal quotients and NaN in either
// operand of each operation, for every row length 0..70, in place and not.
func TestStandardizeSpecials(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(51, 51))
		for k := 0; k <= maxSweep; k++ {
			for _, m := range []int{1, 3, 5} {
				c := newStdBits(r, m, k)
				c.inPlace = m == 3
				if !yield(c) {
					return
				}
			}
		}
	})
}

// TestStandardizeInPlace: D == X for every row length, padded strides.
func TestStandardizeInPlace(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(52, 52))
		for k := 0; k <= maxSweep; k++ {
			c := newStd(r, 4, k, modeOf(k))
			c.inPlace = true
			if !yield(c) {
				return
			}
		}
	})
}

// TestStandardizeRuns: rows laid end to end (strides k), which the SIMD sets
// run as longer rows of whole vectors with mean and scale repeated, for every
// k 1..70 and row counts on both sides of one and two runs of 8, 16 and 32
// rows and many runs, in place and not.
func TestStandardizeRuns(t *testing.T) {
	testCases(t, heapPlacer{}, func(yield func(kcase) bool) {
		r := rand.New(rand.NewPCG(53, 53))
		for k := 1; k <= maxSweep; k++ {
			for i, m := range []int{7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 1000} {
				if !yield(newStdContiguous(r, m, k, modeOf(i+k), i%3 == 0)) {
					return
				}
			}
		}
		for k := 1; k <= 20; k++ {
			c := newStdBits(r, 40, k)
			c.lx.pad, c.ld.pad = 0, 0
			if !yield(c) {
				return
			}
		}
	})
}

// FuzzStandardize decodes a case (values with NaN and ±Inf among them, so
// zero and infinite scales too, in place or not) and runs it on every
// implementation, then the call again with one argument replaced by any int
// (hostile_test.go).
func FuzzStandardize(f *testing.F) {
	for _, s := range [][2]uint8{{0, 0}, {1, 1}, {3, 17}, {8, 8}, {2, 65}, {17, 70}, {1, 80}, {5, 0}} {
		f.Add(s[0], s[1], s[0]%2 == 0, uint64(s[1]), []byte{byte(s[0]), 0x12, 0xF9, 3}, uint8(10), int64(0))
	}
	addHostileSeeds(f, 8, func(which uint8, v int64) {
		f.Add(uint8(5), uint8(19), false, uint64(which), []byte{1}, which, v)
	})
	f.Fuzz(func(t *testing.T, m, k uint8, inPlace bool, seed uint64, data []byte, which uint8, v int64) {
		d := newDecoder(seed, data)
		c := &stdCase{m: dim(m), k: dim(k), inPlace: inPlace, lx: d.lay(false), ld: d.lay(false), lm: d.lay(false), ls: d.lay(false), mode: "fuzz"}
		c.X, c.mean, c.scale = d.values(c.m*c.k), d.values(c.k), d.values(c.k)
		fuzzAll(t, c)
		fuzzHostileStandardize(t, c.m, c.k, which, v)
	})
}

// fuzzHostileStandardize replaces one argument of an m×k Standardize.
func fuzzHostileStandardize(t *testing.T, m, k int, which uint8, v int64) {
	ldx, ldd := k+1, k+2
	a := []int{m, k, ldx, ldd, extent(m, k, ldx), k, k, extent(m, k, ldd)}
	if !substitute(a, 4, which, v) {
		return
	}
	m, k, ldx, ldd = a[0], a[1], a[2], a[3]
	X, mean, scale := smallInts(a[4], 9), smallInts(a[5], 10), smallInts(a[6], 11)
	for i, s := range scale {
		if s == 0 {
			scale[i] = 4
		}
	}
	legal := hmat{m, k, ldx, len(X)}.legal() && hmat{m, k, ldd, a[7]}.legal() && len(mean) >= k && len(scale) >= k
	runHostile(t, "Standardize", fmt.Sprint(a), legal, a[7], func(im *Impl, D []float32) {
		im.Standardize(m, k, X, ldx, mean, scale, D, ldd)
	}, X, mean, scale)
}
