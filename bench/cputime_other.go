//go:build !(linux || darwin || freebsd)

package main

import "time"

const clockName = "wall-clock time (no process CPU clock on this system)"

var start = time.Now()

// cpuNow falls back to the wall clock where no process CPU clock is known.
func cpuNow() time.Duration { return time.Since(start) }
