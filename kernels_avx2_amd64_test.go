//go:build amd64 && gc && !purego

package edgefit

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkGatherRowsDistance measures gatherRowsAVX2 at fixed prefetch
// distances (in rows), for the choice of gatherAheadBytes and its clamps
// (gen/amd64/gather.go):
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
		_, lines, last := avx2Plan.rows(s.k)
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

// simdTiles returns a SIMD set's widest panel of MatMulBias (columns of Y)
// and its tile of GradW (rows × columns of G).
func simdTiles(im *Impl) (mmN, gwN, gwK int) {
	if im.Name() == "avx512" {
		return matMulBias512TileN, gradW512TileN, gradW512TileK
	}
	return matMulBiasTileN, gradWTileN, gradWTileK
}

// simdPlans are the prefetch plans of this architecture's SIMD sets.
func simdPlans() []prefetchPlan { return []prefetchPlan{avx2Plan} }
