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

	// The epoch's statistics, updated by the goroutine holding the turn.
	sq    float64
	elems int
	st    EpochStats
}

// relaySpin is how long a goroutine waits for its turn before it starts
// yielding its P: many steps' time.
const relaySpin = 200 * time.Microsecond

func newRelay() *relay { return &relay{} }

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
	}
}

// fail stops the relay with err.
func (r *relay) fail(err error) {
	r.err = err
	r.stop.Store(true)
}

// waitFor returns once cond holds. It spins: a step or a gather takes
// microseconds, and parking would hand the woken goroutine to the waker's P,
// where it would wait for the waker instead of running beside it. After
// relaySpin without progress it yields its P now and then, in case the other
// goroutine is waiting for it.
func (r *relay) waitFor(id int, cond func() bool) bool {
	var start time.Time
	for i := 1; !cond(); i++ {
		if i%256 != 0 {
			continue
		}
		if start.IsZero() {
			start = time.Now()
		} else if time.Since(start) > relaySpin {
			runtime.Gosched()
		}
	}
	return true
}
