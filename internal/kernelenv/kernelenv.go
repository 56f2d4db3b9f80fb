// Package kernelenv lets every test binary that runs edgefit's kernels check
// that it runs the set its environment asks for.
//
// edgefit reads EDGEFIT_KERNELS during package initialisation, before the
// testing package starts recording which environment variables a test reads,
// so go test's cache would answer a run with EDGEFIT_KERNELS=generic from a
// run without it. Check reads the variable while the tests run, which makes
// its value part of the cached result's key, and compares the kernels running
// with EDGEFIT_EXPECT_KERNELS, which CI sets for each step.
package kernelenv

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Kernels is the variable edgefit reads to choose its kernels (edgefit.EnvKernels).
const Kernels = "EDGEFIT_KERNELS"

// Expect names the kernel set a test run must be running (generic, avx2,
// avx512, neon or rvv), or several separated by "|" when the choice between them
// is made by a measurement at start-up; unset or empty means any.
const Expect = "EDGEFIT_EXPECT_KERNELS"

// Check returns an error when active, the name of the kernel set running,
// is not what the environment asks for: generic when EDGEFIT_KERNELS=generic,
// and EDGEFIT_EXPECT_KERNELS whenever it is set.
func Check(active string) error {
	want, _ := os.LookupEnv(Kernels)
	expect, _ := os.LookupEnv(Expect)
	want = strings.TrimSpace(strings.ToLower(want))
	expect = strings.TrimSpace(strings.ToLower(expect))
	if want == "generic" && active != "generic" {
		return fmt.Errorf("%s=generic but the %s kernels run", Kernels, active)
	}
	if expect != "" && !slices.Contains(strings.Split(expect, "|"), active) {
		return fmt.Errorf("%s=%s but the %s kernels run (%s=%q)", Expect, expect, active, Kernels, want)
	}
	return nil
}
