package edgefit

// Argument checks and allocations. Every kernel of every implementation (and
// the package-level functions) must panic, before touching any output, with a
// message naming the kernel and the argument at fault; and no kernel may
// allocate.

import (
	"fmt"
	"math"
	"math/bits"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// badCall is one call with a bad argument and the words its panic message
// must contain (besides "edgefit: <kernel>:").
type badCall struct {
	kernel string
	what   string // the mistake, for the failure message
	want   []string
	call   func(im *Impl, out []float32) // out: an output buffer that must stay untouched
}

func badCalls() []badCall {
	const m, n, k = 3, 4, 5
	X, W, b := make([]float32, m*k), make([]float32, n*k), make([]float32, n)
	R := make([]float32, m*n)
	v := make([]float32, 7)
	return []badCall{
		// MatMulBias: Y is m×n = out[:12].
		{"MatMulBias", "short X", []string{"len(X) = 14", "15"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, k, X[:14], k, W, k, b, Y, n) }},
		{"MatMulBias", "short W", []string{"len(W) = 19", "20"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, k, X, k, W[:19], k, b, Y, n) }},
		{"MatMulBias", "short Y", []string{"len(Y) = 11", "12"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, k, X, k, W, k, b, Y[:11], n) }},
		{"MatMulBias", "short b", []string{"len(b) = 3", "n = 4"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, k, X, k, W, k, b[:3], Y, n) }},
		{"MatMulBias", "ldx < k", []string{"X has row stride 4", "5 columns"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, k, X, k-1, W, k, b, Y, n) }},
		{"MatMulBias", "ldw < k", []string{"W has row stride 4", "5 columns"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, k, X, k, W, k-1, b, Y, n) }},
		{"MatMulBias", "ldy < n", []string{"Y has row stride 3", "4 columns"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, k, X, k, W, k, b, Y, n-1) }},
		{"MatMulBias", "ld 0 with no columns", []string{"X has row stride 0", "at least 1"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, 0, nil, 0, nil, 1, b, Y, n) }},
		{"MatMulBias", "negative m", []string{"X is -1×5", "non-negative"}, func(im *Impl, Y []float32) { im.MatMulBias(-1, n, k, X, k, W, k, b, Y, n) }},
		{"MatMulBias", "negative n", []string{"W is -1×5", "non-negative"}, func(im *Impl, Y []float32) { im.MatMulBias(m, -1, k, X, k, W, k, b, Y, n) }},
		{"MatMulBias", "negative k", []string{"X is 3×-1", "non-negative"}, func(im *Impl, Y []float32) { im.MatMulBias(m, n, -1, X, k, W, k, b, Y, n) }},
		// GradW: G is n×k = out[:20].
		{"GradW", "short R", []string{"len(R) = 11", "12"}, func(im *Impl, G []float32) { im.GradW(m, n, k, 1, R[:11], n, X, k, 0, G, k) }},
		{"GradW", "short X", []string{"len(X) = 14", "15"}, func(im *Impl, G []float32) { im.GradW(m, n, k, 1, R, n, X[:14], k, 0, G, k) }},
		{"GradW", "short G", []string{"len(G) = 19", "20"}, func(im *Impl, G []float32) { im.GradW(m, n, k, 1, R, n, X, k, 1, G[:19], k) }},
		{"GradW", "ldr < n", []string{"R has row stride 3", "4 columns"}, func(im *Impl, G []float32) { im.GradW(m, n, k, 1, R, n-1, X, k, 0, G, k) }},
		{"GradW", "ldx < k", []string{"X has row stride 4", "5 columns"}, func(im *Impl, G []float32) { im.GradW(m, n, k, 1, R, n, X, k-1, 0, G, k) }},
		{"GradW", "ldg < k", []string{"G has row stride 4", "5 columns"}, func(im *Impl, G []float32) { im.GradW(m, n, k, 1, R, n, X, k, 0, G, k-1) }},
		{"GradW", "negative m", []string{"R is -1×4", "non-negative"}, func(im *Impl, G []float32) { im.GradW(-1, n, k, 1, R, n, X, k, 0, G, k) }},
		{"GradW", "negative n", []string{"R is 3×-1", "non-negative"}, func(im *Impl, G []float32) { im.GradW(m, -1, k, 1, R, n, X, k, 0, G, k) }},
		{"GradW", "negative k", []string{"X is 3×-1", "non-negative"}, func(im *Impl, G []float32) { im.GradW(m, n, -1, 1, R, n, X, k, 0, G, k) }},
		// ColSums: g = out[:4].
		{"ColSums", "short R", []string{"len(R) = 11", "12"}, func(im *Impl, g []float32) { im.ColSums(m, n, 1, R[:11], n, 0, g[:n]) }},
		{"ColSums", "short g", []string{"len(g) = 3", "n = 4"}, func(im *Impl, g []float32) { im.ColSums(m, n, 1, R, n, 0, g[:3]) }},
		{"ColSums", "ldr < n", []string{"R has row stride 3", "4 columns"}, func(im *Impl, g []float32) { im.ColSums(m, n, 1, R, n-1, 0, g[:n]) }},
		{"ColSums", "negative m", []string{"R is -1×4", "non-negative"}, func(im *Impl, g []float32) { im.ColSums(-1, n, 1, R, n, 0, g[:n]) }},
		{"ColSums", "negative n", []string{"R is 3×-1", "non-negative"}, func(im *Impl, g []float32) { im.ColSums(m, -1, 1, R, n, 0, g[:n]) }},
		// Vectors: the output is out[:7].
		{"SqErr", "short P", []string{"len(R) = 7", "len(P) = 6"}, func(im *Impl, o []float32) { im.SqErr(o[:7], v[:6], v) }},
		{"SqErr", "short T", []string{"len(P) = 7", "len(T) = 6"}, func(im *Impl, o []float32) { im.SqErr(o[:7], v, v[:6]) }},
		{"SqErr", "short R", []string{"len(R) = 6", "len(P) = 7"}, func(im *Impl, o []float32) { im.SqErr(o[:6], v, v) }},
		{"SqErrSum", "short T", []string{"len(P) = 7", "len(T) = 6"}, func(im *Impl, _ []float32) { im.SqErrSum(v, v[:6]) }},
		{"SqErrSum", "short P", []string{"len(P) = 6", "len(T) = 7"}, func(im *Impl, _ []float32) { im.SqErrSum(v[:6], v) }},
		{"Axpy", "short x", []string{"len(x) = 6", "len(y) = 7"}, func(im *Impl, o []float32) { im.Axpy(1, v[:6], o[:7]) }},
		{"Axpy", "short y", []string{"len(x) = 7", "len(y) = 6"}, func(im *Impl, o []float32) { im.Axpy(1, v, o[:6]) }},
		{"Dot", "short y", []string{"len(x) = 7", "len(y) = 6"}, func(im *Impl, _ []float32) { im.Dot(v, v[:6]) }},
		{"Dot", "short x", []string{"len(x) = 6", "len(y) = 7"}, func(im *Impl, _ []float32) { im.Dot(v[:6], v) }},
		{"PeakLoad", "short y", []string{"len(x) = 7", "len(y) = 6"}, func(im *Impl, _ []float32) { im.PeakLoad(v, v[:6]) }},
		// GatherRows: X holds m = 3 rows of k = 5; Y is 3×5 = out[:15].
		{"GatherRows", "negative index", []string{"idx[1] = -1", "holds rows 0…2"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{0, -1, 2}, X, k, Y, k) }},
		{"GatherRows", "index past the last row", []string{"idx[2] = 3", "holds rows 0…2"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{0, 2, 3}, X, k, Y, k) }},
		{"GatherRows", "index of a row cut short", []string{"idx[0] = 2", "len 14", "holds rows 0…1"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{2, 0, 1}, X[:14], k, Y, k) }},
		{"GatherRows", "index past the last row, padded", []string{"idx[1] = 2", "len 15", "row stride 6", "holds rows 0…1"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{1, 2}, X, k+1, Y, k) }},
		{"GatherRows", "huge index", []string{fmt.Sprintf("idx[0] = %d", math.MaxInt)}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{math.MaxInt}, X, k, Y, k) }},
		{"GatherRows", "huge stride", []string{"idx[0] = 1", fmt.Sprintf("row stride %d", math.MaxInt), "holds rows 0…0"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{1}, X, math.MaxInt, Y, k) }},
		{"GatherRows", "X shorter than one row", []string{"idx[0] = 0", "len 4", "5 columns"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{0}, X[:4], k, Y, k) }},
		{"GatherRows", "empty X", []string{"idx[0] = 0", "len 0"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{0}, nil, k, Y, k) }},
		{"GatherRows", "short Y", []string{"len(Y) = 14", "15"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{0, 1, 2}, X, k, Y[:14], k) }},
		{"GatherRows", "ldx < k", []string{"X has row stride 4", "5 columns"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{0}, X, k-1, Y, k) }},
		{"GatherRows", "ldy < k", []string{"Y has row stride 4", "5 columns"}, func(im *Impl, Y []float32) { im.GatherRows(k, []int{0, 1}, X, k, Y, k-1) }},
		{"GatherRows", "ldx 0 with no columns", []string{"X has row stride 0", "at least 1"}, func(im *Impl, Y []float32) { im.GatherRows(0, []int{0}, X, 0, Y, 1) }},
		{"GatherRows", "ldy 0 with no columns", []string{"Y has row stride 0", "at least 1"}, func(im *Impl, Y []float32) { im.GatherRows(0, []int{0}, X, 1, Y, 0) }},
		{"GatherRows", "negative k", []string{"k = -1", "at least 0"}, func(im *Impl, Y []float32) { im.GatherRows(-1, []int{0}, X, k, Y, k) }},
		// PrefetchRows: the same checks of X and idx as GatherRows, through
		// checkRows; it has no output, so out must stay untouched.
		{"PrefetchRows", "negative index", []string{"idx[1] = -1", "holds rows 0…2"}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{0, -1, 2}, X, k) }},
		{"PrefetchRows", "index past the last row", []string{"idx[2] = 3", "holds rows 0…2"}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{0, 2, 3}, X, k) }},
		{"PrefetchRows", "index of a row cut short", []string{"idx[0] = 2", "len 14", "holds rows 0…1"}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{2, 0, 1}, X[:14], k) }},
		{"PrefetchRows", "index past the last row, padded", []string{"idx[1] = 2", "len 15", "row stride 6", "holds rows 0…1"}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{1, 2}, X, k+1) }},
		{"PrefetchRows", "huge index", []string{fmt.Sprintf("idx[0] = %d", math.MaxInt)}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{math.MaxInt}, X, k) }},
		{"PrefetchRows", "huge stride", []string{"idx[0] = 1", fmt.Sprintf("row stride %d", math.MaxInt), "holds rows 0…0"}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{1}, X, math.MaxInt) }},
		{"PrefetchRows", "X shorter than one row", []string{"idx[0] = 0", "len 4", "5 columns"}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{0}, X[:4], k) }},
		{"PrefetchRows", "empty X", []string{"idx[0] = 0", "len 0"}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{0}, nil, k) }},
		{"PrefetchRows", "ldx < k", []string{"X has row stride 4", "5 columns"}, func(im *Impl, _ []float32) { im.PrefetchRows(k, []int{0}, X, k-1) }},
		{"PrefetchRows", "ldx 0 with no columns", []string{"X has row stride 0", "at least 1"}, func(im *Impl, _ []float32) { im.PrefetchRows(0, []int{0}, X, 0) }},
		{"PrefetchRows", "negative k", []string{"k = -1", "at least 0"}, func(im *Impl, _ []float32) { im.PrefetchRows(-1, []int{0}, X, k) }},
		// Standardize: X is m×k, D = out[:15].
		{"Standardize", "short X", []string{"len(X) = 14", "15"}, func(im *Impl, D []float32) { im.Standardize(m, k, X[:14], k, W[:k], W[:k], D, k) }},
		{"Standardize", "short D", []string{"len(D) = 14", "15"}, func(im *Impl, D []float32) { im.Standardize(m, k, X, k, W[:k], W[:k], D[:14], k) }},
		{"Standardize", "short mean", []string{"len(mean) = 4", "len(scale) = 5", "k = 5"}, func(im *Impl, D []float32) { im.Standardize(m, k, X, k, W[:k-1], W[:k], D, k) }},
		{"Standardize", "short scale", []string{"len(mean) = 5", "len(scale) = 4", "k = 5"}, func(im *Impl, D []float32) { im.Standardize(m, k, X, k, W[:k], W[:k-1], D, k) }},
		{"Standardize", "ldx < k", []string{"X has row stride 4", "5 columns"}, func(im *Impl, D []float32) { im.Standardize(m, k, X, k-1, W, W, D, k) }},
		{"Standardize", "ldd < k", []string{"D has row stride 4", "5 columns"}, func(im *Impl, D []float32) { im.Standardize(m, k, X, k, W, W, D, k-1) }},
		{"Standardize", "ld 0 with no columns", []string{"X has row stride 0", "at least 1"}, func(im *Impl, D []float32) { im.Standardize(m, 0, nil, 0, nil, nil, D, 1) }},
		{"Standardize", "negative m", []string{"X is -1×5", "non-negative"}, func(im *Impl, D []float32) { im.Standardize(-1, k, X, k, W, W, D, k) }},
		{"Standardize", "negative k", []string{"X is 3×-1", "non-negative"}, func(im *Impl, D []float32) { im.Standardize(m, -1, X, k, W, W, D, k) }},
	}
}

