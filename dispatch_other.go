//go:build purego || !gc || !(amd64 || arm64 || arm || riscv64)

package edgefit

import "runtime"

func simdImpls() []*Impl { return nil }

func simdSplit(splitter) []*Impl { return nil }

func simdReason() string { return "" }

func simdUnavailable() string {
	return "generic: no assembly kernels for " + runtime.GOARCH + " in this build (" + buildReason + ")"
}
