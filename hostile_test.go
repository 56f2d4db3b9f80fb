package edgefit

// Hostile arguments chosen by the fuzz targets. Besides the data, each
// matrix fuzz target lets the fuzzer replace one integer argument of a call
// (a dimension, a row stride, or the length of a slice) by any int: huge,
// negative, or a product that wraps round. The contract decides, in exact
// integers (math/big), whether the call is legal: if it is not, every
// implementation must panic naming the kernel before touching any output;
// if it is (a huge stride with one row, a huge dimension beside a zero one),
// every implementation must give generic's result, bit for bit (the data are
// small integers, so every sum is exact).

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strings"
	"testing"
)

// hmat is one matrix operand: its shape and row stride as passed, and the
// length of its slice.
type hmat struct{ rows, cols, ld, n int }

// legal reports whether a slice of n elements holds the matrix, as
// checkMatrix's contract says (doc.go), computed in exact integers.
func (a hmat) legal() bool {
	if a.rows < 0 || a.cols < 0 || a.ld < max(a.cols, 1) {
		return false
	}
	if a.rows == 0 {
		return true
	}
	e := big.NewInt(int64(a.rows - 1))
	e.Mul(e, big.NewInt(int64(a.ld)))
	e.Add(e, big.NewInt(int64(a.cols)))
	if a.cols == 0 { // no elements, but every row's offset must fit in an int
		return e.Cmp(big.NewInt(math.MaxInt)) <= 0
	}
	return e.Cmp(big.NewInt(int64(a.n))) <= 0
}

// extent is the length of a slice that exactly holds a legal rows×cols
// matrix with row stride ld.
func extent(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// hostileSeeds are int64 values worth starting from (the fuzzer mutates
// them): wrapping strides for 5 rows and for 2^32+1 rows, the extremes, and
// values beside the legal ones.
var hostileSeeds = []int64{1<<62 - 16, 1 << 32, 1<<32 + 1, math.MaxInt64, math.MinInt64, -1, 0, 1, 1 << 62, math.MaxInt64/2 + 1, 1<<31 - 1}

// substitute replaces args[which] by v, where the last nLens arguments are
// slice lengths, which can only be shortened (a length is never negative,
// and the slices are allocated at the legal lengths). It reports false when
// which names no argument: the fuzz case is left as it was.
func substitute(args []int, nLens int, which uint8, v int64) bool {
	i := int(which) % (len(args) + 2)
	if i >= len(args) {
		return false
	}
	// On 32-bit platforms the conversion truncates: another hostile value.
	if i >= len(args)-nLens {
		args[i] = min(args[i], max(int(v), 0))
	} else {
		args[i] = int(v)
	}
	return true
}

// smallInts returns n small integers (−8…7), so that every sum is exact.
func smallInts(n, seed int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((i*7+seed)%16 - 8)
	}
	return v
}

// runHostile calls f on every implementation with an output of outLen
// elements (plus a guarded tail) and checks the contract: a panic naming
// kernel before any output is written if the call is illegal, generic's
// result otherwise; the inputs never change.
func runHostile(t *testing.T, kernel, what string, legal bool, outLen int, f func(im *Impl, out []float32), inputs ...[]float32) {
	t.Helper()
	saved := make([][]float32, len(inputs))
	for i, in := range inputs {
		saved[i] = slices.Clone(in)
	}
	var gen []float32 // generic's output, the reference; generic runs first
	ims := append([]*Impl{generic}, slices.DeleteFunc(Implementations(), func(im *Impl) bool { return im == generic })...)
	for _, im := range ims {
		buf := make([]float32, outLen+8)
		for i := range buf {
			buf[i] = outGuard
		}
		msg, panicked := panicMessage(func() { f(im, buf[:outLen]) })
		switch {
		case legal && panicked:
			t.Fatalf("%s: %s %s: a legal call panicked: %s", im, kernel, what, msg)
		case !legal && (!panicked || !strings.HasPrefix(msg, "edgefit: "+kernel+": ")):
			t.Fatalf("%s: %s %s: an illegal call panicked %v with %q, want a panic naming the kernel", im, kernel, what, panicked, msg)
		}
		for i, v := range buf {
			switch {
			case legal && im == generic && i < outLen:
			case legal && i < outLen:
				if math.Float32bits(v) != math.Float32bits(gen[i]) {
					t.Fatalf("%s: %s %s: out[%d] = %v, generic %v", im, kernel, what, i, v, gen[i])
				}
			case math.Float32bits(v) != outGuardBits:
				t.Fatalf("%s: %s %s: wrote out[%d] = %v (legal %v, output length %d)", im, kernel, what, i, v, legal, outLen)
			}
		}
		if im == generic {
			gen = buf
		}
		for i, in := range inputs {
			if !slices.Equal(in, saved[i]) {
				t.Fatalf("%s: %s %s: changed input %d", im, kernel, what, i)
			}
		}
	}
}

