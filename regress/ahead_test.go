package regress

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
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
	ended := func(a *ahead) bool {
		for range 400 {
			select {
			case <-a.exited:
				return true
			default:
			}
			runtime.GC()
			time.Sleep(5 * time.Millisecond)
		}
		return false
	}
	l, _ := NewLoader(ds, LoaderConfig{BatchSize: 10, Shuffle: true})
	a := l.ahead
	if a == nil {
		t.Fatal("no worker")
	}
	l.Reset()
	l.Next()
	l.Close()
	if !ended(a) {
		t.Error("the worker did not end after Close")
	}
	a = func() *ahead {
		l, _ := NewLoader(ds, LoaderConfig{BatchSize: 10, Shuffle: true})
		l.Reset()
		l.Next()
		return l.ahead
	}()
	if !ended(a) {
		t.Error("the worker of a loader that was dropped did not end: it leaked")
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
	}
	// Whether the caller gathered a batch itself instead of waiting is
	// counted, not timed: with the worker 2 ms late on two jobs in three,
	// it must have, several times.
	if lw.ahead.takeovers == 0 {
		t.Error("the caller never gathered a batch the late worker was asked for")
	}
	if jobs.Load() == 0 {
		t.Error("the worker never ran")
	}
}

// An epoch run as a relay with the worker trains exactly as one goroutine
// does: the same parameters and statistics, bit for bit, with every
// optimiser, batch size and drop_last; and it stops as that does on a
// diverging step, a cancelled context and an epoch with too large a batch.
func TestEpochRelaySameAsSync(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	smallAhead(t)
	ds := mediumData(t, 1003, 16, 3)
	type setup struct {
		tr *Trainer
		l  *Loader
	}
	build := func(cfg LoaderConfig, opt func() Optimizer, lr float64) setup {
		m, _ := NewLinear(16, 3, 5)
		o := opt()
		o.SetLR(lr)
		tr, err := NewTrainer(m, MSE, o, max(cfg.BatchSize, 1))
		if err != nil {
			t.Fatal(err)
		}
		l, _ := NewLoader(ds, cfg)
		t.Cleanup(func() { l.Close() })
		return setup{tr, l}
	}
	opts := map[string]func() Optimizer{
		"sgd": func() Optimizer { o, _ := NewSGD(SGDConfig{LR: 1e-3}); return o },
		"nesterov": func() Optimizer {
			o, _ := NewSGD(SGDConfig{LR: 1e-3, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-3})
			return o
		},
		"adam": func() Optimizer { o, _ := NewAdam(AdamDefaults(1e-3)); return o },
	}
	ctx := context.Background()
	for name, opt := range opts {
		for _, cfg := range []LoaderConfig{
			{BatchSize: 1, Shuffle: true, Seed: 1},
			{BatchSize: 32, Shuffle: true, Seed: 2},
			{BatchSize: 100, Shuffle: true, Seed: 3, DropLast: true},
			{BatchSize: 2000, Shuffle: true, Seed: 4},
		} {
			for _, lr := range []float64{1e-3, 1e15} { // 1e15 diverges
				w := build(cfg, opt, lr)
				cfg.Sync = true
				s := build(cfg, opt, lr)
				cfg.Sync = false
				if w.l.ahead == nil || s.l.ahead != nil {
					t.Fatal("wrong loaders")
				}
				forceRelay(w.l)
				diverged := false
				for epoch := range 3 {
					stw, errw := w.tr.Epoch(ctx, w.l)
					var de *DivergedError
					diverged = diverged || errors.As(errw, &de)
					sts, errs := s.tr.Epoch(ctx, s.l)
					what := fmt.Sprintf("%s, %+v, lr %g, epoch %d", name, cfg, lr, epoch)
					if fmt.Sprint(errw) != fmt.Sprint(errs) {
						t.Fatalf("%s: relay error %v, one goroutine %v", what, errw, errs)
					}
					if stw != sts {
						t.Fatalf("%s: relay %+v, one goroutine %+v", what, stw, sts)
					}
					if !equal(w.tr.Model.Params(), s.tr.Model.Params()) {
						t.Fatalf("%s: the parameters differ", what)
					}
				}
				if name != "adam" && diverged != (lr > 1) { // Adam's steps stay bounded by lr
					t.Errorf("%s, %+v, lr %g: diverged %v", name, cfg, lr, diverged)
				}
			}
		}
	}

	// A cancelled context stops the relay before any step.
	w := build(LoaderConfig{BatchSize: 10, Shuffle: true}, opts["sgd"], 1e-3)
	forceRelay(w.l)
	before := append([]float32(nil), w.tr.Model.Params()...)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.tr.Epoch(cctx, w.l); err != context.Canceled {
		t.Errorf("cancelled epoch: %v, want context.Canceled", err)
	}
	if !equal(before, w.tr.Model.Params()) {
		t.Error("a cancelled epoch trained")
	}
	// A cancellation during the epoch stops it between steps.
	cctx, cancel = context.WithCancel(ctx)
	steps := 0
	w.tr.Opt = stepCounter{w.tr.Opt, func() {
		if steps++; steps == 7 {
			cancel()
		}
	}}
	if st, err := w.tr.Epoch(cctx, w.l); err != context.Canceled || st.Batches != 7 {
		t.Errorf("epoch cancelled after 7 steps: %d batches, %v; want 7, context.Canceled", st.Batches, err)
	}
	// The loader and the worker go on working.
	if st, err := w.tr.Epoch(ctx, w.l); err != nil || st.Batches != w.l.Batches() {
		t.Errorf("epoch after a cancelled one: %d batches, %v", st.Batches, err)
	}
	// Mixing Next and Epoch on one loader.
	w.l.Reset()
	w.l.Next()
	if st, err := w.tr.Epoch(ctx, w.l); err != nil || st.Batches != w.l.Batches() {
		t.Errorf("epoch after Next: %d batches, %v", st.Batches, err)
	}
}

