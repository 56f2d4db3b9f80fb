//go:build amd64 && gc && !purego

package edgefit

import "golang.org/x/sys/cpu"

// simdImpls offers the AVX2+FMA kernels when the CPU (and the OS, which
// x/sys/cpu checks saves the YMM registers) supports both extensions.
func simdImpls() []*Impl {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return []*Impl{avx2}
	}
	return nil
}

// simdSplit returns the SIMD sets simdImpls offers, built with splitter s:
// the tests' way to make every split happen on small problems.
func simdSplit(s splitter) []*Impl {
	if len(simdImpls()) == 0 {
		return nil
	}
	return []*Impl{newAVX2(s)}
}

func simdReason() string {
	return "CPU has AVX2 and FMA" + avx512Note()
}

func simdUnavailable() string {
	return "generic: the AVX2 kernels need AVX2 and FMA (CPU AVX2 " + yesNo(cpu.X86.HasAVX2) + ", FMA " + yesNo(cpu.X86.HasFMA) + ")"
}

// avx512Note says that AVX-512, when present, is not used: the kernels are
// AVX2 only, which also avoids the frequency drop of 512-bit code on some
// CPUs.
func avx512Note() string {
	if cpu.X86.HasAVX512F {
		return " (AVX-512 present, not used)"
	}
	return ""
}
