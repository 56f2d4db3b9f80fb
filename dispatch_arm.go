//go:build arm && gc && !purego

package edgefit

import "golang.org/x/sys/cpu"

// 32-bit ARM runs the Go kernels: Go's arm assembler has no NEON (Advanced
// SIMD) instructions at all, only scalar VFP, and an arm64 kernel and OS run
// the NEON kernels on the same ARMv8 boards. Selection says so, and whether
// the CPU has NEON, so that a user of a 32-bit OS on a 64-bit board learns
// what a 64-bit build would gain.

func simdImpls() []*Impl { return nil }

func simdSplit(splitter) []*Impl { return nil }

func simdReason() string { return "" }

func simdUnavailable() string {
	return "generic: no NEON kernels for 32-bit ARM (GOARCH=arm; Go's arm assembler has no NEON instructions; CPU NEON " +
		yesNo(cpu.ARM.HasNEON) + "); a GOARCH=arm64 build on a 64-bit OS runs them"
}