// fuzzHostileMatMulBias replaces one argument of an m×n×k MatMulBias.
func fuzzHostileMatMulBias(t *testing.T, m, n, k int, bias bool, which uint8, v int64) {
	ldx, ldw, ldy := k+1, k+2, n+1
	a := []int{m, n, k, ldx, ldw, ldy, extent(m, k, ldx), extent(n, k, ldw), extent(m, n, ldy), n}
	if !substitute(a, 4, which, v) {
		return
	}
	m, n, k, ldx, ldw, ldy = a[0], a[1], a[2], a[3], a[4], a[5]
	X, W, b := smallInts(a[6], 1), smallInts(a[7], 2), smallInts(a[9], 3)
	if !bias {
		b = nil
	}
	legal := hmat{m, k, ldx, len(X)}.legal() && hmat{n, k, ldw, len(W)}.legal() && hmat{m, n, ldy, a[8]}.legal() && (b == nil || len(b) >= n)
	runHostile(t, "MatMulBias", fmt.Sprint(a), legal, a[8], func(im *Impl, Y []float32) {
		im.MatMulBias(m, n, k, X, ldx, W, ldw, b, Y, ldy)
	}, X, W, b)
}

// fuzzHostileGradW replaces one argument of an m×n×k GradW.
func fuzzHostileGradW(t *testing.T, m, n, k int, beta float32, which uint8, v int64) {
	ldr, ldx, ldg := n+2, k+1, k+3
	a := []int{m, n, k, ldr, ldx, ldg, extent(m, n, ldr), extent(m, k, ldx), extent(n, k, ldg)}
	if !substitute(a, 3, which, v) {
		return
	}
	m, n, k, ldr, ldx, ldg = a[0], a[1], a[2], a[3], a[4], a[5]
	R, X, G0 := smallInts(a[6], 4), smallInts(a[7], 5), smallInts(a[8], 6)
	legal := hmat{m, n, ldr, len(R)}.legal() && hmat{m, k, ldx, len(X)}.legal() && hmat{n, k, ldg, len(G0)}.legal()
	runHostile(t, "GradW", fmt.Sprint(a), legal, len(G0), func(im *Impl, G []float32) {
		if legal {
			copy(G, G0) // β·G is exact on integers too
		}
		im.GradW(m, n, k, 1, R, ldr, X, ldx, beta, G, ldg)
	}, R, X)
}

// fuzzHostileColSums replaces one argument of an m×n ColSums.
func fuzzHostileColSums(t *testing.T, m, n int, which uint8, v int64) {
	ldr := n + 1
	a := []int{m, n, ldr, extent(m, n, ldr), n}
	if !substitute(a, 2, which, v) {
		return
	}
	m, n, ldr = a[0], a[1], a[2]
	R := smallInts(a[3], 7)
	legal := hmat{m, n, ldr, len(R)}.legal() && a[4] >= n
	runHostile(t, "ColSums", fmt.Sprint(a), legal, a[4], func(im *Impl, g []float32) {
		im.ColSums(m, n, 1, R, ldr, 0, g)
	}, R)
}

// FuzzRowsHostile: GatherRows and PrefetchRows with one hostile argument
// (k, a row stride, a slice length or an index), legal or not.
func FuzzRowsHostile(f *testing.F) {
	for i, v := range hostileSeeds {
		f.Add(uint8(i), uint8(5+i), uint8(3), v)
	}
	f.Fuzz(func(t *testing.T, k8, rows8, n8 uint8, v int64) {
		k, rows, n := int(k8)%70, int(rows8)%40+1, int(n8)%20
		ldx, ldy := k+1, k+2
		// The argument to replace comes from the value, so that one input
		// reaches every argument.
		which := uint8(bits.OnesCount64(uint64(v)) + int(k8))
		a := []int{k, ldx, ldy, 0, extent(rows, k, ldx), extent(n, k, ldy)}
		hostile := substitute(a, 2, which, v)
		k, ldx, ldy = a[0], a[1], a[2]
		idx := make([]int, n)
		for i := range idx {
			idx[i] = (i * 5) % rows
		}
		if hostile && int(which)%(len(a)+2) == 3 && n > 0 {
			idx[n-1] = int(v) // a hostile index
		}
		X := smallInts(a[4], 8)
		legal := k >= 0 && ldx >= max(k, 1) && hmat{n, k, ldy, a[5]}.legal()
		if legal && k > 0 {
			for _, r := range idx {
				legal = legal && hmat{r + 1, k, ldx, len(X)}.legal() && r >= 0
			}
		}
		what := fmt.Sprint(a, idx)
		runHostile(t, "GatherRows", what, legal, a[5], func(im *Impl, Y []float32) {
			im.GatherRows(k, idx, X, ldx, Y, ldy)
		}, X)
		legal = k >= 0 && ldx >= max(k, 1)
		if legal && k > 0 {
			for _, r := range idx {
				legal = legal && r >= 0 && hmat{r + 1, k, ldx, len(X)}.legal()
			}
		}
		runHostile(t, "PrefetchRows", what, legal, 0, func(im *Impl, _ []float32) {
			im.PrefetchRows(k, idx, X, ldx)
		}, X)
	})
}