// stepCounter calls f after every optimiser step.
type stepCounter struct {
	Optimizer
	f func()
}

func (s stepCounter) Step(params, grad []float32) error {
	err := s.Optimizer.Step(params, grad)
	s.f()
	return err
}

// shuffle draws exactly the permutations rand.Rand.IntN would.
func TestShuffleMatchesRandIntN(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 64, 1000, 100_003, 1 << 17} {
		for seed := range uint64(3) {
			got := make([]int, n)
			shuffle(got, rand.NewPCG(seed, 0xda942042e4dd58b5))
			rng := rand.New(rand.NewPCG(seed, 0xda942042e4dd58b5))
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			for i := n - 1; i > 0; i-- {
				j := rng.IntN(i + 1)
				want[i], want[j] = want[j], want[i]
			}
			if !equalInts(got, want) {
				t.Fatalf("n %d, seed %d: shuffle differs from rand.Rand.IntN's", n, seed)
			}
		}
	}
}

// forceRelay makes every epoch over l run as a relay.
func forceRelay(l *Loader) {
	l.ahead.mode = modeChooser{relay: true}
}

// The chooser runs the faster mode, tries the other after 4, 8, 16, … up to
// 64 epochs while it stays slower, and switches when it becomes the faster.
func TestModeChooser(t *testing.T) {
	var c modeChooser
	var modes []bool
	run := func(epochs int, relayNS, aloneNS float64) {
		for range epochs {
			relay := c.choose()
			modes = append(modes, relay)
			ns := aloneNS
			if relay {
				ns = relayNS
			}
			c.record(relay, time.Duration(ns*1000), 1000)
		}
	}
	run(200, 1, 2) // the relay is faster
	var alone []int
	for i, relay := range modes {
		if !relay {
			alone = append(alone, i+1)
		}
	}
	// Epoch 2 measures the other mode; then it is tried again 4 epochs after
	// the first, and at gaps of 8, 16, 32, 64, 64.
	want := []int{2, 5, 13, 29, 61, 125, 189}
	if !equalInts(alone, want) {
		t.Errorf("epochs run alone: %v, want %v", alone, want)
	}
	// The relay becomes the slower (a busy machine): the next probe switches.
	modes = modes[:0]
	run(70, 3, 2)
	switched := -1
	for i, relay := range modes {
		if !relay {
			switched = i
			break
		}
	}
	if switched < 0 || switched > 64 {
		t.Fatalf("never switched to the faster mode: %v", modes)
	}
	for _, relay := range modes[switched : switched+3] {
		if relay {
			t.Errorf("after switching, ran a relay at once again: %v", modes[switched:])
		}
	}
}

