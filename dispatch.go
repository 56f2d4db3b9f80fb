package edgefit

import (
	"os"
	"runtime"
	"strings"
)

// EnvKernels is the environment variable read once at start-up to choose the
// kernels: "generic" forces the Go versions; "avx2", "avx512", "neon" or
// "rvv" ask for that set and fall back to the best available, saying so in
// Selection, when the machine cannot run it. Unset or empty means the best
// available.
const EnvKernels = "EDGEFIT_KERNELS"

// The choice is made once, during package initialisation, so that every call
// afterwards is one indirect call with no feature test.
var (
	impls             = availableImpls()
	active, selection = choose(impls, os.Getenv(EnvKernels))
)

// availableImpls lists generic followed by every SIMD set this machine can
// run, in order of preference.
func availableImpls() []*Impl {
	return append([]*Impl{generic}, simdImpls()...)
}

// setArch names the architectures each SIMD set is built for.
var setArch = map[string]string{"avx2": "amd64", "avx512": "amd64", "neon": "arm64 arm", "rvv": "riscv64"}

// choose picks the implementation to run and explains the choice.
func choose(impls []*Impl, want string) (*Impl, string) {
	best := impls[len(impls)-1]
	want = strings.TrimSpace(strings.ToLower(want))
	switch {
	case want == "":
		if best == generic {
			return generic, simdUnavailable()
		}
		return best, best.name + ": " + simdReason()
	default:
		for _, im := range impls {
			if im.name == want {
				return im, EnvKernels + "=" + want + " asked for it"
			}
		}
		if want != "generic" && want != "avx2" && want != "avx512" && want != "neon" && want != "rvv" {
			return best, EnvKernels + "=" + want + " is not a kernel set (want generic, avx2, avx512, neon or rvv); using " + best.name
		}
		if arch := setArch[want]; arch != "" && !strings.Contains(" "+arch+" ", " "+runtime.GOARCH+" ") {
			return best, EnvKernels + "=" + want + " asked for it, but this machine cannot run it: the " + want + " kernels exist for " + strings.ReplaceAll(arch, " ", " and ") + " only, not on " + runtime.GOARCH + "; using " + best.name
		}
		return best, EnvKernels + "=" + want + " asked for it, but this machine cannot run it (" + simdUnavailable() + "); using " + best.name
	}
}

// Active returns the implementation the package-level functions run.
func Active() *Impl { return active }

// Selection says why Active was chosen: the CPU features seen, the build tags
// or the environment variable that decided it.
func Selection() string { return selection }

// Implementations returns every implementation this machine can run, the Go
// versions first, so that tests and benchmarks can compare them side by side.
// The slice is a copy.
func Implementations() []*Impl { return append([]*Impl(nil), impls...) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
