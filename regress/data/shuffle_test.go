package data

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// shuffle draws exactly the permutations rand.Rand.IntN would.
func TestShuffleMatchesRandIntN(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 64, 1000, 100_003, 1 << 17} {
		for seed := range uint64(3) {
			got := make([]int, n)
			shuffle(got, rand.NewPCG(seed, 0xda942042e4dd58b5))
			rng := rand.New(rand.NewPCG(seed, 0xda942042e4dd58b5))
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			for i := n - 1; i > 0; i-- {
				j := rng.IntN(i + 1)
				want[i], want[j] = want[j], want[i]
			}
			if !slices.Equal(got, want) {
				t.Fatalf("n %d, seed %d: shuffle differs from rand.Rand.IntN's", n, seed)
			}
		}
	}
}
