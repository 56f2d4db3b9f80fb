package regress

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/linalg"
)

// ahead is a shuffling Loader's background gatherer, DataLoader's
// num_workers=1: while the caller trains on one batch, a goroutine gathers
// the next.
//
// Why: a shuffled batch's rows are scattered over a dataset far larger than
// the caches, and one core keeps only so many cache misses in flight; on the
// 100,000×64 benchmark gathering a batch took as long as training on it. A
// second core has its own miss buffers, so gathering there overlaps the two.
// The batches are bit for bit those gathered in the caller, in the same
// order.
//
// The protocol is a one-slot job queue. The caller posts a job, a buffer and
// the row indices to gather into it, by writing them and then incrementing
// posted; the worker gathers, then sets done to posted. The caller touches a
// job's buffer only once done has caught up with posted, and writes a new
// job only then: the atomics order every access, so there is no lock and
// nothing allocates.
//
// Waiting is bounded, so that a busy machine degrades the loader to
// gathering in the caller instead of stalling it: if the worker has not
// finished the caller's next batch within a few times its usual gathering
// time (it may have been descheduled), the caller gathers the batch itself
// into a third buffer and abandons the job, and goes on gathering itself
// until the worker is idle again and then for a number of batches that
// doubles with every late job in a row (up to maxBackoff): on a machine
// whose CPUs are all busy, the worker only gets in the way. The worker spins briefly for its next job
// and then parks on a channel, so that it neither competes with the caller
// for a busy CPU for long nor costs anything when the loader is idle.
type ahead struct {
	X, Y linalg.Dense // the dataset
	buf  [3]aheadBuf

	// The job, written by the caller before posted is incremented and read
	// by the worker after: gather rows buf[slot].idx[:rows], or, if relay
	// is set, run the worker's half of the relay's epoch.
	slot, rows int
	relayJob   bool
	relay      *relay
	posted     atomic.Int64
	done       atomic.Int64
	jobNS      atomic.Int64  // how long the worker's last job took
	parked     parker        // the worker, waiting for a job
	quit       chan struct{} // closed by stop
	exited     chan struct{} // closed by the worker as it ends (for tests)

	// The caller's side.
	queued    bool // a job for the batch at queuedLo of this epoch is posted
	queueLo   int
	last      int // the buffer of the batch last returned, -1 if none
	stopped   bool
	takeovers int  // batches gathered here because the worker was late
	backoff   int  // batches to gather here after the worker was late
	skip      int  // batches still to gather here before posting again
	off       bool // post nothing: Trainer.Epoch gathers in its goroutine
	mode      modeChooser
}

type aheadBuf struct {
	X, Y linalg.Dense
	idx  []int
}

// aheadMinBytes is the smallest dataset a Loader gathers from in the
// background by default: below it the rows stay in cache, gathering is cheap,
// and handing batches between cores would cost more than it saves.
var aheadMinBytes = 4 << 20 // a variable for tests

// The waits. The worker spins for workerSpin before parking: parking and
// waking cost a few µs, a batch's gathering a few µs to a few tens. The
// caller waits for its batch at most a few times the worker's last job,
// and at least callerMinWait.
const (
	workerSpin    = 20 * time.Microsecond
	callerMinWait = 10 * time.Microsecond
	maxBackoff    = 256
)

// workerDelay, if set, runs in the worker before every job: tests use it
// to make the worker late.
var workerDelay func()

