//go:build !purego && (!gc || !(amd64 || arm64 || arm || riscv64))

package edgefit

import "runtime"

// buildReason says why a build without the purego tag has no assembly
// kernels (dispatch_other.go): another compiler or another architecture.
var buildReason = "compiler " + runtime.Compiler + ", GOARCH " + runtime.GOARCH
