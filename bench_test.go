package edgefit_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/internal/zeroalloc"
)

// The benchmarks compare every implementation this machine can run
// (edgefit.Implementations) on the same shapes, in the units that matter for
// each kernel: GFLOP/s for the compute-bound ones, GB/s of input read for the
// memory-bound ones. BenchmarkPeakFMA and BenchmarkPeakLoad measure the
// ceilings in the same run, so that a kernel is judged as a fraction of what
// the machine can do at that moment (the figures of a shared machine move; the
// ratios within one run much less).
//
//	go test -run '^$' -bench 'Peak|MatMulBias|SqErr' -count 5 .

func randSlice(r *rand.Rand, n int) []float32 {
	a := make([]float32, n)
	for i := range a {
		a[i] = 2*r.Float32() - 1
	}
	return a
}

// run times op, reporting GFLOP/s when flops > 0 and GB/s when bytes > 0,
// and fails when the timed calls allocate (zeroalloc.Loop).
//
// Besides the rates over the whole run (the usual mean), it reports the rate
// of the fastest chunk of calls ("best-GFLOP/s", "best-GB/s"; a chunk lasts
// about 50µs): on a shared machine other processes, and work on the sibling
// hyperthread, slow any stretch of a run by up to several times, and the
// fastest stretch is the figure closest to the machine's own, for the
// ceilings and the kernels alike. Compare kernels with the ceilings of the
// same run through the best-figures when the machine is busy.
func run(b *testing.B, flops, bytes float64, op func()) {
	b.Helper()
	b.ReportAllocs()
	t0 := time.Now()
	op()
	chunk := int(50*time.Microsecond/max(time.Since(t0), 1)) + 1
	best := time.Duration(math.MaxInt64)
	bestN := 0
	b.ResetTimer()
	zeroalloc.Loop(b, func() {
		for done := 0; done < b.N; {
			c := min(chunk, b.N-done)
			t := time.Now()
			for i := 0; i < c; i++ {
				op()
			}
			if d := time.Since(t); c == chunk && d*time.Duration(bestN) < best*time.Duration(c) || bestN == 0 {
				best, bestN = d, c
			}
			done += c
		}
	})
	ns := float64(b.Elapsed().Nanoseconds())
	bestNs := float64(best.Nanoseconds()) / float64(bestN)
	if flops > 0 {
		b.ReportMetric(flops*float64(b.N)/ns, "GFLOP/s")
		b.ReportMetric(flops/bestNs, "best-GFLOP/s")
	}
	if bytes > 0 {
		b.ReportMetric(bytes*float64(b.N)/ns, "GB/s")
		b.ReportMetric(bytes/bestNs, "best-GB/s")
	}
}

// best is the implementation the package-level functions run by default: the
// last of Implementations.
func best() *edgefit.Impl {
	ims := edgefit.Implementations()
	return ims[len(ims)-1]
}

// vectorSizes: n=4096 keeps both operands (32 KiB) in L1;
// n=4194304 (16 MiB each) streams from memory.
var vectorSizes = []int{4096, 4194304}

// BenchmarkPeakFMA and BenchmarkPeakLoad are each implementation's ceilings
// (impl=avx2 and impl=avx512 differ in width; impl=generic is Go's).
func BenchmarkPeakFMA(b *testing.B) {
	const iters = 1 << 12
	for _, im := range edgefit.Implementations() {
		b.Run("impl="+im.Name(), func(b *testing.B) {
			run(b, float64(iters*edgefit.PeakFMAFlopsPerIter), 0, func() { im.PeakFMA(iters) })
		})
	}
}

var sink float32

func BenchmarkPeakLoad(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, n := range vectorSizes {
			x, y := randSlice(r, n), randSlice(r, n)
			b.Run(fmt.Sprintf("impl=%s/n=%d", im, n), func(b *testing.B) {
				run(b, 0, 8*float64(n), func() { sink += im.PeakLoad(x, y) })
			})
		}
	}
}

// matShapes are m×k×n: the tutorial's 5 rows of 3 inputs and 2 outputs, then
// batches of growing width.
var matShapes = [][3]int{{5, 3, 2}, {256, 64, 8}, {1024, 256, 64}, {256, 256, 256}}

func BenchmarkMatMulBias(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, s := range matShapes {
			m, k, n := s[0], s[1], s[2]
			X, W, bias, Y := randSlice(r, m*k), randSlice(r, n*k), randSlice(r, n), make([]float32, m*n)
			b.Run(fmt.Sprintf("impl=%s/shape=%dx%dx%d", im, m, k, n), func(b *testing.B) {
				run(b, 2*float64(m*k*n), 0, func() { im.MatMulBias(m, n, k, X, k, W, k, bias, Y, n) })
			})
		}
	}
}

