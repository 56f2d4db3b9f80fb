//go:build riscv64 && !linux && gc && !purego

package edgefit

// hasVFromHWCAP: outside Linux, golang.org/x/sys/cpu's answer stands.
func hasVFromHWCAP() bool { return false }
