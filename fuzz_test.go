package edgefit

// Fuzz targets: each decodes a case (shapes, alignments, strides, scalars and
// values, NaN and ±Inf included) from the fuzzer's input and runs it on every
// implementation (the matrix kernels then again with one argument replaced by
// any int the fuzzer chooses, legal or not: see hostile_test.go), checking each against the float64 reference (3·γₙ·S) and
// every SIMD result against the generic one within the documented bound
// (2·γₙ·S; see ref_test.go), plus all the guards. The f.Add seeds run in plain
// `go test`; `go test -run '^$' -fuzz '^FuzzDot$' -fuzztime 20s .` explores.
//
// Values are kept away from overflow and from subnormals, where the relative
// bounds do not apply: finite values are ±(0..8) with 16 significant bits.

import (
	"math"
	"math/rand/v2"
	"testing"
)

// decoder turns fuzz bytes into test values, falling back on a PRNG seeded by
// the input when the bytes run out, so that short inputs still fill large
// shapes.
type decoder struct {
	b []byte
	r *rand.Rand
}

func newDecoder(seed uint64, b []byte) *decoder {
	return &decoder{b: b, r: rand.New(rand.NewPCG(seed, uint64(len(b))))}
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		return byte(d.r.Uint32())
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

var fuzzSpecials = []float32{nan, posInf, negInf, 0, float32(math.Copysign(0, -1)), 1, -1, 0.5}

// value reads one value: one in 32 a special, otherwise a 16-bit integer
// scaled into ±8.
func (d *decoder) value() float32 {
	hi, lo := d.byte(), d.byte()
	if hi >= 0xF8 {
		return fuzzSpecials[lo%byte(len(fuzzSpecials))]
	}
	return float32(int16(uint16(hi)<<8|uint16(lo))) / 4096
}

func (d *decoder) values(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = d.value()
	}
	return v
}

// scalar reads α or β: 0 one time in four, sometimes special. With finite,
// an infinity becomes NaN: Inf·s is NaN or ±Inf according as s is 0, and
// whether a float32 sum cancels to exactly 0 depends on rounding, so α = Inf
// times a sum is tested with exact (integer) data in TestSpecialScalars.
func (d *decoder) scalar(finite bool) float32 {
	if d.byte()%4 == 0 {
		return 0
	}
	v := d.value()
	if finite && math.IsInf(float64(v), 0) {
		return nan
	}
	return v
}

// lay reads a layout: offset 0..15, pad 0..9, extra 0..3.
func (d *decoder) lay(vector bool) lay {
	b := d.byte()
	l := lay{off: int(b % 16)}
	if vector {
		return l
	}
	c := d.byte()
	l.pad, l.extra = int(c%10), int(c/10%4)
	return l
}

// dim maps a byte to a dimension 0..maxFuzzDim.
const maxFuzzDim = 80

func dim(b uint8) int { return int(b) % (maxFuzzDim + 1) }

// fuzzAll runs c on every implementation and compares the SIMD ones with
// generic.
func fuzzAll(t *testing.T, c kcase) {
	t.Helper()
	var gen result
	for _, im := range Implementations() {
		errs := c.run(im, heapPlacer{})
		if im == generic {
			gen = *c.last()
		} else if errs.n == 0 {
			compareWithGeneric(errs, *c.last(), gen)
		}
		if errs.n > 0 {
			t.Fatalf("%s: %s:\n\t%s", im, c, errs)
		}
	}
}

// compareWithGeneric checks each result of a SIMD implementation against
// generic's for the same case: NaN where generic has NaN, the same infinity,
// the same value when the data make every sum exact, otherwise within the
// documented bound 2·γₙ·S.
func compareWithGeneric(errs *errList, res, gen result) {
	if len(res.got) != len(gen.got) {
		errs.add("%d results, generic %d", len(res.got), len(gen.got))
		return
	}
	for i, w := range res.ws {
		if !closeToGeneric(res.got[i], gen.got[i], w) {
			errs.add("result %d = %v, generic %v: want within %.3g of it (S = %.4g, n = %d)", i, res.got[i], gen.got[i], w.tolGeneric(), w.s, w.n)
		}
	}
}

// addHostileSeeds adds, for each matrix fuzz target, seeds that replace
// each argument in turn by a hostile value (see hostile_test.go).
func addHostileSeeds(f *testing.F, args int, add func(which uint8, v int64)) {
	for i := range args {
		add(uint8(i), hostileSeeds[i%len(hostileSeeds)])
	}
	add(uint8(args), 0) // none replaced
}

func FuzzMatMulBias(f *testing.F) {
	for _, s := range [][3]uint8{{0, 0, 0}, {1, 1, 1}, {3, 5, 17}, {8, 8, 8}, {2, 33, 65}, {17, 3, 70}, {1, 1, 80}, {5, 7, 0}} {
		f.Add(s[0], s[1], s[2], true, uint64(s[2]), []byte{byte(s[0]), 0x12, 0xF9, 3}, uint8(12), int64(0))
	}
	addHostileSeeds(f, 10, func(which uint8, v int64) {
		f.Add(uint8(5), uint8(3), uint8(64), true, uint64(which), []byte{1}, which, v)
	})
	f.Fuzz(func(t *testing.T, m, n, k uint8, bias bool, seed uint64, data []byte, which uint8, v int64) {
		d := newDecoder(seed, data)
		c := &mmCase{m: dim(m), n: dim(n), k: dim(k), lx: d.lay(false), lw: d.lay(false), lb: d.lay(false), ly: d.lay(false)}
		c.X, c.W = d.values(c.m*c.k), d.values(c.n*c.k)
		if bias {
			c.b = d.values(c.n)
		}
		fuzzAll(t, c)
		fuzzHostileMatMulBias(t, c.m, c.n, c.k, bias, which, v)
	})
}

