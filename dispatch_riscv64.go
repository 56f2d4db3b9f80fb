//go:build riscv64 && gc && !purego

package edgefit

import (
	"strconv"

	"golang.org/x/sys/cpu"
)

// hasV is whether the CPU runs RVV 1.0, decided once: golang.org/x/sys/cpu
// reads it from the kernel's riscv_hwprobe (GODEBUG=cpu.v=off turns it
// off); kernels without that call report it in AT_HWCAP (vFromHWCAP).
var (
	vFromHWCAP = !cpu.RISCV64.HasV && hasVFromHWCAP()
	hasV       = cpu.RISCV64.HasV || vFromHWCAP
)

// simdImpls offers the RISC-V Vector kernels when the CPU has the V
// extension.
func simdImpls() []*Impl {
	if hasV {
		return []*Impl{rvv}
	}
	return nil
}

// simdSplit returns the SIMD sets simdImpls offers, built with splitter s:
// the tests' way to make every split happen on small problems.
func simdSplit(s splitter) []*Impl {
	if len(simdImpls()) == 0 {
		return nil
	}
	return []*Impl{newRVV(s)}
}

// simdReason names the vector length the kernels found: they adapt to it,
// and it is what sets their speed.
func simdReason() string {
	if !hasV {
		return "CPU has no V extension"
	}
	from := ""
	if vFromHWCAP {
		from = " (from AT_HWCAP: the kernel has no riscv_hwprobe)"
	}
	return "CPU has the V extension (RVV 1.0)" + from + ", VLEN " + strconv.Itoa(8*vlenbRVV()) + " bits"
}

func simdUnavailable() string {
	return "generic: the RVV kernels need the V extension (RVV 1.0), which is not reported (V no: a CPU without it, or GODEBUG=cpu.v=off)"
}
