//go:build amd64 && gc && !purego

package edgefit

import (
	"math"
	"time"

	"github.com/edgefit/edgefit/internal/fmtlite"
	"golang.org/x/sys/cpu"
)

// hasAVX2 and hasAVX512 say whether the CPU (and the OS, which x/sys/cpu
// checks saves the YMM, and for AVX-512 the ZMM and opmask registers) runs
// each set: AVX2+FMA, and for avx512 also AVX512F and AVX512VL (the EVEX
// forms on YMM and XMM registers its reductions use). avx512 also runs
// avx2's kernels, hence both.
var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
)

// simdImpls offers the sets this machine runs, the default last.
func simdImpls() []*Impl {
	return simdOrder(avx2, avx512, hasAVX2, hasAVX512, prefer512)
}

// simdSplit returns the SIMD sets simdImpls offers, built with splitter s:
// the tests' way to make every split happen on small problems.
func simdSplit(s splitter) []*Impl {
	return simdOrder(newAVX2(s), newAVX512(s), hasAVX2, hasAVX512, prefer512)
}

// simdOrder lists the sets a2 and a512 a CPU with those features runs, the
// default last: a512 if prefer512, else a2.
func simdOrder(a2, a512 *Impl, hasAVX2, hasAVX512, prefer512 bool) []*Impl {
	switch {
	case !hasAVX2:
		return nil
	case !hasAVX512:
		return []*Impl{a2}
	case prefer512:
		return []*Impl{a2, a512}
	}
	return []*Impl{a512, a2}
}

func simdReason() string {
	switch {
	case !hasAVX512:
		return "CPU has AVX2 and FMA" + avx512Note()
	case prefer512:
		return "CPU has AVX2, FMA, AVX512F and AVX512VL; " + fullRateNote
	}
	return "CPU has AVX2 and FMA; AVX512F and AVX512VL too, but " + fullRateNote + " (" + EnvKernels + "=avx512 selects it)"
}

func simdUnavailable() string {
	return "generic: the AVX2 kernels need AVX2 and FMA (CPU AVX2 " + yesNo(cpu.X86.HasAVX2) + ", FMA " + yesNo(cpu.X86.HasFMA) + ")"
}

// avx512Note says why AVX-512, when the CPU reports part of it, is not
// offered.
func avx512Note() string {
	if cpu.X86.HasAVX512F {
		return " (AVX-512 present without AVX512VL, not used)"
	}
	return ""
}

// prefer512 is whether avx512 is the default where the CPU runs it, and
// fullRateNote why: see fullRate.
var prefer512, fullRateNote = fullRate()

// fullRate measures, once at start-up, the rate of 512-bit FMAs against
// 256-bit ones (peakFMAAVX512 against peakFMAAVX2, the same flops each, the
// fastest of several alternating runs of a few microseconds): about 2× on
// CPUs that execute 512-bit operations at full width, about 1× on those that
// split them into two 256-bit halves (AMD's Zen 4). Only the first gain from
// avx512 across the kernels; on the others avx512 is no faster on the
// compute-bound ones and avx2 stays the default. x/sys/cpu reports no CPU
// family, and a measurement also covers CPUs no table lists.
func fullRate() (bool, string) {
	if !hasAVX512 {
		return false, ""
	}
	const iters, rounds = 1024, 8
	t2, t512 := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for range rounds {
		t := time.Now()
		peakFMAAVX2(iters)
		t2 = min(t2, time.Since(t))
		t = time.Now()
		peakFMAAVX512(iters)
		t512 = min(t512, time.Since(t))
	}
	ratio := float64(t2) / float64(max(t512, 1))
	if ratio >= fullRateMin {
		return true, fmtlite.Sprintf("512-bit FMAs measured at %.2f× the rate of 256-bit ones at start-up: full width", ratio)
	}
	return false, fmtlite.Sprintf("512-bit FMAs measured at %.2f× the rate of 256-bit ones at start-up: split into 256-bit halves, so avx2 is the default", ratio)
}

// fullRateMin is the ratio from which 512-bit FMAs count as full width:
// midway between the 1× of split execution and the 2× of full width.
const fullRateMin = 1.5