// BenchmarkGradW uses the shapes of BenchmarkMatMulBias: the gradient of the
// same layer, G (n×k) = α·Rᵀ·X with R m×n.
func BenchmarkGradW(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, s := range matShapes {
			m, k, n := s[0], s[1], s[2]
			R, X, G := randSlice(r, m*n), randSlice(r, m*k), make([]float32, n*k)
			b.Run(fmt.Sprintf("impl=%s/shape=%dx%dx%d", im, m, k, n), func(b *testing.B) {
				run(b, 2*float64(m*k*n), 0, func() { im.GradW(m, n, k, 0.5, R, n, X, k, 0, G, k) })
			})
		}
	}
}

// BenchmarkColSums: shapes m×n of residuals, GB/s of R read.
func BenchmarkColSums(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, s := range [][2]int{{5, 2}, {256, 8}, {1024, 64}, {256, 256}} {
			m, n := s[0], s[1]
			R, g := randSlice(r, m*n), make([]float32, n)
			b.Run(fmt.Sprintf("impl=%s/shape=%dx%d", im, m, n), func(b *testing.B) {
				run(b, 0, 4*float64(m*n), func() { im.ColSums(m, n, 0.5, R, n, 0, g) })
			})
		}
	}
}

// BenchmarkSqErr: GB/s of the two inputs P and T (8·n bytes). The residuals
// are written over P, as the trainer does (the predictions are dead once the
// residuals exist), so P drifts by −T per call: harmless, it stays far from
// overflow for any b.N a benchmark reaches.
func BenchmarkSqErr(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, n := range vectorSizes {
			P, T := randSlice(r, n), randSlice(r, n)
			b.Run(fmt.Sprintf("impl=%s/n=%d", im, n), func(b *testing.B) {
				run(b, 0, 8*float64(n), func() { sink += im.SqErr(P, P, T) })
			})
		}
	}
}

// BenchmarkSqErrSum: as BenchmarkSqErr, writing nothing.
func BenchmarkSqErrSum(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, n := range vectorSizes {
			P, T := randSlice(r, n), randSlice(r, n)
			b.Run(fmt.Sprintf("impl=%s/n=%d", im, n), func(b *testing.B) {
				run(b, 0, 8*float64(n), func() { sink += im.SqErrSum(P, T) })
			})
		}
	}
}

// BenchmarkAxpy: GB/s of x and y read (y is also written).
func BenchmarkAxpy(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, n := range vectorSizes {
			x, y := randSlice(r, n), randSlice(r, n)
			b.Run(fmt.Sprintf("impl=%s/n=%d", im, n), func(b *testing.B) {
				// Alternate the sign so that y stays bounded however long it runs.
				alpha := float32(1e-3)
				run(b, 0, 8*float64(n), func() { im.Axpy(alpha, x, y); alpha = -alpha })
			})
		}
	}
}

// BenchmarkDot: GB/s of x and y read.
func BenchmarkDot(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, n := range vectorSizes {
			x, y := randSlice(r, n), randSlice(r, n)
			b.Run(fmt.Sprintf("impl=%s/n=%d", im, n), func(b *testing.B) {
				run(b, 0, 8*float64(n), func() { sink += im.Dot(x, y) })
			})
		}
	}
}

// gatherSets are the datasets of BenchmarkGatherRows, rows×k floats gathered
// in batches of bs rows in the order of a random permutation: the inputs and
// the targets of the trainer's shuffled epoch on regress's BenchmarkEpoch/
// medium (25.6 MB and 3.2 MB, past L2), the same rows from a dataset that
// fits in L2 (256 KiB), and the tutorial's crops, 15 rows of 3 inputs in
// batches of 5.
var gatherSets = []struct {
	name        string
	rows, k, bs int
}{
	{"inputs-100000x64", 100_000, 64, 256},
	{"targets-100000x8", 100_000, 8, 256},
	{"in-cache-1024x64", 1024, 64, 256},
	{"crops-15x3", 15, 3, 5},
}

// BenchmarkGatherRows: ns per row gathered and GB/s of rows copied, for every
// implementation and for a plain Go loop of copy calls (impl=copy-loop),
// which is what a caller would write without the kernel.
//
//	go test -run '^$' -bench 'GatherRows$' -benchtime 0.3s -count 3 .
func BenchmarkGatherRows(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, s := range gatherSets {
		X := randSlice(r, s.rows*s.k)
		perm := r.Perm(s.rows)
		Y := make([]float32, s.bs*s.k)
		impls := append(edgefit.Implementations(), nil)
		for _, im := range impls {
			name := "copy-loop"
			if im != nil {
				name = im.Name()
			}
			b.Run(fmt.Sprintf("impl=%s/data=%s", name, s.name), func(b *testing.B) {
				pos := 0
				op := func() {
					if pos+s.bs > len(perm) {
						pos = 0
					}
					idx := perm[pos : pos+s.bs]
					pos += s.bs
					if im != nil {
						im.GatherRows(s.k, idx, X, s.k, Y, s.k)
						return
					}
					for i, r := range idx {
						copy(Y[i*s.k:i*s.k+s.k], X[r*s.k:r*s.k+s.k])
					}
				}
				run(b, 0, 4*float64(s.bs*s.k), op)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*s.bs), "ns/row")
			})
		}
	}
}

