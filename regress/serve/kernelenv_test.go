package serve

import (
	"testing"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/internal/kernelenv"
)

// TestKernelsFromEnv fails when this run does not run the kernels its
// environment asks for (EDGEFIT_KERNELS=generic, or CI's
// EDGEFIT_EXPECT_KERNELS); reading the variables here also makes go test's
// cache tell a run with EDGEFIT_KERNELS=generic from one without.
func TestKernelsFromEnv(t *testing.T) {
	if err := kernelenv.Check(edgefit.Active().Name()); err != nil {
		t.Fatalf("%v; edgefit.Selection() = %q", err, edgefit.Selection())
	}
}
