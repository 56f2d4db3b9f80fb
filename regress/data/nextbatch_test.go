package data

import (
	"slices"
	"testing"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/internal/batches"
)

// NextBatch's batches, gathered, are Next's batch for batch, shuffled or not,
// and each names the following batch's rows to prefetch: all of them when
// shuffled, its first rows (at most batches.MaxPrefetchRows) when not, none at
// the end of the epoch, and none of a dataset under batches.PrefetchMinBytes.
func TestNextBatchMatchesNext(t *testing.T) {
	testNextBatch(t, 23, 3, 5)
	testNextBatch(t, 2*batches.MaxPrefetchRows+100, 3, batches.MaxPrefetchRows+50)
	testNextBatch(t, 2*batches.MaxPrefetchRows+100, 40, batches.MaxPrefetchRows+50)
	testNextBatch(t, 3000, 30, 7)
	testNextBatch(t, 2000, 20, 64) // 176 KiB
}

func testNextBatch(t *testing.T, rows, cols, bs int) {
	worth := 4*rows*(cols+2) >= batches.PrefetchMinBytes
	X, _ := linalg.New(rows, cols)
	Y, _ := linalg.New(rows, 2)
	for i := range X.Data {
		X.Data[i] = float32(i)
	}
	for i := range Y.Data {
		Y.Data[i] = -float32(i)
	}
	ds, err := NewDataset(X, Y)
	if err != nil {
		t.Fatal(err)
	}
	for _, shuffle := range []bool{false, true} {
		cfg := LoaderConfig{BatchSize: bs, Shuffle: shuffle, Seed: 7}
		a, errA := NewLoader(ds, cfg)
		b, errB := NewLoader(ds, cfg)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		for epoch := range 2 {
			if err := a.Reset(); err != nil {
				t.Fatal(err)
			}
			if err := b.Reset(); err != nil {
				t.Fatal(err)
			}
			var prevNext []int
			var aheadX, aheadY linalg.Dense // the rows the previous batch named to prefetch
			for n := 0; ; n++ {
				wx, wy, ok := a.Next()
				nb, okB := b.NextBatch()
				if ok != okB {
					t.Fatalf("shuffle %v, epoch %d, batch %d: Next ok = %v, NextBatch ok = %v", shuffle, epoch, n, ok, okB)
				}
				if !ok {
					if aheadX.Rows != 0 {
						t.Fatalf("shuffle %v, epoch %d: the last batch names %d rows to prefetch", shuffle, epoch, aheadX.Rows)
					}
					break
				}
				want := wx.Rows
				if !shuffle {
					want = min(want, batches.MaxPrefetchRows)
				}
				if !worth {
					want = 0
				}
				if n > 0 && (aheadX.Rows != want || want > 0 &&
					(!equalDense(aheadX, wx.Slice(0, want)) || !equalDense(aheadY, wy.Slice(0, want)))) {
					t.Fatalf("%d×%d rows, batches of %d, shuffle %v, epoch %d, batch %d: the previous batch named %d rows to prefetch, want this batch's first %d", rows, cols, bs, shuffle, epoch, n, aheadX.Rows, want)
				}
				aheadX, aheadY = gathered(nb.NX, nb.NY, nb.Next)
				gx, gy := nb.X, nb.Y
				if nb.Idx != nil {
					if prevNext != nil && !slices.Equal(prevNext, nb.Idx) {
						t.Fatalf("shuffle %v, epoch %d, batch %d: the previous batch's Next %v is not this batch's rows %v", shuffle, epoch, n, prevNext, nb.Idx)
					}
					prevNext = nb.Next
					gx, gy = nb.BX.Slice(0, len(nb.Idx)), nb.BY.Slice(0, len(nb.Idx))
					batches.Gather(gx, nb.X, gy, nb.Y, nb.Idx)
				} else if shuffle {
					t.Fatalf("shuffle %v, epoch %d, batch %d: a shuffled batch without Idx", shuffle, epoch, n)
				}
				if !equalDense(wx, gx) || !equalDense(wy, gy) {
					t.Fatalf("shuffle %v, epoch %d, batch %d: NextBatch's rows differ from Next's", shuffle, epoch, n)
				}
			}
		}
	}
}

func equalDense(a, b linalg.Dense) bool {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		return false
	}
	for i := range a.Rows {
		if !slices.Equal(a.Data[i*a.Stride:i*a.Stride+a.Cols], b.Data[i*b.Stride:i*b.Stride+b.Cols]) {
			return false
		}
	}
	return true
}

// gathered returns rows idx of X and Y, copied.
func gathered(X, Y linalg.Dense, idx []int) (gx, gy linalg.Dense) {
	if len(idx) == 0 {
		return linalg.Dense{}, linalg.Dense{}
	}
	gx, _ = linalg.New(len(idx), X.Cols)
	gy, _ = linalg.New(len(idx), Y.Cols)
	batches.Gather(gx, X, gy, Y, idx)
	return gx, gy
}
