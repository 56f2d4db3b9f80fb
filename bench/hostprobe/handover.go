package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// line is a counter alone in its cache line.
type line struct {
	v atomic.Int64
	_ [56]byte
}

// handover returns how long a cache line written by one thread takes to
// reach another, in ns: two threads, each locked to its own, pass a counter
// back and forth rounds times, and each pass is a line moving between
// their cores. Tens of ns between cores that share a cache, hundreds
// between cores far apart (another chiplet or socket), where a team of
// workers that hands data over every step slows.
func handover(rounds int) float64 {
	var l line
	var wg sync.WaitGroup
	wg.Go(func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for i := int64(1); i < 2*int64(rounds); i += 2 {
			for l.v.Load() != i {
			}
			l.v.Store(i + 1)
		}
	})
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now()
	for i := int64(0); i < 2*int64(rounds); i += 2 {
		l.v.Store(i + 1)
		for l.v.Load() != i+2 {
		}
	}
	el := time.Since(start)
	wg.Wait()
	return float64(el.Nanoseconds()) / float64(2*rounds)
}