func newAhead(X, Y linalg.Dense, batch int) *ahead {
	a := &ahead{X: X, Y: Y, last: -1, relay: newRelay(),
		quit:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	a.parked.init()
	for s := range a.buf {
		a.buf[s].X, _ = linalg.New(batch, X.Cols)
		a.buf[s].Y, _ = linalg.New(batch, Y.Cols)
		a.buf[s].idx = make([]int, batch)
	}
	go a.work()
	return a
}

// idle reports whether the worker has finished every job posted.
func (a *ahead) idle() bool { return a.done.Load() == a.posted.Load() }

// ready reports whether a job may be posted: the worker is idle, and not
// backed off after being late.
func (a *ahead) ready() bool {
	if a.off {
		return false
	}
	if a.skip > 0 {
		a.skip--
		return false
	}
	return a.idle()
}

// post asks the worker to gather rows idx (of the order starting at lo) into
// a buffer other than the last returned. The worker must be idle.
func (a *ahead) post(lo int, idx []int) {
	s := a.free()
	a.slot, a.rows, a.relayJob = s, len(idx), false
	copy(a.buf[s].idx, idx)
	a.queued, a.queueLo = true, lo
	a.signal()
}

// postRelay asks the worker to run its half of the relay's epoch, once it
// has finished any job still running. It reports whether the worker had to
// be woken.
func (a *ahead) postRelay() bool {
	a.sync()
	a.queued = false
	a.relayJob = true
	return a.signal()
}

// signal publishes the job written and reports whether it woke the worker.
func (a *ahead) signal() bool {
	a.posted.Add(1)
	return a.parked.wake()
}

// free returns a buffer that is neither the last returned nor the worker's
// (if it is busy): of three, there is always one.
func (a *ahead) free() int {
	busy := -1
	if !a.idle() {
		busy = a.slot
	}
	for s := range a.buf {
		if s != a.last && s != busy {
			return s
		}
	}
	panic("regress: no free batch buffer")
}

// next returns the batch of rows idx, the order's rows from lo: the worker's,
// if it was asked for it and finishes in time, else gathered here.
func (a *ahead) next(lo int, idx []int) (X, Y linalg.Dense) {
	s := -1
	if a.queued && a.queueLo == lo {
		a.queued = false
		if a.await() {
			s = a.slot
			a.backoff = 0
		} else {
			a.takeovers++
			a.backoff = min(max(1, 2*a.backoff), maxBackoff)
			a.skip = a.backoff
		}
	}
	if s < 0 {
		s = a.free()
		b := &a.buf[s]
		gather(b.X, a.X, b.Y, a.Y, idx)
	}
	a.last = s
	return a.buf[s].X.Slice(0, len(idx)), a.buf[s].Y.Slice(0, len(idx))
}

// await waits for the worker's job, a bounded time; it reports whether the
// job is done.
func (a *ahead) await() bool {
	want := a.posted.Load()
	if a.done.Load() == want {
		return true
	}
	limit := max(callerMinWait, 3*time.Duration(a.jobNS.Load()))
	start := time.Now()
	for i := 1; ; i++ {
		if a.done.Load() == want {
			return true
		}
		if i%64 == 0 && time.Since(start) > limit {
			return false
		}
	}
}

// reset forgets the job posted for the previous epoch, if any: the worker may
// still be gathering it, into its own buffer.
func (a *ahead) reset() {
	a.queued = false
	a.last = -1
}

func (a *ahead) work() {
	defer close(a.exited)
	var seen int64
	for {
		start := time.Now()
		for i := 1; a.posted.Load() == seen; i++ {
			if i%128 != 0 || time.Since(start) < workerSpin {
				continue
			}
			if !a.parked.park(func() bool { return a.posted.Load() != seen }, a.quit) {
				return
			}
			start = time.Now()
		}
		seen = a.posted.Load()
		if workerDelay != nil {
			workerDelay()
		}
		if a.relayJob {
			a.relay.half(1)
		} else {
			t := time.Now()
			b := &a.buf[a.slot]
			gather(b.X, a.X, b.Y, a.Y, b.idx[:a.rows])
			a.jobNS.Store(int64(time.Since(t)))
		}
		a.done.Store(seen)
	}
}

// stop waits for the worker's last job and ends it.
func (a *ahead) stop() {
	if a.stopped {
		return
	}
	a.stopped = true
	a.sync()
	close(a.quit)
}

// sync waits, without bound, for the worker's last job.
func (a *ahead) sync() {
	for i := 1; !a.idle(); i++ {
		if i%1024 == 0 {
			runtime.Gosched()
		}
	}
}

// gather copies rows idx of the inputs X and targets Y into consecutive rows
// of bx and by.
func gather(bx, X, by, Y linalg.Dense, idx []int) {
	edgefit.GatherRows(X.Cols, idx, X.Data, X.Stride, bx.Data, bx.Stride)
	edgefit.GatherRows(Y.Cols, idx, Y.Data, Y.Stride, by.Data, by.Stride)
}

// prefetch asks for rows idx of the inputs X and targets Y to be brought into
// cache, without waiting: a batch gathered a step later then finds its rows
// there instead of waiting for each in turn (edgefit.PrefetchRows).
func prefetch(X, Y linalg.Dense, idx []int) {
	edgefit.PrefetchRows(X.Cols, idx, X.Data, X.Stride)
	edgefit.PrefetchRows(Y.Cols, idx, Y.Data, Y.Stride)
}

// modeChooser picks how Trainer.Epoch runs each epoch over a Loader with a
// worker: as a relay with the worker, or in the caller's goroutine alone.
// On an idle machine the relay is the faster, by up to twice; when other
// programs keep the CPUs busy, the two goroutines wait for each other and
// the relay can be twice as slow. So it measures both: the first epoch is a
// relay, the second runs alone, and then each epoch takes the faster, the
// other being tried again after 4 epochs, then 8, … up to maxProbeGap while
// it stays the slower (the results are the same either way).
type modeChooser struct {
	nsPerRow [2]float64 // the last epoch's time per row: alone (0), relay (1)
	epochs   int
	probe    int // the epoch at which to try the slower mode again
	gap      int
	probing  bool
	relay    bool // tests: every epoch a relay
}

const maxProbeGap = 64

// choose reports whether the next epoch runs as a relay.
func (c *modeChooser) choose() bool {
	c.epochs++
	if c.relay {
		return true
	}
	switch {
	case c.nsPerRow[1] == 0:
		return true
	case c.nsPerRow[0] == 0:
		return false
	}
	relay := c.nsPerRow[1] <= c.nsPerRow[0]
	if c.epochs >= c.probe {
		c.probing = true
		return !relay
	}
	return relay
}

// record notes how long an epoch of rows took.
func (c *modeChooser) record(relay bool, d time.Duration, rows int) {
	m := 0
	if relay {
		m = 1
	}
	slower := c.nsPerRow[m] != 0 && c.nsPerRow[1-m] != 0 && c.nsPerRow[m] > c.nsPerRow[1-m]
	c.nsPerRow[m] = float64(d) / float64(rows)
	if c.probing || c.probe == 0 {
		c.probing = false
		if slower && c.nsPerRow[m] > c.nsPerRow[1-m] {
			c.gap = min(max(4, 2*c.gap), maxProbeGap) // still the slower
		} else {
			c.gap = 4
		}
		c.probe = c.epochs + c.gap
	}
}

// parker lets a goroutine wait for a condition that another makes true, once
// spinning has gone on too long: it parks on a channel until woken. The waker
// makes the condition true and then calls wake; the flag, set before the
// condition is checked once more, makes sure no wake-up is lost.
type parker struct {
	sleeping atomic.Bool
	ch       chan struct{} // capacity 1
}

func (p *parker) init() { p.ch = make(chan struct{}, 1) }

// park returns when cond holds or after a wake-up (which may be stale: the
// caller checks cond again); false if quit was closed first.
func (p *parker) park(cond func() bool, quit <-chan struct{}) bool {
	p.sleeping.Store(true)
	defer p.sleeping.Store(false)
	if cond() {
		return true
	}
	select {
	case <-p.ch:
		return true
	case <-quit:
		return false
	}
}

// wake wakes the goroutine if it is parked (or about to park), and reports
// whether it sent the wake-up.
func (p *parker) wake() bool {
	if !p.sleeping.Load() {
		return false
	}
	select {
	case p.ch <- struct{}{}:
		return true
	default:
		return false
	}
}
