package kernelenv

import "testing"

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		kernels, expect, active string
		ok                      bool
	}{
		{"", "", "avx2", true},
		{"generic", "", "generic", true},
		{" Generic ", "", "avx2", false},
		{"", "neon", "neon", true},
		{"", "neon", "generic", false},
		{"generic", "generic", "generic", true},
		{"neon", "generic", "neon", false},
		{"", "avx2|avx512", "avx512", true},
		{"", "avx2|avx512", "avx2", true},
		{"", "avx2|avx512", "generic", false},
	} {
		t.Setenv(Kernels, tc.kernels)
		t.Setenv(Expect, tc.expect)
		if err := Check(tc.active); (err == nil) != tc.ok {
			t.Errorf("%s=%q %s=%q, active %s: Check = %v, want ok %v", Kernels, tc.kernels, Expect, tc.expect, tc.active, err, tc.ok)
		}
	}
}
