package edgefit

// Concurrent calls on adjacent parts of one output, as a parallel trainer
// makes them: row blocks of Y, row blocks of G, halves of g, of y and of R,
// row blocks of a gathered batch.
// A kernel that stores past its last row or element (even rewriting a value
// it read earlier) or that keeps state in a global corrupts its neighbour's
// result here, and under -race the range annotations of the assembly
// wrappers and the Go loops are checked as well.

import (
	"math/rand/v2"
	"sync"
	"testing"
)

func TestConcurrentAdjacentOutputs(t *testing.T) {
	const (
		m, n, k = 48, 37, 70
		blocks  = 6 // of 8 rows of Y, or 6–7 rows of G
		rounds  = 20
	)
	r := rand.New(rand.NewPCG(50, 50))
	X, W, b := realData.fill(r, m*k), realData.fill(r, n*k), realData.fill(r, n)
	R, P, T := realData.fill(r, m*n), realData.fill(r, m*n), realData.fill(r, m*n)
	v, w0 := realData.fill(r, 4099), realData.fill(r, 4099)
	wantY := refMatMulBias(m, n, k, X, W, b)
	wantG := refGradW(m, n, k, 0.5, R, X, 0, nil)
	wantg := refColSums(m, n, 0.5, R, 0, nil)
	wantR, _ := refSqErr(P, T)
	wanty := refAxpy(-0.25, v, w0)
	gidx := r.Perm(m) // rows of X gathered into Yg, a block per goroutine
	wantYg := make([]want, 0, m*k)
	for _, i := range gidx {
		for p := 0; p < k; p++ {
			wantYg = append(wantYg, want{v: float64(X[i*k+p]), exact: true})
		}
	}

	for _, im := range Implementations() {
		Y, G, g := make([]float32, m*n), make([]float32, n*k), make([]float32, n)
		Rout, y, Yg := make([]float32, m*n), make([]float32, len(w0)), make([]float32, m*k)
		for round := 0; round < rounds; round++ {
			copy(y, w0)
			var wg sync.WaitGroup
			for blk := 0; blk < blocks; blk++ {
				i0, i1 := blk*m/blocks, (blk+1)*m/blocks // rows of Y and X
				j0, j1 := blk*n/blocks, (blk+1)*n/blocks // rows of G, columns of R
				e0, e1 := blk*len(y)/blocks, (blk+1)*len(y)/blocks
				f0, f1 := blk*m*n/blocks, (blk+1)*m*n/blocks
				wg.Go(func() {
					im.MatMulBias(i1-i0, n, k, X[i0*k:], k, W, k, b, Y[i0*n:], n)
					im.GradW(m, j1-j0, k, 0.5, R[j0:], n, X, k, 0, G[j0*k:], k)
					im.ColSums(m, j1-j0, 0.5, R[j0:], n, 0, g[j0:j1])
					im.Axpy(-0.25, v[e0:e1], y[e0:e1])
					im.SqErr(Rout[f0:f1], P[f0:f1], T[f0:f1])
					im.GatherRows(k, gidx[i0:i1], X, k, Yg[i0*k:i1*k], k)
				})
			}
			wg.Wait()
			var errs errList
			for _, o := range []struct {
				name string
				got  []float32
				ws   []want
			}{{"Y", Y, wantY}, {"G", G, wantG}, {"g", g, wantg}, {"y", y, wanty}, {"R", Rout, wantR}, {"Yg", Yg, wantYg}} {
				for i, w := range o.ws {
					if !w.check(o.got[i], w.tolExact()) {
						errs.add("%s[%d] = %v, want %v ± %.3g", o.name, i, o.got[i], w.v, w.tolExact())
					}
				}
			}
			if errs.n > 0 {
				t.Fatalf("%s, round %d of %d concurrent calls on adjacent blocks:\n\t%s", im, round, blocks, &errs)
			}
		}
	}
}
