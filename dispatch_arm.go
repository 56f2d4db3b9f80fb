//go:build arm && gc && !purego

package edgefit

import "golang.org/x/sys/cpu"

// simdImpls offers the NEON kernels when the CPU reports NEON (Advanced
// SIMD), which Linux reads from the kernel's hardware capabilities. They use
// no VFPv4 instruction (no fused vfma), so Cortex-A8 and A9 get them too;
// GODEBUG=cpu.neon=off (read by golang.org/x/sys/cpu) turns them off.
func simdImpls() []*Impl {
	if cpu.ARM.HasNEON {
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
	return "CPU has NEON (32-bit ARM; multiply-adds not fused, subnormals flushed to zero; VFPv4 " + yesNo(cpu.ARM.HasVFPv4) + ")"
}

func simdUnavailable() string {
	return "generic: the NEON kernels need NEON, which is not reported (NEON no: a CPU without it, or GODEBUG=cpu.neon=off)"
}
