package data

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/edgefit/edgefit/linalg"
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

// A Loader's orders are the same whether another goroutine draws them ahead,
// in pieces, while the epochs run, or Reset draws them.
func TestLoaderOrderDrawnAhead(t *testing.T) {
	X, _ := linalg.New(10_007, 1)
	Y, _ := linalg.New(10_007, 1)
	ds, err := NewDataset(X, Y)
	if err != nil {
		t.Fatal(err)
	}
	cfg := LoaderConfig{BatchSize: 64, Shuffle: true, Seed: 7}
	a, _ := NewLoader(ds, cfg)
	b, _ := NewLoader(ds, cfg)
	in := cfg
	in.InPlace = true
	c, _ := NewLoader(ds, in) // draws in Reset, with no second buffer
	if c.next != nil || c.ahead != nil {
		t.Fatal("InPlace: the loader keeps a second order buffer")
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				a.ahead.Piece()
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	for epoch := range 20 {
		if err := a.Reset(); err != nil {
			t.Fatal(err)
		}
		if err := b.Reset(); err != nil {
			t.Fatal(err)
		}
		if err := c.Reset(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.perm, b.perm) {
			t.Fatalf("epoch %d: the order drawn ahead differs", epoch)
		}
		if !slices.Equal(c.perm, b.perm) {
			t.Fatalf("epoch %d: the order drawn in place differs", epoch)
		}
		for range epoch % 3 * 50 { // and pieces from this one
			a.ahead.Piece()
		}
	}
}
