//go:build arm64 && gc && !purego

package edgefit

import (
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestNEONSelected checks that an arm64 build runs the NEON kernels whenever
// the CPU has Advanced SIMD, unless EDGEFIT_KERNELS asks for the Go ones, and
// that Selection says which and why. GODEBUG=cpu.asimd=off makes
// golang.org/x/sys/cpu report no Advanced SIMD, which tests the other branch.
func TestNEONSelected(t *testing.T) {
	env := strings.TrimSpace(strings.ToLower(os.Getenv(EnvKernels)))
	if !cpu.ARM64.HasASIMD {
		if Active() != generic || !strings.Contains(Selection(), "Advanced SIMD") {
			t.Fatalf("CPU without ASIMD: Active() = %s, Selection() = %q; want generic, naming Advanced SIMD", Active(), Selection())
		}
		if len(Implementations()) != 1 {
			t.Errorf("CPU without ASIMD: Implementations() = %v, want only generic", Implementations())
		}
		t.Logf("no ASIMD: Active() = %s: %s", Active(), Selection())
		return
	}
	if !slices.Contains(Implementations(), neon) {
		t.Errorf("Implementations() = %v, want neon listed on a CPU with ASIMD", Implementations())
	}
	want, why := neon, "Advanced SIMD"
	switch env {
	case "generic":
		want, why = generic, EnvKernels+"=generic"
	case "neon":
		why = EnvKernels + "=neon"
	}
	if Active() != want || !strings.Contains(Selection(), why) {
		t.Errorf("%s=%q: Active() = %s, Selection() = %q; want %s, containing %q", EnvKernels, env, Active(), Selection(), want, why)
	}
	t.Logf("Active() = %s: %s", Active(), Selection())
}
