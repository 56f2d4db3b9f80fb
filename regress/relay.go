package regress

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// relay runs a Trainer's epoch over a Loader with a background worker as a
// relay between two goroutines, the caller's and the worker's: each gathers
// every other batch into a buffer of its own, and they take turns at the
// steps, in batch order, handing the turn over with an atomic counter.
//
// Why: gathering a shuffled batch from a dataset far larger than the caches
// takes as long as training on it, and one core keeps only so many cache
// misses in flight. With a worker gathering for the caller (the Loader's
// Next), the batch then has to travel from the worker's caches to the
// caller's, which costs nearly as much again. In the relay each batch is
// trained on where it was gathered, and only the model (a few KiB) travels:
// while one goroutine steps, the other gathers its next batch. The steps
// still run one at a time, in order, on the same model, so the arithmetic
// is exactly the one-goroutine epoch's (the same results, bit for bit) and
// never runs on two cores at once.
type relay struct {
	t   *Trainer
	l   *Loader
	ctx context.Context

	turn     atomic.Int64 // the batch whose step may run next
	stop     atomic.Bool  // a step failed or ctx was cancelled: err says why
	finished atomic.Bool  // the worker's half is over
	err      error        // set before stop

	// workerNext is the next odd batch, claimed by whichever goroutine
	// moves it on. degraded is set after parkLimit parks in an epoch:
	// a goroutine had to wait so long for the other that that one's thread
	// was not running (other programs keep the CPUs busy); from then on the
	// caller takes the worker's batches whenever it gets to them first.
	workerNext atomic.Int64
	degraded   atomic.Bool
	parks      atomic.Int32
	parkLimit  int32
	degrades   int // epochs degraded so far, for tests
	rescues    int // batches the caller took after the worker quit, for tests

	parked [2]parker // the caller (0) and the worker (1), waiting for a turn

	// The epoch's statistics, updated by the goroutine holding the turn.
	sq    float64
	elems int
	st    EpochStats
}

// relaySpin is how long a goroutine waits for its turn spinning before it
// parks: many steps' time. A longer wait means the other goroutine's thread
// is not running, as when other programs keep every CPU busy, and spinning on
// would keep this thread from giving its CPU up for milliseconds.
const relaySpin = 100 * time.Microsecond

// The relay degrades to the caller alone for the rest of an epoch after
// max(minParks, batches/batchesPerPark) parks in it: a few are hiccups (a
// virtual CPU descheduled for a moment by its host, a page fault); when other
// programs keep the CPUs busy nearly every hand-over parks, and the limit is
// soon reached.
const (
	minParks       = 4
	batchesPerPark = 32
)

func newRelay() *relay {
	r := &relay{}
	r.parked[0].init()
	r.parked[1].init()
	return r
}

// epoch runs one epoch of t over l, whose Reset has been called, as a relay
// with l's worker.
func (r *relay) epoch(ctx context.Context, t *Trainer, l *Loader) (EpochStats, error) {
	a := l.ahead
	r.t, r.l, r.ctx = t, l, ctx
	r.turn.Store(0)
	r.stop.Store(false)
	r.finished.Store(false)
	r.workerNext.Store(1)
	r.degraded.Store(false)
	r.parks.Store(0)
	r.parkLimit = int32(max(minParks, l.Batches()/batchesPerPark))
	r.err = nil
	r.sq, r.elems, r.st = 0, 0, EpochStats{}
	if a.postRelay() {
		// The worker was parked: waking it put it on this goroutine's P,
		// where it would wait for this one. Yielding lets it run there,
		// while the P the wake-up also woke takes this goroutine.
		runtime.Gosched()
	}
	r.half(0)
	r.waitFor(0, func() bool { return r.finished.Load() })
	a.sync() // the worker's job ends just after finished is set
	r.t, r.l, r.ctx = nil, nil, nil
	if r.degraded.Load() {
		r.degrades++
	}
	l.pos = l.ds.Len()
	a.last = -1
	st := r.st
	if r.err != nil {
		return st, r.err
	}
	st.Loss = t.Loss.fromSum(float32(r.sq), r.elems)
	return st, nil
}

// half runs the batches of goroutine id: 0 (the caller) takes the even
// ones, 1 (the worker) the odd ones, claiming each (workerNext) before it
// starts on it. Once the relay is degraded the worker claims no more: it
// sets workerNext to minus the batch it stopped at and ends, and the caller
// takes every batch from there, the worker's too. Every batch is claimed once, by a goroutine that steps
// it.
func (r *relay) half(id int) {
	defer func() {
		if id == 1 {
			r.finished.Store(true)
			r.wakeUp(0)
		}
	}()
	for j := id; ; {
		switch {
		case id == 1:
			if relayHook != nil {
				relayHook(r, true)
			}
			if r.degraded.Load() {
				r.workerNext.CompareAndSwap(int64(j), int64(-j)) // quit at j
				return
			}
			if !r.workerNext.CompareAndSwap(int64(j), int64(j+2)) {
				return // the caller took it, and will take the rest
			}
		case j%2 == 1 && !r.claimOdd(j):
			j++ // the worker's
			continue
		}
		if !r.batch(id, j, id) {
			return
		}
		if id == 0 && r.degraded.Load() {
			j++
		} else {
			j += 2
		}
	}
}

