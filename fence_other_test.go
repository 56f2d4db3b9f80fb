//go:build !unix

package edgefit

import (
	"os"
	"testing"
)

// fencesFault: without mmap and mprotect here, a fence is an ordinary heap
// buffer. The guard-page tests still run, so out-of-bounds writes within the
// checked window are caught, but a read past either end goes unnoticed.
const fencesFault = false

func newFence(t testing.TB, pages int) []float32 {
	return make([]float32, pages*os.Getpagesize()/4)
}
