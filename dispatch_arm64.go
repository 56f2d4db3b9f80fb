//go:build arm64 && gc && !purego

package edgefit

import "golang.org/x/sys/cpu"

// simdImpls: the NEON kernels are not generated yet.
func simdImpls() []*Impl { return nil }

func simdReason() string { return "" }

func simdUnavailable() string {
	return "generic: no NEON kernels in this build yet (CPU ASIMD " + yesNo(cpu.ARM64.HasASIMD) + ")"
}