// Shapes whose extent (rows−1)·ld + cols wraps round an int. Computed in
// plain int arithmetic, the extent of 5 rows of 64 with row stride wrapLd is
// 2^bits.UintSize + 0 ≡ 0 (issue 10's case), and that of halfInt+1 rows of 1
// with row stride halfInt is 2^bits.UintSize + 1 ≡ 1: with such a check,
// any slice would pass, and the kernels would read and write far outside it.
const (
	wrapLd  = 1<<(bits.UintSize-2) - 16
	halfInt = 1 << (bits.UintSize / 2)
)

// overflowCalls are calls whose operand at fault has a shape too large to
// count in an int: a, any slice (the test passes one flush against
// inaccessible pages), is the input at fault, and out the output at fault.
// Every other operand is a real matrix of the shape given, so only the
// overflowing one can be blamed.
func overflowCalls(a []float32) []badCall {
	const rows, cols = 5, 64
	big := make([]float32, rows*cols) // 5×64, or 64×1, or 1×64
	const ovf = "overflows int"
	const maxInt = math.MaxInt
	wrap := fmt.Sprintf("row stride %d", wrapLd)
	half := fmt.Sprintf("%d×1 with row stride %d", halfInt+1, halfInt)
	return []badCall{
		{"MatMulBias", "X's stride wraps its extent to 0", []string{"X is 5×64", wrap, ovf}, func(im *Impl, Y []float32) { im.MatMulBias(rows, 1, cols, a, wrapLd, big, cols, nil, Y, 1) }},
		{"MatMulBias", "W's stride wraps its extent to 0", []string{"W is 5×64", wrap, ovf}, func(im *Impl, Y []float32) { im.MatMulBias(1, rows, cols, big, cols, a, wrapLd, nil, Y, rows) }},
		{"MatMulBias", "Y's stride wraps its extent to 0", []string{"Y is 5×64", wrap, ovf}, func(im *Impl, Y []float32) { im.MatMulBias(rows, cols, 1, big, 1, big, 1, nil, Y, wrapLd) }},
		{"MatMulBias", "X's rows times stride wrap to 1", []string{"X is " + half, ovf}, func(im *Impl, Y []float32) { im.MatMulBias(halfInt+1, 1, 1, a, halfInt, big, 1, nil, Y, 1) }},
		{"MatMulBias", "X's huge columns", []string{fmt.Sprintf("X is 2×%d", maxInt), ovf}, func(im *Impl, Y []float32) { im.MatMulBias(2, 1, maxInt, a, maxInt, big, maxInt, nil, Y, 1) }},
		{"MatMulBias", "X has no columns but its row offsets overflow", []string{"X is 11×0", ovf}, func(im *Impl, Y []float32) { im.MatMulBias(11, 1, 0, a, maxInt/4, big, 1, nil, Y, 1) }},
		{"MatMulBias", "Y's huge rows", []string{fmt.Sprintf("Y is %d×2", maxInt), ovf}, func(im *Impl, Y []float32) { im.MatMulBias(maxInt, 2, 0, nil, 1, nil, 1, nil, Y, 2) }},
		{"GradW", "R's stride wraps its extent to 0", []string{"R is 5×64", wrap, ovf}, func(im *Impl, G []float32) { im.GradW(rows, cols, 1, 1, a, wrapLd, big, 1, 0, G, 1) }},
		{"GradW", "X's stride wraps its extent to 0", []string{"X is 5×64", wrap, ovf}, func(im *Impl, G []float32) { im.GradW(rows, 1, cols, 1, big, 1, a, wrapLd, 0, G, cols) }},
		{"GradW", "G's stride wraps its extent to 0", []string{"G is 5×64", wrap, ovf}, func(im *Impl, G []float32) { im.GradW(1, rows, cols, 1, big, rows, big, cols, 1, G, wrapLd) }},
		{"GradW", "R's rows times stride wrap to 1", []string{"R is " + half, ovf}, func(im *Impl, G []float32) { im.GradW(halfInt+1, 1, 1, 1, a, halfInt, a, 1, 0, G, 1) }},
		{"GradW", "G's huge rows", []string{fmt.Sprintf("G is %d×2", maxInt), ovf}, func(im *Impl, G []float32) { im.GradW(0, maxInt, 2, 1, nil, maxInt, nil, 2, 0, G, 2) }},
		{"ColSums", "R's stride wraps its extent to 0", []string{"R is 5×64", wrap, ovf}, func(im *Impl, g []float32) { im.ColSums(rows, cols, 1, a, wrapLd, 0, g) }},
		{"ColSums", "R's rows times stride wrap to 1", []string{"R is " + half, ovf}, func(im *Impl, g []float32) { im.ColSums(halfInt+1, 1, 1, a, halfInt, 0, g) }},
		{"ColSums", "R's huge columns", []string{fmt.Sprintf("R is 3×%d", maxInt), ovf}, func(im *Impl, g []float32) { im.ColSums(3, maxInt, 1, a, maxInt, 0, g) }},
		{"GatherRows", "Y's stride wraps its extent to 0", []string{"Y is 5×64", wrap, ovf}, func(im *Impl, Y []float32) { im.GatherRows(cols, make([]int, rows), big, cols, Y, wrapLd) }},
		{"Standardize", "X's stride wraps its extent to 0", []string{"X is 5×64", wrap, ovf}, func(im *Impl, D []float32) { im.Standardize(rows, cols, a, wrapLd, big, big, D, cols) }},
		{"Standardize", "D's stride wraps its extent to 0", []string{"D is 5×64", wrap, ovf}, func(im *Impl, D []float32) { im.Standardize(rows, cols, big, cols, big, big, D, wrapLd) }},
		{"Standardize", "X's rows times stride wrap to 1", []string{"X is " + half, ovf}, func(im *Impl, D []float32) { im.Standardize(halfInt+1, 1, a, halfInt, big, big, D, 1) }},
		{"Standardize", "X has no columns but its row offsets overflow", []string{"X is 11×0", ovf}, func(im *Impl, D []float32) { im.Standardize(11, 0, a, maxInt/4, nil, nil, D, 1) }},
	}
}

