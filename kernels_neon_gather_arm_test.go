//go:build arm && gc && !purego

package edgefit

// The prefetch schedules of 32-bit ARM's NEON GatherRows and PrefetchRows,
// read from their traced twins (a prefetch cannot be observed, least of all
// under an emulator). gather_test.go and prefetch_test.go check what every
// implementation copies, reads and leaves unchanged, guard pages included.

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// simdPlans are the prefetch plans of this architecture's SIMD sets.
func simdPlans() []prefetchPlan { return []prefetchPlan{neonPlan} }

// simdTiles returns a SIMD set's widest panel of MatMulBias (columns of Y)
// and its tile of GradW (rows × columns of G).
func simdTiles(*Impl) (mmN, gwN, gwK int) {
	return matMulBiasTileN, gradWTileN, gradWTileK
}

// armIndices returns n indices into rows rows: random with repeats, or a
// shuffled permutation (cycled), with the first and last rows in.
func armIndices(r *rand.Rand, n, rows int, perm bool) []int {
	idx := make([]int, n)
	p := r.Perm(rows)
	for i := range idx {
		idx[i] = r.IntN(rows)
		if perm {
			idx[i] = p[i%rows]
		}
	}
	if n >= 2 {
		idx[0], idx[n-1] = 0, rows-1
	}
	return idx
}

// TestGatherRowsNEONSchedule runs gatherRowsNEONTrace and checks the record:
// rows idx[0:ahead] prefetched first at the offsets neonPlan gives, then row
// idx[i+ahead] before the copy of row i while there is one, the rows copied
// in order, nothing past the schedule, and Y as the Go version leaves it.
func TestGatherRowsNEONSchedule(t *testing.T) {
	r := rand.New(rand.NewPCG(48, 48))
	for _, k := range []int{1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 113, 114, 1000} {
		for _, n := range []int{1, 2, 3, 17, 32, 33, 100} {
			ldx, ldy, rows := k+r.IntN(3), k+r.IntN(2), 120
			X, Y := randF32(r, (rows-1)*ldx+k), make([]float32, (n-1)*ldy+k)
			want := append([]float32(nil), Y...)
			idx := armIndices(r, n, rows, n%2 == 0)
			ahead, lines, last := neonPlan.rows(k)
			ahead = min(ahead, n)
			trace := make([]uintptr, n*(lines+2)+1) // one to spare, to stay 0
			gatherRowsNEONTrace(k, idx, X, ldx, Y, ldy, ahead, lines, last, trace)
			row := func(i int) uintptr { return uintptr(unsafe.Pointer(&X[idx[i]*ldx])) }
			var sched []uintptr
			prefetch := func(i int) {
				sched = append(sched, row(i)+uintptr(last))
				for j := 0; j < lines; j++ {
					sched = append(sched, row(i)+uintptr(64*j))
				}
			}
			for i := 0; i < ahead; i++ {
				prefetch(i)
			}
			for i := 0; i < n; i++ {
				if i+ahead < n {
					prefetch(i + ahead)
				}
				sched = append(sched, row(i)+1)
			}
			sched = append(sched, 0)
			for i := range sched {
				if trace[i] != sched[i] {
					t.Fatalf("k=%d n=%d ahead=%d lines=%d last=%d: trace[%d] = %#x, want %#x", k, n, ahead, lines, last, i, trace[i], sched[i])
				}
			}
			gatherRowsGeneric(k, idx, X, ldx, want, ldy)
			for i := range want {
				if math.Float32bits(Y[i]) != math.Float32bits(want[i]) {
					t.Fatalf("k=%d n=%d: Y[%d] = %v, want %v", k, n, i, Y[i], want[i])
				}
			}
		}
	}
}

// TestPrefetchRowsNEONSchedule runs prefetchRowsNEONTrace and checks the
// record is, for each row in turn, its first element's address, then the
// start of every further 64-byte line one of its elements lies in, up to 8
// lines a row (worked out element by element), and nothing past that: every
// k 1..130 and 1000, X starting at each of the 16 float32 positions of a
// line, row strides k and larger.
func TestPrefetchRowsNEONSchedule(t *testing.T) {
	r := rand.New(rand.NewPCG(49, 49))
	const rows, none = 30, ^uintptr(0)
	buf := make([]float32, rows*(1000+17)+32)
	base := int(uintptr(unsafe.Pointer(&buf[0]))%64) / 4 // buf[16-base] starts a line
	trace := make([]uintptr, 8*40+1)
	for k := 1; k <= 131; k++ {
		if k == 131 {
			k = 1000
		}
		for _, pad := range []int{0, 1, 17} {
			for align := 0; align < 16; align++ {
				ldx := k + pad
				X := buf[16-base+align:][:(rows-1)*ldx+k]
				n := 1 + (k+pad+align)%40
				idx := armIndices(r, n, rows, align%2 == 0)
				var want []uintptr
				for _, row := range idx {
					a := uintptr(unsafe.Pointer(&X[row*ldx]))
					want = append(want, a)
					for j, lines := 1, 1; j < k && lines < 8; j++ {
						if e := uintptr(unsafe.Pointer(&X[row*ldx+j])) &^ 63; e > want[len(want)-1] {
							want, lines = append(want, e), lines+1
						}
					}
				}
				for i := range trace {
					trace[i] = none
				}
				prefetchRowsNEONTrace(k, idx, X, ldx, trace)
				for i := range trace {
					w := none
					if i < len(want) {
						w = want[i]
					}
					if trace[i] != w {
						t.Fatalf("k=%d ldx=%d align=%d idx=%v: trace[%d] = %#x, want %#x", k, ldx, align, idx, i, trace[i], w)
					}
				}
			}
		}
	}
}