// A relay whose worker keeps falling behind degrades: the caller takes the
// worker's batches when it gets to them first, and the results are still
// those of one goroutine, bit for bit.
func TestEpochRelayDegrades(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	smallAhead(t)
	ds := mediumData(t, 2000, 8, 2)
	var steps atomic.Int64
	relayHook = func(r *relay, claiming bool) {
		// Every third call: before claiming a batch and before stepping
		// one, in turn.
		if steps.Add(1)%3 == 0 {
			time.Sleep(time.Millisecond) // a thread that is not running
		}
	}
	defer func() { relayHook = nil }()
	pw, sw, l := trainEpochs(t, ds, false, 4)
	ps, ss, _ := trainEpochs(t, ds, true, 4)
	if !equal(pw, ps) || fmt.Sprint(sw) != fmt.Sprint(ss) {
		t.Errorf("a degraded relay trained differently: %v vs %v", sw, ss)
	}
	if l.ahead.relay.degrades == 0 {
		t.Error("the relay never degraded with a worker often 1 ms late")
	}
	if steps.Load() == 0 {
		t.Error("the worker never stepped")
	}
}

// The worker quits when the relay degrades while the caller waits for the
// batch before its own: the caller takes that batch too, into the third
// buffer, and the epoch trains as one goroutine's does.
func TestEpochRelayRescue(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	smallAhead(t)
	ds := mediumData(t, 500, 8, 2)
	claims := 0
	relayHook = func(r *relay, claiming bool) {
		if !claiming {
			return
		}
		if claims++; claims != 2 {
			return
		}
		// Before its second batch (3), wait for the caller to park waiting
		// for its turn at batch 4, then degrade the relay.
		deadline := time.Now().Add(5 * time.Second)
		for !(r.parked[0].sleeping.Load() && r.turn.Load() == 3) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Microsecond)
		}
		r.degraded.Store(true)
	}
	defer func() { relayHook = nil }()
	pw, sw, l := trainEpochs(t, ds, false, 1)
	ps, ss, _ := trainEpochs(t, ds, true, 1)
	if !equal(pw, ps) || sw[0] != ss[0] {
		t.Errorf("the rescued relay trained differently: %+v vs %+v", sw, ss)
	}
	if r := l.ahead.relay; r.rescues != 1 || r.degrades != 1 {
		t.Errorf("%d rescues in %d degraded epochs, want 1 and 1", r.rescues, r.degrades)
	}
}

// Relays with a worker late at random points, often enough to degrade some
// epochs and not others, train as one goroutine does.
func TestEpochRelayRandomDelays(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	smallAhead(t)
	ds := mediumData(t, 3000, 8, 2)
	rng := rand.New(rand.NewPCG(4, 4))
	var mu sync.Mutex
	relayHook = func(r *relay, claiming bool) {
		mu.Lock()
		d := time.Duration(rng.IntN(400)) * time.Microsecond
		late := rng.IntN(25) == 0
		mu.Unlock()
		if late {
			time.Sleep(d)
		}
	}
	defer func() { relayHook = nil }()
	pw, sw, l := trainEpochs(t, ds, false, 12)
	ps, ss, _ := trainEpochs(t, ds, true, 12)
	if !equal(pw, ps) || fmt.Sprint(sw) != fmt.Sprint(ss) {
		t.Errorf("relays with a late worker trained differently")
	}
	t.Logf("%d of 12 epochs degraded, %d batches rescued", l.ahead.relay.degrades, l.ahead.relay.rescues)
}

// trainEpochs trains a fresh 8→2 model for the given epochs over ds in
// batches of 16, on one goroutine (sync) or as relays, and returns its
// parameters, the epochs' statistics and the loader.
func trainEpochs(t *testing.T, ds *Dataset, sync bool, epochs int) ([]float32, []EpochStats, *Loader) {
	t.Helper()
	m, _ := NewLinear(8, 2, 3)
	tr, _ := NewTrainer(m, MSE, newSGD(t, 1e-3), 16)
	l, _ := NewLoader(ds, LoaderConfig{BatchSize: 16, Shuffle: true, Seed: 8, Sync: sync})
	t.Cleanup(func() { l.Close() })
	if !sync {
		forceRelay(l)
	}
	var sts []EpochStats
	for range epochs {
		st, err := tr.Epoch(context.Background(), l)
		if err != nil {
			t.Fatal(err)
		}
		sts = append(sts, st)
	}
	return m.Params(), sts, l
}