// panicMessage runs f and returns what it panicked with, as a string.
func panicMessage(f func()) (msg string, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			msg, panicked = fmt.Sprint(r), true
		}
	}()
	f()
	return "", false
}

func TestArgumentChecks(t *testing.T) {
	for _, im := range Implementations() {
		for _, bc := range append(badCalls(), overflowCalls(make([]float32, 8))...) {
			out := make([]float32, 32)
			for i := range out {
				out[i] = outGuard
			}
			msg, panicked := panicMessage(func() { bc.call(im, out) })
			if !panicked {
				t.Errorf("%s: %s with %s did not panic", im, bc.kernel, bc.what)
				continue
			}
			want := append([]string{"edgefit: " + bc.kernel + ": "}, bc.want...)
			for _, w := range want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: %s with %s panicked with %q, which does not contain %q", im, bc.kernel, bc.what, msg, w)
				}
			}
			for i, v := range out {
				if math.Float32bits(v) != outGuardBits {
					t.Errorf("%s: %s with %s wrote out[%d] = %v before panicking", im, bc.kernel, bc.what, i, v)
					break
				}
			}
		}
	}
}

// TestArgumentChecksOverflowFenced: the shapes that overflow an int panic
// before any memory access, with each operand at fault alone in pages
// flanked by inaccessible ones, so that a read or write just outside it
// faults (a panic of another message, with SetPanicOnFault) instead of
// landing unnoticed in memory that happens to be mapped.
func TestArgumentChecksOverflowFenced(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	a, out := newFence(t, 1), newFence(t, 1)
	for i := range a {
		a[i] = 1
	}
	for _, im := range Implementations() {
		for _, bc := range overflowCalls(a) {
			for i := range out {
				out[i] = outGuard
			}
			msg, panicked := panicMessage(func() { bc.call(im, out) })
			want := "edgefit: " + bc.kernel + ": "
			if !panicked || !strings.HasPrefix(msg, want) || !strings.Contains(msg, "overflows int") {
				t.Errorf("%s: %s with %s: panicked %v with %q, want %q ... overflows int", im, bc.kernel, bc.what, panicked, msg, want)
			}
			for i, v := range out {
				if math.Float32bits(v) != outGuardBits {
					t.Errorf("%s: %s with %s wrote out[%d] = %v before panicking", im, bc.kernel, bc.what, i, v)
					break
				}
			}
		}
	}
}

