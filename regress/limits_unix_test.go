//go:build unix && (amd64 || arm64)

package regress

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// TestNewLoaderBatchLimit: a shuffling loader's batch buffers are sized
// BatchSize×Cols, which may exceed linalg.MaxElements for a dataset that
// does fit in memory: an error, not a loader with no buffers. The dataset's
// inputs are 2 rows of 2^27+1 columns in address space reserved with no
// access (data.NewLoader must not read them), so the test costs no memory.
func TestNewLoaderBatchLimit(t *testing.T) {
	const cols = linalg.MaxElements/2 + 1
	mem, err := unix.Mmap(-1, 0, 2*cols*4, unix.PROT_NONE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	defer unix.Munmap(mem)
	X := linalg.Dense{Rows: 2, Cols: cols, Stride: cols, Data: unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), 2*cols)}
	Y := must(linalg.FromSlice(2, 1, []float32{1, 2}))
	l, err := data.NewLoader(&data.Dataset{X: X, Y: Y}, data.LoaderConfig{BatchSize: 2, Shuffle: true})
	wantLimitErr(t, "NewLoader", err, "NewLoader: a shuffled batch of 2 rows", "linalg.MaxElements")
	if l != nil {
		t.Error("NewLoader returned a loader with its error")
	}
}
