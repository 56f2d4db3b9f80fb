package edgefit

import (
	"runtime"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/kernelenv"
)

func TestChoose(t *testing.T) {
	fake := &Impl{name: "avx2"}
	both := []*Impl{generic, fake}
	for _, tc := range []struct {
		impls []*Impl
		env   string
		want  *Impl
		why   string
	}{
		{both, "", fake, "avx2"},
		{both, "generic", generic, "EDGEFIT_KERNELS=generic"},
		{both, " Generic ", generic, "EDGEFIT_KERNELS=generic"},
		{both, "avx2", fake, "asked for it"},
		{both, "neon", fake, "cannot run it"},
		{both, "avx512", fake, "cannot run it"},
		{both, "sse", fake, "not a kernel set"},
		{[]*Impl{generic}, "", generic, "generic"},
		{[]*Impl{generic}, "avx2", generic, "cannot run it"},
	} {
		got, why := choose(tc.impls, tc.env)
		if got != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("choose(%v, %q) = %s, %q; want %s, containing %q", tc.impls, tc.env, got, why, tc.want, tc.why)
		}
	}
}

func TestImplementations(t *testing.T) {
	ims := Implementations()
	if len(ims) == 0 || ims[0] != generic {
		t.Fatalf("Implementations() = %v, want generic first", ims)
	}
	found := false
	for _, im := range ims {
		found = found || im == Active()
	}
	if !found {
		t.Errorf("Active() = %s is not among Implementations() = %v", Active(), ims)
	}
	if Selection() == "" {
		t.Error("Selection() is empty")
	}
}

// TestKernelsFromEnv fails when this run does not run the kernels its
// environment asks for (EDGEFIT_KERNELS=generic, or CI's
// EDGEFIT_EXPECT_KERNELS); reading the variables here also makes go test's
// cache tell a run with EDGEFIT_KERNELS=generic from one without.
func TestKernelsFromEnv(t *testing.T) {
	if err := kernelenv.Check(Active().Name()); err != nil {
		t.Fatalf("%v; Selection() = %q", err, Selection())
	}
	t.Logf("Active() = %s: %s", Active(), Selection())
}

// A kernel set built for another architecture says so, not which CPU
// features are missing.
func TestChooseOtherArch(t *testing.T) {
	other := "avx2"
	if runtime.GOARCH == "amd64" {
		other = "neon"
	}
	_, why := choose([]*Impl{generic}, other)
	if want := "not on " + runtime.GOARCH; !strings.Contains(why, want) || strings.Contains(why, "need") {
		t.Errorf("choose(%s) on %s: %q, want it to say %q", other, runtime.GOARCH, why, want)
	}
}