// TestArgumentChecksPackageFuncs: the package-level functions check too.
func TestArgumentChecksPackageFuncs(t *testing.T) {
	v := make([]float32, 4)
	for _, tc := range []struct {
		kernel string
		f      func()
	}{
		{"MatMulBias", func() { MatMulBias(1, 1, 2, v[:1], 2, v, 2, nil, v, 1) }},
		{"SqErr", func() { SqErr(v, v, v[:3]) }},
		{"SqErrSum", func() { SqErrSum(v, v[:3]) }},
		{"GradW", func() { GradW(1, 1, 2, 1, v, 1, v[:1], 2, 0, v, 2) }},
		{"ColSums", func() { ColSums(1, 2, 1, v, 2, 0, v[:1]) }},
		{"Axpy", func() { Axpy(1, v, v[:3]) }},
		{"Dot", func() { Dot(v, v[:3]) }},
		{"GatherRows", func() { GatherRows(2, []int{2}, v, 2, v, 2) }},
		{"PrefetchRows", func() { PrefetchRows(2, []int{2}, v, 2) }},
		{"Standardize", func() { Standardize(2, 2, v, 2, v, v[:1], v, 2) }},
	} {
		msg, panicked := panicMessage(tc.f)
		if !panicked || !strings.HasPrefix(msg, "edgefit: "+tc.kernel+": ") {
			t.Errorf("package-level %s with a bad argument: panicked %v with %q", tc.kernel, panicked, msg)
		}
	}
}

