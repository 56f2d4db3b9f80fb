//go:build arm64 && gc && !purego

package edgefit

import "golang.org/x/sys/cpu"

// simdImpls offers the NEON kernels when the CPU reports Advanced SIMD.
// ARMv8-A makes it mandatory for application processors, so in practice
// every arm64 board running Linux or macOS has it; the test is there for the
// cores and kernels that do not, and so that GODEBUG=cpu.asimd=off (read by
// golang.org/x/sys/cpu) turns the NEON kernels off.
func simdImpls() []*Impl {
	if cpu.ARM64.HasASIMD {
		return []*Impl{neon}
	}
	return nil
}

// simdSplit returns the SIMD sets simdImpls offers, built with splitter s:
// the tests' way to make every split happen on small problems.
func simdSplit(s splitter) []*Impl {
	if len(simdImpls()) == 0 {
		return nil
	}
	return []*Impl{newNEON(s)}
}

func simdReason() string {
	return "CPU has Advanced SIMD (ASIMD)"
}

func simdUnavailable() string {
	return "generic: the NEON kernels need Advanced SIMD, which is not reported (ASIMD no: a CPU without it, or GODEBUG=cpu.asimd=off)"
}
