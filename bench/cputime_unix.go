//go:build linux || darwin || freebsd

package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// clockName says in the results what the times are.
const clockName = "CPU time of the process"

// cpuNow returns the CPU time this process has used (all its threads, the
// garbage collector's included). Every contender runs on one thread, so this
// is the time it kept a core busy: unlike the wall clock it does not count
// the time the process waited while other programs on a shared machine ran.
func cpuNow() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		panic("bench: clock_gettime(CLOCK_PROCESS_CPUTIME_ID): " + err.Error())
	}
	return time.Duration(ts.Nano())
}
