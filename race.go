//go:build race

package edgefit

import (
	"runtime"
	"unsafe"
)

// Assembly is invisible to the race detector: the wrappers report the memory
// each kernel reads and writes, so that a data race on a kernel's operands is
// caught as it is with the Go versions.

const raceEnabled = true

func raceRead(a []float32) {
	if len(a) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&a[0]), 4*len(a))
	}
}

func raceWrite(a []float32) {
	if len(a) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&a[0]), 4*len(a))
	}
}

// raceReadMatrix reports the rows of a rows×cols matrix with stride ld, not
// the gaps between them, which the kernels do not touch.
func raceReadMatrix(a []float32, rows, cols, ld int) {
	for i := 0; i < rows; i++ {
		raceRead(a[i*ld : i*ld+cols])
	}
}

func raceWriteMatrix(a []float32, rows, cols, ld int) {
	for i := 0; i < rows; i++ {
		raceWrite(a[i*ld : i*ld+cols])
	}
}