// TestEmptyArgumentsAccepted: zero sizes with nil slices (and the smallest
// legal strides) are not errors.
func TestEmptyArgumentsAccepted(t *testing.T) {
	for _, im := range Implementations() {
		for _, tc := range []struct {
			what string
			f    func()
		}{
			{"MatMulBias 0×0×0", func() { im.MatMulBias(0, 0, 0, nil, 1, nil, 1, nil, nil, 1) }},
			{"MatMulBias m=0", func() { im.MatMulBias(0, 3, 2, nil, 2, make([]float32, 6), 2, nil, nil, 3) }},
			{"GradW 0×0×0", func() { im.GradW(0, 0, 0, 1, nil, 1, nil, 1, 0, nil, 1) }},
			{"ColSums 0×0", func() { im.ColSums(0, 0, 1, nil, 1, 0, nil) }},
			{"SqErr nil", func() { im.SqErr(nil, nil, nil) }},
			{"SqErrSum nil", func() { im.SqErrSum(nil, nil) }},
			{"Axpy nil", func() { im.Axpy(1, nil, nil) }},
			{"Dot nil", func() { im.Dot(nil, nil) }},
			{"PeakLoad nil", func() { im.PeakLoad(nil, nil) }},
			{"GatherRows no rows", func() { im.GatherRows(3, nil, nil, 3, nil, 3) }},
			{"GatherRows no rows of an empty X", func() { im.GatherRows(0, []int{}, nil, 1, nil, 1) }},
			// k = 0 copies nothing: the indices are not looked at.
			{"GatherRows k=0", func() { im.GatherRows(0, []int{7, -1}, nil, 1, nil, 1) }},
			{"PrefetchRows no rows", func() { im.PrefetchRows(3, nil, nil, 3) }},
			{"PrefetchRows no rows of an empty X", func() { im.PrefetchRows(0, []int{}, nil, 1) }},
			{"PrefetchRows k=0", func() { im.PrefetchRows(0, []int{7, -1}, nil, 1) }},
			{"Standardize 0×0", func() { im.Standardize(0, 0, nil, 1, nil, nil, nil, 1) }},
			{"Standardize m=0", func() { im.Standardize(0, 3, nil, 3, make([]float32, 3), make([]float32, 3), nil, 3) }},
			{"Standardize k=0", func() { im.Standardize(4, 0, nil, 1, nil, nil, nil, 1) }},
		} {
			if msg, panicked := panicMessage(tc.f); panicked {
				t.Errorf("%s: %s panicked: %s", im, tc.what, msg)
			}
		}
	}
}

