// Package zeroalloc counts heap allocations without the runtime's own: in a
// benchmark's timed loop (Loop), so that a benchmark which promises 0 B/op
// fails when it allocates instead of only reporting it, and per call in a
// test (AllocsPerRun).
//
// Counting runtime.MemStats.Mallocs around the loop is not enough: the count
// is global, and the runtime allocates on its own. Loop therefore records
// every allocation of the loop with its stack (runtime.MemProfileRate = 1
// while it runs) and fails on any but the runtime's own, which it logs:
//
//   - allocations whose whole stack is in the runtime: its own goroutines
//     and system stack, e.g. a new thread after a stop-the-world (which
//     runtime.ReadMemStats, and so the benchmark timer, makes), or a P's
//     timer heap growing for the background scavenger;
//   - sudogs, which a goroutine needs to block on a channel or a lock: the
//     runtime keeps them in a cache that every garbage collection empties,
//     so the first blocking after a collection allocates (the trainer's
//     workers park when a wait outlasts their spin).
//
// A tiny allocation (under 16 bytes, no pointers) that fits in the block of
// an earlier one is counted by MemStats but not profiled: Loop fails when
// MemStats counts more allocations than the profile explains.
package zeroalloc

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Loop runs body, the benchmark's timed loop (b.N calls), and fails b if it
// allocated on the heap other than the runtime's own bookkeeping. Call it
// after setting up and after b.ResetTimer; it stops the timer when body
// returns. The garbage collection it runs before body is outside the timer.
func Loop(b *testing.B, body func()) {
	b.StopTimer()
	b.Helper() // after stopping the timer: Helper allocates on its first call
	ours, own, unexplained := record(func() {
		b.StartTimer()
		body()
		b.StopTimer()
	})
	if len(own) > 0 {
		b.Logf("not counted, the runtime's own allocations during the loop: %s", strings.Join(own, ", "))
	}
	if unexplained > 0 {
		ours = append(ours, fmt.Sprintf("%d tiny allocations (profiled only with the first in their block)", unexplained))
	}
	if len(ours) > 0 {
		b.Fatalf("the loop of %d calls allocated on the heap, want nothing:\n%s", b.N, strings.Join(ours, "\n"))
	}
}

// AllocsPerRun is testing.AllocsPerRun, the heap allocations per call of f
// over runs calls, at its least over up to three tries: the runtime
// allocates on its own now and then (see the package doc), most on a
// loaded machine, and a count that includes its allocations is higher;
// f's own are the same every time.
func AllocsPerRun(runs int, f func()) float64 {
	a := testing.AllocsPerRun(runs, f)
	for try := 1; try < 3 && a > 0; try++ {
		a = min(a, testing.AllocsPerRun(runs, f))
	}
	return a
}

// record runs f with every allocation profiled and returns the sites that
// allocated in it, the runtime's own apart (named by the runtime function
// that allocated), and how many
// allocations MemStats counted beyond those the profile shows. The
// collection before f publishes earlier allocations, so that the difference
// leaves them out; the one after publishes f's.
func record(f func()) (ours, own []string, unexplained int64) {
	rate := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	defer func() { runtime.MemProfileRate = rate }()
	runtime.GC()
	before := snapshot()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	f()
	runtime.ReadMemStats(&m1)
	runtime.GC()
	ours, own, profiled := diff(before, snapshot())
	return ours, own, max(0, int64(m1.Mallocs-m0.Mallocs)-profiled)
}

type site struct {
	stack [32]uintptr
}

func snapshot() map[site]int64 {
	var recs []runtime.MemProfileRecord
	n, ok := runtime.MemProfile(nil, true)
	for !ok {
		recs = make([]runtime.MemProfileRecord, n+50)
		n, ok = runtime.MemProfile(recs, true)
	}
	m := make(map[site]int64, n)
	for _, r := range recs[:n] {
		m[site{r.Stack0}] += r.AllocObjects
	}
	return m
}

// diff describes the sites that allocated between before and after, the
// runtime's own apart, and returns how many allocations it saw in all.
func diff(before, after map[site]int64) (ours, own []string, all int64) {
	byRuntime := map[string]int64{}
	for s, n := range after {
		d := n - before[s]
		if d <= 0 {
			continue
		}
		frames := describe(s)
		if slices.ContainsFunc(frames, isSnapshot) {
			continue // the "before" snapshot's own, published by the collection after f
		}
		all += d
		if isRuntimeOwn(frames) {
			byRuntime[allocator(frames)] += d
			continue
		}
		ours = append(ours, fmt.Sprintf("%d allocations at\n\t%s", d, strings.Join(frames, "\n\t")))
	}
	for fn, d := range byRuntime {
		own = append(own, fmt.Sprintf("%d by %s", d, fn))
	}
	slices.Sort(own)
	return ours, own, all
}

// allocator returns the function that asked for the allocation: the first
// frame, innermost first, outside the allocator itself.
func allocator(frames []string) string {
	for _, f := range frames {
		name, _, _ := strings.Cut(f, " ")
		switch name {
		case "runtime.mallocgc", "runtime.newobject", "runtime.newarray", "runtime.growslice", "runtime.makeslice":
			continue
		}
		return name
	}
	return "?"
}

func isSnapshot(frame string) bool {
	return strings.Contains(frame, "internal/zeroalloc.snapshot ")
}

func describe(s site) []string {
	var pcs []uintptr
	for _, pc := range s.stack {
		if pc == 0 {
			break
		}
		pcs = append(pcs, pc)
	}
	var out []string
	fr := runtime.CallersFrames(pcs)
	for {
		f, more := fr.Next()
		out = append(out, fmt.Sprintf("%s (%s:%d)", f.Function, f.File, f.Line))
		if !more {
			return out
		}
	}
}

// isRuntimeOwn reports whether an allocation with these frames (innermost
// first) is the runtime's own: a sudog, or made with no frame outside it.
func isRuntimeOwn(frames []string) bool {
	for _, f := range frames {
		if strings.HasPrefix(f, "runtime.acquireSudog ") {
			return true
		}
		if !strings.HasPrefix(f, "runtime.") && !strings.HasPrefix(f, "internal/runtime/") {
			return false
		}
	}
	return true
}