// workerLeft reports whether the worker quit without batch j: it stopped
// claiming at batch −workerNext, and j is that one or later.
func (r *relay) workerLeft(j int) bool {
	wn := r.workerNext.Load()
	return wn < 0 && int64(j) >= -wn
}

// claimOdd reports whether the caller may take odd batch j: the relay is
// degraded and the worker has not claimed it.
func (r *relay) claimOdd(j int) bool {
	if !r.degraded.Load() {
		return false
	}
	return r.workerLeft(j) || r.workerNext.CompareAndSwap(int64(j), int64(j+2))
}

// batch gathers batch j into buffer buf, waits for its turn and steps it. It
// reports false when the relay stops, or the epoch has no batch j. While the
// caller waits, it takes over the batch before j if the worker quit without
// it (into the third buffer).
func (r *relay) batch(id, j, buf int) bool {
	t, l, a := r.t, r.l, r.l.ahead
	bs := l.cfg.BatchSize
	lo := j * bs
	rows := l.rowsAt(lo)
	if rows == 0 || r.stop.Load() {
		return false
	}
	b := &a.buf[buf]
	gather(b.X, a.X, b.Y, a.Y, l.perm[lo:lo+rows])
	X, Y := b.X.Slice(0, rows), b.Y.Slice(0, rows)
	// This goroutine's next batch is on its way while it waits for its
	// turn and steps.
	next := j + 2
	if id == 0 && r.degraded.Load() {
		next = j + 1
	}
	if nlo, nrows := next*bs, l.rowsAt(next*bs); nrows > 0 {
		prefetch(a.X, a.Y, l.perm[nlo:nlo+nrows])
	}
	if id == 1 && relayHook != nil {
		relayHook(r, false)
	}
	for {
		r.waitFor(id, func() bool {
			return r.turn.Load() == int64(j) || r.stop.Load() ||
				id == 0 && r.turn.Load() == int64(j-1) && r.workerLeft(j-1)
		})
		if r.stop.Load() {
			return false
		}
		if r.turn.Load() == int64(j) {
			break
		}
		r.rescues++
		if !r.batch(id, j-1, 2) { // the worker quit before batch j−1
			return false
		}
	}
	select {
	case <-r.ctx.Done():
		r.fail(r.ctx.Err())
		return false
	default:
	}
	// Each goroutine keeps its predictions in buffers of its own, which
	// stay in its core's cache.
	P := t.p
	if id == 1 {
		P = t.p2
	}
	loss, err := t.step(X, Y, P)
	if err != nil {
		r.fail(err)
		return false
	}
	n := X.Rows * Y.Cols
	r.sq += float64(loss) / float64(t.Loss.scale(n))
	r.elems += n
	r.st.Batches++
	r.st.LastBatchLoss = loss
	r.turn.Store(int64(j + 1))
	r.wakeUp(1 - id)
	return true
}

// relayHook, if set, runs in the worker before it claims a batch (claiming)
// and before it steps one: tests use it to make the worker late.
var relayHook func(r *relay, claiming bool)

// fail stops the relay with err.
func (r *relay) fail(err error) {
	r.err = err
	r.stop.Store(true)
	r.wakeUp(0)
	r.wakeUp(1)
}

// wakeUp wakes goroutine id if it is parked (or about to park).
func (r *relay) wakeUp(id int) { r.parked[id].wake() }

// waitFor returns once cond holds. It spins: a step or a gather takes
// microseconds, and parking would hand the woken goroutine to the waker's P,
// where it would wait for the waker instead of running beside it. After
// relaySpin it parks until woken: the other goroutine is not running.
// Whoever makes cond true calls wakeUp(id) after.
func (r *relay) waitFor(id int, cond func() bool) bool {
	var start time.Time
	for i := 1; !cond(); i++ {
		if i%256 != 0 {
			continue
		}
		if start.IsZero() {
			start = time.Now()
			continue
		}
		if time.Since(start) < relaySpin {
			continue
		}
		if r.parks.Add(1) >= r.parkLimit {
			r.degraded.Store(true)
		}
		r.parked[id].park(cond, nil)
		start = time.Time{}
	}
	return true
}
