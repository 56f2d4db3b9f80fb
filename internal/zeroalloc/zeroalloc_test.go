package zeroalloc

import (
	"strings"
	"testing"
)

var sink []byte

func TestRecord(t *testing.T) {
	x := make([]float32, 64)
	ours, _, unexplained := record(func() {
		for i := range x {
			x[i] *= 2
		}
	})
	if len(ours) != 0 || unexplained != 0 {
		t.Errorf("a loop that allocates nothing: %q, %d unexplained", ours, unexplained)
	}
	ours, _, _ = record(func() {
		for i := range 3 {
			sink = make([]byte, 100+i)
		}
	})
	if len(ours) != 1 || !strings.HasPrefix(ours[0], "3 allocations at") || !strings.Contains(ours[0], "TestRecord") {
		t.Errorf("three allocations in TestRecord: %q", ours)
	}
}

func TestIsRuntimeOwn(t *testing.T) {
	for _, tc := range []struct {
		frames []string
		want   bool
	}{
		{[]string{"runtime.mallocgc (malloc.go:1)", "runtime.newobject (malloc.go:2)", "runtime.acquireSudog (proc.go:3)", "runtime.selectgo (select.go:4)", "regress.(*parker).park (ahead.go:5)"}, true},
		{[]string{"runtime.growslice (slice.go:1)", "runtime.(*timers).addHeap (time.go:2)", "runtime.bgscavenge (mgcscavenge.go:3)"}, true},
		{[]string{"runtime.newobject (malloc.go:1)", "runtime.allocm (proc.go:2)", "runtime.startTheWorld.func1 (proc.go:3)", "runtime.systemstack (asm_amd64.s:4)"}, true},
		{[]string{"runtime.growslice (slice.go:1)", "regress.(*Trainer).Epoch (trainer.go:2)"}, false},
		{[]string{"runtime.newobject (malloc.go:1)", "internal/runtime/maps.NewMap (map.go:2)", "runtime.makemap (map.go:3)", "main.f (f.go:4)"}, false},
		{[]string{"runtime.malg (proc.go:1)", "runtime.newproc1 (proc.go:2)", "runtime.newproc (proc.go:3)", "regress.newAhead (ahead.go:4)"}, false},
		{[]string{"fmt.Sprintf (print.go:1)"}, false},
	} {
		if got := isRuntimeOwn(tc.frames); got != tc.want {
			t.Errorf("isRuntimeOwn(%q) = %v, want %v", tc.frames, got, tc.want)
		}
	}
	sudog := []string{"runtime.mallocgc (malloc.go:1)", "runtime.newobject (malloc.go:2)", "runtime.acquireSudog (proc.go:3)"}
	if got := allocator(sudog); got != "runtime.acquireSudog" {
		t.Errorf("allocator(%q) = %q, want runtime.acquireSudog", sudog, got)
	}
}

// TestLoopFails checks that Loop fails a benchmark whose loop allocates (the
// loops that allocate nothing are the real benchmarks, run by CI).
func TestLoopFails(t *testing.T) {
	for _, size := range []int{100, 4} { // 4 bytes: a tiny allocation
		if r := testing.Benchmark(func(b *testing.B) {
			Loop(b, func() {
				for range b.N {
					sink = make([]byte, size)
				}
			})
		}); r.N != 0 {
			t.Errorf("Loop passed a loop that allocates %d bytes a call", size)
		}
	}
}

// AllocsPerRun counts what testing.AllocsPerRun counts in a call that
// allocates, tiny allocations included, and nothing in one that does not,
// nor in one whose allocations stop after the first try (as the runtime's
// own now and then).
func TestAllocsPerRun(t *testing.T) {
	calls := 0
	if a := AllocsPerRun(10, func() {
		if calls++; calls <= 11 {
			sink = make([]byte, 100)
		}
	}); a != 0 {
		t.Errorf("allocations in the first try only: %v per run, want 0", a)
	}
	x := make([]float32, 64)
	if a := AllocsPerRun(10, func() {
		for i := range x {
			x[i] *= 2
		}
	}); a != 0 {
		t.Errorf("a call that allocates nothing: %v per run", a)
	}
	for _, size := range []int{100, 4} {
		f := func() {
			sink = make([]byte, size)
			sink = make([]byte, size+1)
			sink = make([]byte, size+2)
		}
		want := testing.AllocsPerRun(10, f)
		if a := AllocsPerRun(10, f); a != want || a != 3 {
			t.Errorf("three allocations of %d bytes a call: %v per run (testing.AllocsPerRun: %v)", size, a, want)
		}
	}
}
