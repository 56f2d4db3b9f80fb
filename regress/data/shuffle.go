package data

import "math/bits"

// pcg is math/rand/v2's PCG generator, state and outputs alike: NewPCG(a, b)
// there is pcg{a, b} here. A draw here keeps the state in registers for a
// whole run of draws, where *rand.PCG stores it to memory after each.
type pcg struct{ hi, lo uint64 }

// draw is one step of PCG (a 128-bit linear congruential step) and its
// DXSM output, as rand.PCG.Uint64.
func draw(hi, lo uint64) (nhi, nlo, out uint64) {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	h, l := bits.Mul64(lo, mulLo)
	h += hi*mulLo + lo*mulHi
	l, c := bits.Add64(l, incLo, 0)
	h, _ = bits.Add64(h, incHi, c)
	out = h
	out ^= out >> 32
	out *= cheapMul
	out ^= out >> 48
	out *= l | 1
	return h, l, out
}

// drawer draws a permutation of 0…len(p)−1 into p in pieces, Fisher–Yates
// from the top, as torch.randperm gives RandomSampler: first p[i] = i for
// every i (filled of them so far), then for i = len(p)−1 down to 1 it swaps
// p[i] with p[j], j uniform in 0…i. The draws of j are exactly those of
// rand.New(rand.NewPCG(hi, lo)).IntN(i+1): Lemire's multiply-and-reject,
// computed as rand.Rand's uint64n does (on 32-bit machines too, where
// rand.Rand computes the same values another way).
type drawer struct {
	rng    pcg
	p      []int
	filled int // p[:filled] holds its indices
	i      int // the next position to swap into; done when below 1
}

// start begins a permutation into p.
func (d *drawer) start(p []int) { d.p, d.filled, d.i = p, 0, len(p)-1 }

// finish draws what is left of the permutation.
func (d *drawer) finish() {
	for d.run(len(d.p), len(d.p)) {
	}
}

// run fills up to fill rows or, once all are filled, swaps up to swaps
// positions, and reports whether work is left.
func (d *drawer) run(fill, swaps int) bool {
	p := d.p
	if d.filled < len(p) {
		end := min(d.filled+fill, len(p))
		for i := d.filled; i < end; i++ {
			p[i] = i
		}
		d.filled = end
		return true
	}
	hi, lo := d.rng.hi, d.rng.lo
	i := d.i
	for stop := max(i-swaps, 0); i > stop; i-- {
		n := uint64(i + 1)
		var j, r uint64
		hi, lo, r = draw(hi, lo)
		if n&(n-1) == 0 {
			j = r & (n - 1)
		} else {
			var low uint64
			j, low = bits.Mul64(r, n)
			if low < n {
				for thresh := -n % n; low < thresh; {
					hi, lo, r = draw(hi, lo)
					j, low = bits.Mul64(r, n)
				}
			}
		}
		p[i], p[j] = p[j], p[i]
	}
	d.rng.hi, d.rng.lo, d.i = hi, lo, i
	return i > 0
}

// shuffle fills p with a fresh permutation drawn from r, all at once.
func shuffle(p []int, r *pcg) {
	d := drawer{rng: *r}
	d.start(p)
	d.finish()
	*r = d.rng
}
