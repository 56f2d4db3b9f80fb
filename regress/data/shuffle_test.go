package data

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// shuffle draws exactly the permutations rand.Rand.IntN would, in pieces of
// any size.
func TestShuffleMatchesRandIntN(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 64, 1000, 100_003, 1 << 17} {
		for seed := range uint64(3) {
			rng := rand.New(rand.NewPCG(seed, 0xda942042e4dd58b5))
			r := pcg{seed, 0xda942042e4dd58b5}
			d := drawer{rng: r}
			for epoch := range 2 {
				want := make([]int, n)
				for i := range want {
					want[i] = i
				}
				for i := n - 1; i > 0; i-- {
					j := rng.IntN(i + 1)
					want[i], want[j] = want[j], want[i]
				}
				got := make([]int, n)
				shuffle(got, &r)
				if !slices.Equal(got, want) {
					t.Fatalf("n %d, seed %d, epoch %d: shuffle differs from rand.Rand.IntN's", n, seed, epoch)
				}
				// The same drawn in pieces of 1 to 4 rows or swaps.
				d.start(make([]int, n))
				for k := 0; d.run(k%4+1, k%4+1); k++ {
				}
				if !slices.Equal(d.p, want) {
					t.Fatalf("n %d, seed %d, epoch %d: drawn in pieces, the permutation differs", n, seed, epoch)
				}
			}
		}
	}
}
