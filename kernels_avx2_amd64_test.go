//go:build amd64 && gc && !purego

package edgefit

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"
)

// BenchmarkGatherRowsDistance measures gatherRowsAVX2 at fixed prefetch
// distances (in rows), for the choice of gatherAheadBytes and its clamps:
// batches of 256 rows in the order of a random permutation of a dataset of
// rows×k floats, as the trainer's shuffled epochs gather them. dist=0 is
// the Go loop, without prefetching, for comparison.
//
//	go test -run '^$' -bench GatherRowsDistance -benchtime 0.3s -count 3 .
func BenchmarkGatherRowsDistance(b *testing.B) {
	for _, s := range []struct{ rows, k int }{{100_000, 64}, {100_000, 8}, {100_000, 3}, {10_000, 1000}, {4_000_000, 8}, {4_000_000, 3}, {400_000, 64}} {
		const batch = 256
		r := rand.New(rand.NewPCG(1, 1))
		X := make([]float32, s.rows*s.k)
		for i := range X {
			X[i] = float32(i)
		}
		perm := r.Perm(s.rows)
		Y := make([]float32, batch*s.k)
		_, lines, last := gatherPrefetch(s.k)
		for _, dist := range []int{0, 1, 2, 4, 8, 16, 32, 64, 128, 256} {
			b.Run(fmt.Sprintf("%dx%d/dist=%d", s.rows, s.k, dist), func(b *testing.B) {
				pos := 0
				for range b.N {
					if pos+batch > len(perm) {
						pos = 0
					}
					if dist == 0 {
						gatherRowsGeneric(s.k, perm[pos:pos+batch], X, s.k, Y, s.k)
					} else {
						gatherRowsAVX2(s.k, perm[pos:pos+batch], X, s.k, Y, s.k, dist, lines, last)
					}
					pos += batch
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/row")
			})
		}
	}
}

// TestGatherPrefetchCoversRows: for every row length and alignment (in
// floats within a cache line), gatherPrefetch's lines and last make
// gatherRowsAVX2 ask for every line of a row of up to 7 lines' worth of
// bytes, or for its first 8 lines, and for nothing outside the row; the loop
// for k < 16, which prefetches only the bytes at 0 and last, covers the row
// too. The distance stays within its clamps.
func TestGatherPrefetchCoversRows(t *testing.T) {
	for k := 1; k <= 5000; k++ {
		dist, lines, last := gatherPrefetch(k)
		if dist < gatherMinDist || dist > gatherMaxDist || lines < 1 || last < 0 || last >= 4*k || 64*(lines-1) >= 4*k {
			t.Fatalf("k=%d: dist %d, lines %d, last %d", k, dist, lines, last)
		}
		for a := 0; a < 64; a += 4 {
			asked := map[int]bool{}
			if k < 16 {
				asked[a/64], asked[(a+last)/64] = true, true
			} else {
				for j := 0; j < lines; j++ {
					asked[(a+64*j)/64] = true
				}
				asked[(a+last)/64] = true
			}
			first, end := a/64, (a+4*k-1)/64 // the row's lines
			want := end - first + 1
			if want > 7 {
				want = 8
			}
			for l := first; l < first+want; l++ {
				if !asked[l] {
					t.Fatalf("k=%d at byte %d of a line: line %d of the row not prefetched (lines %d, last %d)", k, a, l-first, lines, last)
				}
			}
			if len(asked) > want {
				t.Fatalf("k=%d at byte %d: %d lines prefetched, want %d", k, a, len(asked), want)
			}
		}
	}
}

// TestGatherSplitCalls makes the wrapper split small batches into many
// assembly calls, down to one row per call, and checks them with the
// suite's guards and bitwise reference.
func TestGatherSplitCalls(t *testing.T) {
	saved := gatherChunk
	defer func() { gatherChunk = saved }()
	r := rand.New(rand.NewPCG(62, 62))
	for _, chunk := range []int{1, 16, 100, 1000} {
		gatherChunk = chunk
		for _, k := range []int{1, 3, 8, 15, 16, 17, 64, 100} {
			for _, n := range []int{1, 2, 15, 16, 17, 40, 63} {
				c := newGR(r, 1+r.IntN(30), n, k, n%numOrders)
				if errs := c.run(avx2, heapPlacer{}); errs.n > 0 {
					t.Errorf("gatherChunk=%d: %s:\n\t%s", chunk, c, errs)
				}
			}
		}
	}
}

// TestPrefetchSplitCalls makes the wrapper split batches into many assembly
// calls, down to one row per call, with idx and X flush against guard pages
// at either end: no call reads an index outside idx, and nothing changes.
func TestPrefetchSplitCalls(t *testing.T) {
	saved := prefetchChunk
	defer func() { prefetchChunk = saved }()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	r := rand.New(rand.NewPCG(65, 65))
	for _, atEnd := range []bool{true, false} {
		p := newFencePlacer(t, atEnd, 64*(1000+9))
		for _, chunk := range []int{1, 2, 9, 16, 100} {
			prefetchChunk = chunk
			for _, k := range []int{1, 3, 15, 16, 17, 64, 129, 1000} {
				for _, n := range []int{1, 2, 15, 16, 17, 40, 63} {
					p.reset()
					c := newPR(r, 1+r.IntN(30), n, k, n%numOrders)
					c.lx.extra = 0
					if errs := c.run(avx2, p); errs.n > 0 {
						t.Errorf("prefetchChunk=%d: %s:\n\t%s", chunk, c, errs)
					}
				}
			}
		}
	}
}
