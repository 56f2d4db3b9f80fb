//go:build unix

package edgefit

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fencesFault: on these systems the memory on both sides of a fence is
// mapped PROT_NONE, so any access past either end faults.
const fencesFault = true

// newFence maps pages+2 pages and makes the first and the last inaccessible,
// returning the float32s in between. The mapping is released when the test
// ends.
func newFence(t testing.TB, pages int) []float32 {
	t.Helper()
	ps := unix.Getpagesize()
	mem, err := unix.Mmap(-1, 0, (pages+2)*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Munmap(mem); err != nil {
			t.Errorf("munmap: %v", err)
		}
	})
	for _, guard := range [][]byte{mem[:ps], mem[(pages+1)*ps:]} {
		if err := unix.Mprotect(guard, unix.PROT_NONE); err != nil {
			t.Fatalf("mprotect: %v", err)
		}
	}
	inner := mem[ps : (pages+1)*ps]
	return unsafe.Slice((*float32)(unsafe.Pointer(&inner[0])), len(inner)/4)
}
