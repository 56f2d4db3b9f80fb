//go:build riscv64 && gc && !purego

package edgefit

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// simdPlans are the prefetch plans of this architecture's SIMD sets.
func simdPlans() []prefetchPlan { return []prefetchPlan{rvvPlan} }

// simdTiles returns a SIMD set's widest panel of MatMulBias (columns of Y)
// and its tile of GradW (rows × columns of G).
func simdTiles(*Impl) (mmN, gwN, gwK int) {
	return matMulBiasTileN, gradWTileN, gradWTileK
}

// TestPrefetchRowsRVVTrace: the prefetches cannot be observed, so the
// tracing twin of prefetchRowsRVV, generated from the same code with each
// prefetch.r replaced by a store of its address, must list exactly the
// addresses the plan asks for: per row, in the order of idx, its offsets 0,
// 64, …, 64·(lines−1) and last, every one inside the row.
func TestPrefetchRowsRVVTrace(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2))
	for _, k := range []int{1, 3, 16, 17, 100, 128, 129, 1000} {
		ldx := k + r.IntN(5)
		rows := 40
		x := make([]float32, rows*ldx)
		idx := make([]int, 1+r.IntN(20))
		for i := range idx {
			idx[i] = r.IntN(rows)
		}
		_, lines, last := rvvPlan.rows(k)
		trace := make([]uintptr, len(idx)*(lines+1)+1)
		prefetchRowsRVVTrace(k, idx, x, ldx, lines, last, trace)
		var want []uintptr
		for _, row := range idx {
			a := uintptr(unsafe.Pointer(&x[row*ldx]))
			for l := 0; l < lines; l++ {
				want = append(want, a+uintptr(64*l))
			}
			want = append(want, a+uintptr(last))
		}
		for i, w := range want {
			if trace[i] != w {
				t.Fatalf("k=%d: prefetch %d at %#x, want %#x", k, i, trace[i], w)
			}
			if row := idx[i/(lines+1)]; w-uintptr(unsafe.Pointer(&x[row*ldx])) >= uintptr(4*k) {
				t.Fatalf("k=%d: prefetch %d outside its row", k, i)
			}
		}
		if trace[len(want)] != 0 {
			t.Fatalf("k=%d: more prefetches than the plan asks for", k)
		}
	}
}
