//go:build arm

package edgefit

import (
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestARM32Selected checks that a 32-bit ARM build runs the NEON kernels
// whenever the CPU has NEON, with VFPv4 (Cortex-A7, QEMU_CPU=cortex-a7) or
// without (Cortex-A8, A9), unless EDGEFIT_KERNELS asks for the Go ones or
// the build has no assembly (purego), and that Selection says which and why.
func TestARM32Selected(t *testing.T) {
	env := strings.TrimSpace(strings.ToLower(os.Getenv(EnvKernels)))
	sel := Selection()
	t.Logf("NEON %v, VFPv4 %v: Active() = %s: %s", cpu.ARM.HasNEON, cpu.ARM.HasVFPv4, Active(), sel)
	if len(simdImpls()) == 0 {
		if Active() != generic || len(Implementations()) != 1 {
			t.Fatalf("no NEON set: Active() = %s, Implementations() = %v; want generic only", Active(), Implementations())
		}
		if !strings.Contains(sel, "NEON") && !strings.Contains(sel, "purego") && !strings.Contains(sel, "compiler") {
			t.Errorf("Selection() = %q, want it to say why (no NEON, purego or the compiler)", sel)
		}
		return
	}
	set := simdImpls()[0] // neon, which a purego build does not declare
	if !cpu.ARM.HasNEON || set.Name() != "neon" || !slices.Contains(Implementations(), set) {
		t.Fatalf("NEON %v: Implementations() = %v, want neon listed exactly when the CPU has NEON", cpu.ARM.HasNEON, Implementations())
	}
	want, why := set, "NEON"
	switch env {
	case "generic":
		want, why = generic, EnvKernels+"=generic"
	case "neon":
		why = EnvKernels + "=neon"
	}
	if Active() != want || !strings.Contains(sel, why) {
		t.Errorf("%s=%q: Active() = %s, Selection() = %q; want %s, containing %q", EnvKernels, env, Active(), sel, want, why)
	}
}
