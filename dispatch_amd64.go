//go:build amd64 && gc && !purego

package edgefit

import "golang.org/x/sys/cpu"

// simdImpls: the AVX2+FMA kernels are not generated yet.
func simdImpls() []*Impl { return nil }

func simdReason() string { return "" }

func simdUnavailable() string {
	return "generic: no AVX2 kernels in this build yet (CPU AVX2 " + yesNo(cpu.X86.HasAVX2) + ", FMA " + yesNo(cpu.X86.HasFMA) + ")"
}