// BenchmarkPrefetchRows shows what PrefetchRows is for: batches of 256 rows
// of the 100,000×64 dataset (25.6 MB), in the order of a random permutation,
// gathered
//
//   - case=cold: after about 10 µs of work that touches no memory (PeakFMA),
//     with the rows wherever the previous batches left them;
//   - case=prefetched: the same, with PrefetchRows of the batch issued
//     before the work, so that the rows arrive while it runs.
//
// gather-ns/row is the time of the GatherRows call alone, per row;
// prefetch-ns/row the time of the PrefetchRows call itself (which does not
// wait for the rows); work-µs the time of the work between them. For the
// generic implementation PrefetchRows does nothing.
//
//	go test -run '^$' -bench 'PrefetchRows$' -benchtime 0.3s -count 3 .
//
// On the 2-core AMD EPYC VM (3 runs): avx2 gathers 29–30 ns a row cold,
// 10 ns a row prefetched, after a PrefetchRows call of 11 ns a row; generic
// 111–117 ns a row either way.
func BenchmarkPrefetchRows(b *testing.B) {
	const rows, k, bs = 100_000, 64, 256
	r := rand.New(rand.NewSource(1))
	X := randSlice(r, rows*k)
	perm := r.Perm(rows)
	Y := make([]float32, bs*k)
	work := best()
	// iters makes a PeakFMA call take about 10 µs: the fastest of a few
	// trial calls sets the rate.
	const trial = 1 << 10
	fastest := time.Duration(math.MaxInt64)
	for range 200 {
		t := time.Now()
		work.PeakFMA(trial)
		fastest = min(fastest, time.Since(t))
	}
	iters := max(int(int64(trial)*int64(10*time.Microsecond)/max(fastest.Nanoseconds(), 1)), 1)
	for _, im := range edgefit.Implementations() {
		for _, prefetch := range []bool{false, true} {
			name := map[bool]string{false: "cold", true: "prefetched"}[prefetch]
			b.Run(fmt.Sprintf("impl=%s/case=%s", im, name), func(b *testing.B) {
				pos := 0
				var tPre, tWork, tGather time.Duration
				b.ReportAllocs()
				b.ResetTimer()
				zeroalloc.Loop(b, func() {
					for range b.N {
						if pos+bs > len(perm) {
							pos = 0
						}
						idx := perm[pos : pos+bs]
						pos += bs
						t0 := time.Now()
						if prefetch {
							im.PrefetchRows(k, idx, X, k)
						}
						t1 := time.Now()
						work.PeakFMA(iters)
						t2 := time.Now()
						im.GatherRows(k, idx, X, k, Y, k)
						t3 := time.Now()
						tPre, tWork, tGather = tPre+t1.Sub(t0), tWork+t2.Sub(t1), tGather+t3.Sub(t2)
					}
				})
				n := float64(b.N)
				b.ReportMetric(float64(tGather.Nanoseconds())/(n*bs), "gather-ns/row")
				if prefetch {
					b.ReportMetric(float64(tPre.Nanoseconds())/(n*bs), "prefetch-ns/row")
				}
				b.ReportMetric(float64(tWork.Nanoseconds())/n/1000, "work-µs")
			})
		}
	}
}

// stdShapes are BenchmarkStandardize's batches, rows×k: the trainer's batch
// of 256 rows of 16 inputs (the command's 1M×16 benchmark CSV), the
// tutorial's rows of 3 inputs, and wide rows.
var stdShapes = [][2]int{{256, 16}, {256, 3}, {64, 1000}}

// BenchmarkStandardize: GB/s of X read (D, as many bytes, is written).
//
//	go test -run '^$' -bench 'Standardize' -count 3 .
func BenchmarkStandardize(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, im := range edgefit.Implementations() {
		for _, s := range stdShapes {
			m, k := s[0], s[1]
			X, D, mean, scale := randSlice(r, m*k), make([]float32, m*k), randSlice(r, k), randSlice(r, k)
			for i := range scale {
				scale[i] = 1.5 + scale[i]
			}
			b.Run(fmt.Sprintf("impl=%s/shape=%dx%d", im, m, k), func(b *testing.B) {
				run(b, 0, 4*float64(m*k), func() { im.Standardize(m, k, X, k, mean, scale, D, k) })
			})
		}
	}
}
