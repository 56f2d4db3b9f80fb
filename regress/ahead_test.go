package regress

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefit/edgefit/linalg"
)

// batches reads n batches (all of the epoch if n < 0) from l, copying each.
func batches(t *testing.T, l *Loader, n int) (xs, ys [][]float32) {
	t.Helper()
	for i := 0; n < 0 || i < n; i++ {
		X, Y, ok := l.Next()
		if !ok {
			break
		}
		xs = append(xs, denseData(X))
		ys = append(ys, denseData(Y))
	}
	return xs, ys
}

func denseData(a linalg.Dense) []float32 {
	var s []float32
	for i := 0; i < a.Rows; i++ {
		s = append(s, a.Row(i)...)
	}
	return s
}

// smallAhead lets datasets of any size have a worker, for the tests.
func smallAhead(t *testing.T) {
	old := aheadMinBytes
	aheadMinBytes = 0
	t.Cleanup(func() { aheadMinBytes = old })
}

func sameBatches(t *testing.T, what string, a, b [][]float32) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d batches, want %d", what, len(a), len(b))
	}
	for i := range a {
		if !equal(a[i], b[i]) {
			t.Fatalf("%s: batch %d differs", what, i)
		}
	}
}

// The background gatherer yields exactly the batches gathering in Next does,
// in the same order, across epochs, abandoned epochs and Close.
func TestLoaderWorkerSameBatches(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	smallAhead(t)
	ds := mediumData(t, 1001, 5, 3)
	perm := make([]int, ds.Len())
	for i := range perm {
		perm[i] = ds.Len() - 1 - i
	}
	for _, cfg := range []LoaderConfig{
		{BatchSize: 1, Shuffle: true, Seed: 1},
		{BatchSize: 7, Shuffle: true, Seed: 2},
		{BatchSize: 256, Shuffle: true, Seed: 3},
		{BatchSize: 256, Shuffle: true, Seed: 3, DropLast: true},
		{BatchSize: 5000, Shuffle: true, Seed: 4},
		{BatchSize: 100, Order: Orders{perm}},
	} {
		sync := cfg
		sync.Sync = true
		ls, _ := NewLoader(ds, sync)
		lw, _ := NewLoader(ds, cfg)
		if ls.ahead != nil || lw.ahead == nil {
			t.Fatalf("%+v: Sync loader has a worker: %v; default loader has one: %v", cfg, ls.ahead != nil, lw.ahead != nil)
		}
		for epoch := range 3 {
			ls.Reset()
			lw.Reset()
			n := -1
			if epoch == 1 {
				n = 2 // abandon the epoch after two batches
			}
			xs, ys := batches(t, ls, n)
			xw, yw := batches(t, lw, n)
			sameBatches(t, "inputs", xw, xs)
			sameBatches(t, "targets", yw, ys)
		}
		// Close in the middle of an epoch: the last batch returned stays
		// valid and the rest of the epoch comes from Next.
		ls.Reset()
		lw.Reset()
		batches(t, ls, 1)
		batches(t, lw, 1)
		X, _, ok := lw.Next()
		Xs, _, _ := ls.Next()
		if ok {
			before := denseData(X)
			time.Sleep(time.Millisecond)
			lw.Close()
			if !equal(denseData(X), before) || !equal(before, denseData(Xs)) {
				t.Fatalf("%+v: the batch returned before Close changed", cfg)
			}
		}
		lw.Close() // twice is fine
		if lw.ahead != nil {
			t.Fatal("Close left the worker")
		}
		xs, ys := batches(t, ls, -1)
		xw, yw := batches(t, lw, -1)
		sameBatches(t, "inputs after Close", xw, xs)
		sameBatches(t, "targets after Close", yw, ys)
		ls.Reset()
		lw.Reset()
		xs, _ = batches(t, ls, -1)
		xw, _ = batches(t, lw, -1)
		sameBatches(t, "inputs of an epoch after Close", xw, xs)
	}
}

// A batch is not overwritten while the worker gathers the next one.
func TestLoaderWorkerBatchStaysValid(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	smallAhead(t)
	ds := mediumData(t, 300, 4, 2)
	l, _ := NewLoader(ds, LoaderConfig{BatchSize: 10, Shuffle: true, Seed: 5})
	defer l.Close()
	l.Reset()
	for {
		X, Y, ok := l.Next()
		if !ok {
			break
		}
		x, y := denseData(X), denseData(Y)
		time.Sleep(100 * time.Microsecond) // the worker gathers the next batch meanwhile
		if !equal(denseData(X), x) || !equal(denseData(Y), y) {
			t.Fatal("a batch changed before the next call to Next")
		}
	}
}

