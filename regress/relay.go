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

	sleeping [2]atomic.Bool // the caller (0) or the worker (1) is parked
	wake     [2]chan struct{}

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

func newRelay() *relay {
	r := &relay{}
	for i := range r.wake {
		r.wake[i] = make(chan struct{}, 1)
	}
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
// ones, 1 (the worker) the odd ones.
func (r *relay) half(id int) {
	defer func() {
		if id == 1 {
			r.finished.Store(true)
			r.wakeUp(0)
		}
	}()
	t, l, a := r.t, r.l, r.l.ahead
	b := &a.buf[id]
	// Each goroutine keeps its predictions in buffers of its own, which stay
	// in its core's cache.
	P := t.p
	if id == 1 {
		P = t.p2
	}
	done := r.ctx.Done()
	bs := l.cfg.BatchSize
	for j := id; ; j += 2 {
		lo := j * bs
		rows := l.rowsAt(lo)
		if rows == 0 || r.stop.Load() {
			return
		}
		gather(b.X, a.X, b.Y, a.Y, l.perm[lo:lo+rows])
		X, Y := b.X.Slice(0, rows), b.Y.Slice(0, rows)
		// This goroutine's next batch is on its way while it waits for
		// its turn and steps.
		if nlo := lo + 2*bs; l.rowsAt(nlo) > 0 {
			prefetch(a.X, a.Y, l.perm[nlo:nlo+l.rowsAt(nlo)])
		}
		if !r.waitFor(id, func() bool { return r.turn.Load() == int64(j) || r.stop.Load() }) || r.stop.Load() {
			return
		}
		select {
		case <-done:
			r.fail(r.ctx.Err())
			return
		default:
		}
		loss, err := t.step(X, Y, P)
		if err != nil {
			r.fail(err)
			return
		}
		n := X.Rows * Y.Cols
		r.sq += float64(loss) / float64(t.Loss.scale(n))
		r.elems += n
		r.st.Batches++
		r.st.LastBatchLoss = loss
		r.turn.Store(int64(j + 1))
		r.wakeUp(1 - id)
	}
}

// fail stops the relay with err.
func (r *relay) fail(err error) {
	r.err = err
	r.stop.Store(true)
	r.wakeUp(0)
	r.wakeUp(1)
}

// wakeUp wakes goroutine id if it is parked (or about to park).
func (r *relay) wakeUp(id int) {
	if r.sleeping[id].Load() {
		select {
		case r.wake[id] <- struct{}{}:
		default:
		}
	}
}

// waitFor returns once cond holds. It spins: a step or a gather takes
// microseconds, and parking would hand the woken goroutine to the waker's P,
// where it would wait for the waker instead of running beside it. After
// relaySpin it parks until woken: the other goroutine is not running.
// Whoever makes cond true calls wakeUp(id) after; the flag and the
// re-check before parking make sure no wake-up is lost.
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
		r.sleeping[id].Store(true)
		if !cond() {
			<-r.wake[id]
		}
		r.sleeping[id].Store(false)
		start = time.Time{}
	}
	return true
}