// TestNoAllocations: every kernel, on every implementation and through the
// package-level functions, allocates nothing per call.
func TestNoAllocations(t *testing.T) {
	const m, n, k = 9, 5, 37
	X, W, b := make([]float32, m*k), make([]float32, n*k), make([]float32, n)
	Y, R, T := make([]float32, m*n), make([]float32, m*n), make([]float32, m*n)
	G, g := make([]float32, n*k), make([]float32, n)
	gidx, gY := []int{8, 0, 3, 3, 5, 1, 7, 2, 6, 4, 0, 8, 1, 2, 5, 7, 6, 3, 4, 0, 2}, make([]float32, 21*k)
	for i := range X {
		X[i] = float32(i%7) - 3
	}
	var sink float32
	for _, im := range append(Implementations(), nil) {
		name := "package-level"
		if im != nil {
			name = im.Name()
		}
		for _, tc := range []struct {
			kernel string
			f      func()
		}{
			{"MatMulBias", func() {
				if im == nil {
					MatMulBias(m, n, k, X, k, W, k, b, Y, n)
				} else {
					im.MatMulBias(m, n, k, X, k, W, k, b, Y, n)
				}
			}},
			{"SqErr", func() {
				if im == nil {
					sink += SqErr(R, Y, T)
				} else {
					sink += im.SqErr(R, Y, T)
				}
			}},
			{"SqErrSum", func() {
				if im == nil {
					sink += SqErrSum(Y, T)
				} else {
					sink += im.SqErrSum(Y, T)
				}
			}},
			{"GradW", func() {
				if im == nil {
					GradW(m, n, k, 0.5, R, n, X, k, 1, G, k)
				} else {
					im.GradW(m, n, k, 0.5, R, n, X, k, 1, G, k)
				}
			}},
			{"ColSums", func() {
				if im == nil {
					ColSums(m, n, 0.5, R, n, 1, g)
				} else {
					im.ColSums(m, n, 0.5, R, n, 1, g)
				}
			}},
			{"Axpy", func() {
				if im == nil {
					Axpy(-1e-3, G, W)
				} else {
					im.Axpy(-1e-3, G, W)
				}
			}},
			{"Dot", func() {
				if im == nil {
					sink += Dot(X, X)
				} else {
					sink += im.Dot(X, X)
				}
			}},
			{"GatherRows", func() {
				if im == nil {
					GatherRows(k, gidx, X, k, gY, k)
				} else {
					im.GatherRows(k, gidx, X, k, gY, k)
				}
			}},
			{"PrefetchRows", func() {
				if im == nil {
					PrefetchRows(k, gidx, X, k)
				} else {
					im.PrefetchRows(k, gidx, X, k)
				}
			}},
			{"Standardize", func() {
				if im == nil {
					Standardize(m, k, X, k, G[:k], W[:k], gY, k)
				} else {
					im.Standardize(m, k, X, k, G[:k], W[:k], gY, k)
				}
			}},
			{"Standardize in place", func() {
				if im == nil {
					Standardize(m, n, Y, n, b, b, Y, n)
				} else {
					im.Standardize(m, n, Y, n, b, b, Y, n)
				}
			}},
			{"PeakLoad", func() {
				if im != nil {
					sink += im.PeakLoad(X, X)
				}
			}},
			{"PeakFMA", func() {
				if im != nil {
					im.PeakFMA(2)
				}
			}},
		} {
			if a := zeroalloc.AllocsPerRun(20, tc.f); a != 0 {
				t.Errorf("%s %s: %v allocations per call, want 0", name, tc.kernel, a)
			}
		}
	}
	_ = sink
}
