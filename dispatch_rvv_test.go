//go:build riscv64 && gc && !purego

package edgefit

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRVVSelected checks that a riscv64 build runs the RVV kernels whenever
// the CPU has the V extension, unless EDGEFIT_KERNELS asks for the Go ones,
// and that Selection names the vector length, read from VLENB: a power of
// two of at least 128 bits, as RVV 1.0's V extension requires. qemu's
// v=false (or GODEBUG=cpu.v=off) tests the other branch.
func TestRVVSelected(t *testing.T) {
	env := strings.TrimSpace(strings.ToLower(os.Getenv(EnvKernels)))
	if !hasV {
		if Active() != generic || !strings.Contains(Selection(), "V extension") {
			t.Fatalf("CPU without V: Active() = %s, Selection() = %q; want generic, naming the V extension", Active(), Selection())
		}
		if len(Implementations()) != 1 {
			t.Errorf("CPU without V: Implementations() = %v, want only generic", Implementations())
		}
		return
	}
	if !slices.Contains(Implementations(), rvv) {
		t.Errorf("Implementations() = %v, want rvv listed on a CPU with V", Implementations())
	}
	vlenb := vlenbRVV()
	if vlenb < 16 || vlenb&(vlenb-1) != 0 {
		t.Fatalf("VLENB = %d, want a power of two ≥ 16", vlenb)
	}
	want, why := rvv, "VLEN "+strconv.Itoa(8*vlenb)+" bits"
	switch env {
	case "generic":
		want, why = generic, EnvKernels+"=generic"
	case "rvv":
		why = EnvKernels + "=rvv"
	}
	if Active() != want || !strings.Contains(Selection(), why) {
		t.Errorf("%s=%q: Active() = %s, Selection() = %q; want %s, containing %q", EnvKernels, env, Active(), Selection(), want, why)
	}
	t.Logf("Active() = %s: %s", Active(), Selection())
}
