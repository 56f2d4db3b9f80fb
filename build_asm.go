//go:build !purego

package edgefit

import "runtime"

var buildReason = "compiler " + runtime.Compiler + ", GOARCH " + runtime.GOARCH