// The worker runs only when it can help, and ends with Close or, if the
// Loader is dropped, with the garbage collector.
func TestLoaderWorkerLifetime(t *testing.T) {
	ds := mediumData(t, 100, 4, 2)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	if l, _ := NewLoader(ds, LoaderConfig{BatchSize: 10, Shuffle: true}); l.ahead != nil {
		t.Errorf("a worker was started for a dataset of %d bytes, below aheadMinBytes", ds.bytes())
	}
	smallAhead(t)
	runtime.GOMAXPROCS(1)
	if l, _ := NewLoader(ds, LoaderConfig{BatchSize: 10, Shuffle: true}); l.ahead != nil {
		t.Error("a worker was started with GOMAXPROCS=1")
	}
	runtime.GOMAXPROCS(2)
	if l, _ := NewLoader(ds, LoaderConfig{BatchSize: 10}); l.ahead != nil {
		t.Error("a worker was started for a loader that does not shuffle")
	}
	settle := func(want int) bool {
		for range 200 {
			runtime.GC()
			if runtime.NumGoroutine() <= want {
				return true
			}
			time.Sleep(5 * time.Millisecond)
		}
		return false
	}
	base := runtime.NumGoroutine()
	l, _ := NewLoader(ds, LoaderConfig{BatchSize: 10, Shuffle: true})
	if runtime.NumGoroutine() != base+1 {
		t.Fatalf("%d goroutines after NewLoader, want %d", runtime.NumGoroutine(), base+1)
	}
	l.Reset()
	l.Next()
	l.Close()
	if !settle(base) {
		t.Errorf("%d goroutines after Close, want %d", runtime.NumGoroutine(), base)
	}
	func() {
		l, _ := NewLoader(ds, LoaderConfig{BatchSize: 10, Shuffle: true})
		l.Reset()
		l.Next()
	}()
	if !settle(base) {
		t.Errorf("%d goroutines after a loader was dropped, want %d: the worker leaked", runtime.NumGoroutine(), base)
	}
}

// An epoch with the background gatherer allocates nothing either.
func TestLoaderWorkerAllocs(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	smallAhead(t)
	ds := mediumData(t, 2000, 64, 8)
	m, _ := NewLinear(64, 8, 7)
	tr, _ := NewTrainer(m, MSE, newSGD(t, 1e-3), 256)
	l, _ := NewLoader(ds, LoaderConfig{BatchSize: 256, Shuffle: true, Seed: 3})
	defer l.Close()
	if l.ahead == nil {
		t.Fatal("no worker")
	}
	var err error
	if a := testing.AllocsPerRun(50, func() { _, err = tr.Epoch(context.Background(), l) }); a != 0 || err != nil {
		t.Errorf("%v allocations per epoch (err %v), want 0", a, err)
	}
}

// A late worker (descheduled on a busy machine) does not hold the caller up:
// the caller gathers the batch itself, and the batches are still the same.
func TestLoaderWorkerLate(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	smallAhead(t)
	ds := mediumData(t, 500, 6, 2)
	var jobs atomic.Int64
	workerDelay = func() {
		if jobs.Add(1)%3 != 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	defer func() { workerDelay = nil }()
	cfg := LoaderConfig{BatchSize: 16, Shuffle: true, Seed: 11}
	lw, _ := NewLoader(ds, cfg)
	defer lw.Close()
	cfg.Sync = true
	ls, _ := NewLoader(ds, cfg)
	for range 3 {
		lw.Reset()
		ls.Reset()
		start := time.Now()
		for {
			X, _, ok := lw.Next()
			if !ok {
				break
			}
			Xs, _, _ := ls.Next()
			x := denseData(X)
			if !equal(x, denseData(Xs)) {
				t.Fatal("a batch differs from the one gathered in Next")
			}
			time.Sleep(50 * time.Microsecond) // "training": the worker gets a CPU
			if !equal(denseData(X), x) {
				t.Fatal("a batch changed before the next call to Next")
			}
		}
		// 32 batches; waiting for a worker 2 ms late on two jobs in three
		// would take over 40 ms.
		if el := time.Since(start); el > 40*time.Millisecond {
			t.Errorf("epoch took %v: the caller waited for the late worker", el)
		}
	}
	if jobs.Load() == 0 {
		t.Error("the worker never ran")
	}
}
