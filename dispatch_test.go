package edgefit

import (
	"strings"
	"testing"
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
