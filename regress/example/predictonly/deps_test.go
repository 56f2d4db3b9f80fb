package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDeps: loading a model and predicting needs neither fmt nor
// encoding/json, which would bring reflection-driven formatting (and, with
// it, time formatting and more) into every edge program. CI checks the
// size of the stripped linux/arm64 build; this names the cause when it
// grows. The trainer (regress) stays out too.
func TestDeps(t *testing.T) {
	goTool, err := exec.LookPath("go") // go test puts its own go first in PATH
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), deps)
	}
	for _, p := range deps {
		switch p {
		case "fmt", "encoding/json", "github.com/edgefit/edgefit/regress", "github.com/edgefit/edgefit/regress/data":
			t.Errorf("predictonly depends on %s", p)
		}
	}
}
