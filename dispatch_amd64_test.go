//go:build amd64 && gc && !purego

package edgefit

import (
	"slices"
	"strings"
	"testing"
)

// TestSIMDOrder: the sets offered for each combination of CPU features, the
// default last.
func TestSIMDOrder(t *testing.T) {
	a2, a512 := &Impl{name: "avx2"}, &Impl{name: "avx512"}
	for _, tc := range []struct {
		has2, has512, prefer bool
		want                 []*Impl
	}{
		{false, false, false, nil},
		{true, false, false, []*Impl{a2}},
		{true, false, true, []*Impl{a2}},
		{true, true, false, []*Impl{a512, a2}},
		{true, true, true, []*Impl{a2, a512}},
	} {
		if got := simdOrder(a2, a512, tc.has2, tc.has512, tc.prefer); !slices.Equal(got, tc.want) {
			t.Errorf("simdOrder(AVX2 %v, AVX-512 %v, prefer512 %v) = %v, want %v", tc.has2, tc.has512, tc.prefer, got, tc.want)
		}
	}
}

// TestAMD64Sets reports, for each amd64 set, whether this machine runs it:
// a set the CPU supports must be among Implementations (so that every test
// iterating them covers it), one it lacks must not be, and Selection must
// say why the default was chosen. On a CPU without AVX-512 (CI's Zen 2,
// say) the avx512 subtest passes saying so: the kernels did not run here.
func TestAMD64Sets(t *testing.T) {
	for _, set := range []struct {
		im  *Impl
		has bool
	}{{avx2, hasAVX2}, {avx512, hasAVX512}} {
		t.Run(set.im.Name(), func(t *testing.T) {
			listed := slices.Contains(Implementations(), set.im)
			if listed != set.has {
				t.Fatalf("CPU runs %s: %v, but listed in Implementations() = %v: %v", set.im, set.has, Implementations(), listed)
			}
			if !set.has {
				t.Logf("%s unavailable on this CPU: not tested here (%s)", set.im, Selection())
			}
		})
	}
	if hasAVX512 && !strings.Contains(Selection(), "AVX512F") && !strings.Contains(Selection(), EnvKernels) {
		t.Errorf("Selection() = %q does not say why avx512 is or is not the default", Selection())
	}
}
