package edgefit

import (
	"strings"
	"testing"
)

// TestARM32RunsGeneric checks that a 32-bit ARM build runs the Go kernels
// and that Selection says why: the missing NEON support of Go's arm
// assembler, or the purego tag.
func TestARM32RunsGeneric(t *testing.T) {
	if Active() != generic {
		t.Errorf("Active() = %s, want generic on GOARCH=arm", Active())
	}
	if ims := Implementations(); len(ims) != 1 || ims[0] != generic {
		t.Errorf("Implementations() = %v, want only generic on GOARCH=arm", ims)
	}
	sel := Selection()
	if !strings.Contains(sel, "arm") || !strings.Contains(sel, "NEON") && !strings.Contains(sel, "purego") {
		t.Errorf("Selection() = %q, want it to name arm and the reason (no NEON kernels, or purego)", sel)
	}
	t.Logf("Selection() = %q", sel)
}