func FuzzGradW(f *testing.F) {
	for _, s := range [][3]uint8{{0, 1, 1}, {1, 1, 1}, {3, 5, 17}, {8, 8, 8}, {65, 2, 33}, {70, 3, 17}, {80, 1, 1}, {4, 0, 3}} {
		f.Add(s[0], s[1], s[2], uint64(s[0]), []byte{byte(s[1]), 0x40, 0, 1, 0x12, 0xF8, 5}, uint8(11), int64(0))
	}
	addHostileSeeds(f, 9, func(which uint8, v int64) { f.Add(uint8(5), uint8(64), uint8(3), uint64(which), []byte{1}, which, v) })
	f.Fuzz(func(t *testing.T, m, n, k uint8, seed uint64, data []byte, which uint8, v int64) {
		d := newDecoder(seed, data)
		c := &gwCase{m: dim(m), n: dim(n), k: dim(k), lr: d.lay(false), lx: d.lay(false), lg: d.lay(false)}
		c.alpha, c.beta = d.scalar(true), d.scalar(false)
		c.R, c.X, c.G0 = d.values(c.m*c.n), d.values(c.m*c.k), d.values(c.n*c.k)
		fuzzAll(t, c)
		fuzzHostileGradW(t, c.m, c.n, c.k, float32(seed%2), which, v)
	})
}

func FuzzColSums(f *testing.F) {
	for _, s := range [][2]uint8{{0, 1}, {1, 1}, {3, 17}, {8, 8}, {65, 33}, {70, 3}, {1, 80}} {
		f.Add(s[0], s[1], uint64(s[1]), []byte{byte(s[0]), 0x40, 0, 1, 0x12}, uint8(7), int64(0))
	}
	addHostileSeeds(f, 5, func(which uint8, v int64) { f.Add(uint8(5), uint8(64), uint64(which), []byte{1}, which, v) })
	f.Fuzz(func(t *testing.T, m, n uint8, seed uint64, data []byte, which uint8, v int64) {
		d := newDecoder(seed, data)
		c := &csCase{m: dim(m), n: dim(n), lr: d.lay(false), lg: d.lay(false)}
		c.alpha, c.beta = d.scalar(true), d.scalar(false)
		c.R, c.g0 = d.values(c.m*c.n), d.values(c.n)
		fuzzAll(t, c)
		fuzzHostileColSums(t, c.m, c.n, which, v)
	})
}

// fuzzVecSeeds adds every length 0..maxSweep in steps and a few large ones.
func fuzzVecSeeds(f *testing.F, add func(n uint16, seed uint64)) {
	for _, n := range []uint16{0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 70, 257, 1031} {
		add(n, uint64(n)*7+1)
	}
}

const maxFuzzVec = 4096

func FuzzSqErr(f *testing.F) {
	fuzzVecSeeds(f, func(n uint16, seed uint64) { f.Add(n, uint8(n%3), seed, []byte{byte(n), 0xFA, 0x01}) })
	f.Fuzz(func(t *testing.T, n uint16, alias uint8, seed uint64, data []byte) {
		d := newDecoder(seed, data)
		size := int(n) % (maxFuzzVec + 1)
		c := &seCase{alias: int(alias % 3), lr: d.lay(true), lp: d.lay(true), lt: d.lay(true)}
		c.P, c.T = d.values(size), d.values(size)
		fuzzAll(t, c)
	})
}

func FuzzSqErrSum(f *testing.F) {
	fuzzVecSeeds(f, func(n uint16, seed uint64) { f.Add(n, seed, []byte{byte(n), 0x33}) })
	f.Fuzz(func(t *testing.T, n uint16, seed uint64, data []byte) {
		d := newDecoder(seed, data)
		size := int(n) % (maxFuzzVec + 1)
		c := &seCase{sum: true, lp: d.lay(true), lt: d.lay(true)}
		c.P, c.T = d.values(size), d.values(size)
		fuzzAll(t, c)
	})
}

func FuzzAxpy(f *testing.F) {
	fuzzVecSeeds(f, func(n uint16, seed uint64) { f.Add(n, seed, []byte{1, byte(n), 0x7F, 0xFF}) })
	f.Fuzz(func(t *testing.T, n uint16, seed uint64, data []byte) {
		d := newDecoder(seed, data)
		size := int(n) % (maxFuzzVec + 1)
		c := &vecCase{kernel: "Axpy", lx: d.lay(true), ly: d.lay(true)}
		c.alpha = d.scalar(false)
		c.x, c.y = d.values(size), d.values(size)
		fuzzAll(t, c)
	})
}

func FuzzDot(f *testing.F) {
	fuzzVecSeeds(f, func(n uint16, seed uint64) { f.Add(n, seed, []byte{byte(n), 0xF9, 0x02, 0x10}) })
	f.Fuzz(func(t *testing.T, n uint16, seed uint64, data []byte) {
		d := newDecoder(seed, data)
		size := int(n) % (maxFuzzVec + 1)
		c := &vecCase{kernel: "Dot", lx: d.lay(true), ly: d.lay(true)}
		c.x, c.y = d.values(size), d.values(size)
		fuzzAll(t, c)
	})
}
