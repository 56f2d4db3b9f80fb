package regress

import (
	"github.com/edgefit/edgefit/regress/internal/batches"
	"sync"
	"sync/atomic"
	"time"
)

// team is the goroutines that share a Trainer's data-parallel work: the
// caller and members started once, kept until Close. A job is split into
// chunks, at most one per goroutine of the team; goroutine c runs chunk c if
// it gets to it first, and any goroutine that has finished its own takes a
// chunk nobody has claimed yet, so that a member whose thread is not running
// holds the step up only for the chunk it has started. Chunk c writes its
// results to chunk c's buffers, never to a goroutine's: the outcome depends
// on the number of chunks alone, not on which goroutine ran which.
//
// One atomic word describes the job: its number, its number of chunks and
// which are claimed. The caller writes the job's inputs and then stores the
// word; a goroutine claims a chunk by setting its bit (compare-and-swap),
// which orders its reads of the inputs after the caller's writes, and counts
// the chunk done (left) after writing its results. The caller reads the
// results once left is 0, and only then writes the next job.
//
// Waiting spins for spinFor and then parks on a channel, so that an idle
// team costs no CPU and one whose threads are busy elsewhere gives the CPU
// up: a step takes microseconds, and a wait longer than spinFor means the
// other goroutine's thread is not running or no job is coming.
//
// The caller posts a job only when a member is awake (spinning or at side
// work, not parked): waking a parked goroutine takes longer than a step, so
// it wakes them and runs that job's chunks alone, and shares the next jobs
// once they are up; still parked long after, they are late (below). A long
// job (Evaluate over many rows) is the exception: it pays for the wake-up,
// so the caller wakes them and posts it at once, and it counts for nothing
// in the back-off below.
//
// When other programs keep the CPUs busy the members' threads run in turns
// with theirs: a member shows up after the caller has run its chunk too (it
// would only take CPU time from the caller), or stops in the middle of a
// chunk, and the caller waits for it. So after a job in which the caller ran
// another's chunk or had to park, it runs the next jobs alone, posting
// nothing, for a number of jobs that doubles with every such job in a row
// (up to maxSolo) and is reset by a job the members kept up with. The chunks
// are the same either way, and so are the results.
//
// While they wait for a job, members run the side work the caller names (a
// shuffling loader drawing its next epoch's order, fastest in one go while
// the order's array stays in cache); the caller does not post to a member at
// it, and runs the chunks of a job posted meanwhile as they come.
type team struct {
	work  func(c int)      // runs chunk c of the current job
	after func(c int)      // what chunk c leaves to do once counted done (see do)
	busy  func(c int) bool // chunk c's last runner is at after(c) still

	state atomic.Uint64 // job number <<40 | chunks <<32 | claimed chunks
	_     [56]byte
	left  atomic.Int64 // chunks of the current job not yet done
	_     [56]byte

	side atomic.Pointer[batches.Ahead] // work for members waiting for a job

	// The caller's side: jobs still to run alone, and how many the last
	// time (see above).
	solo, backoff int
	wokeAt        time.Time // when it woke parked members, if they may be still parked

	caller  parker   // the caller, waiting for left to reach 0
	members []member // goroutines 1…len(members)
	quit    chan struct{}
	closing atomic.Bool // quit is closed, for spinning goroutines
	stop    sync.Once
	exited  sync.WaitGroup
}

type member struct {
	parked parker
	aside  atomic.Bool // at side work
	_      [44]byte
}

// maxChunks bounds a job's chunks, and so a team's goroutines: one bit each.
const maxChunks = 32

// maxSolo bounds the jobs the caller runs alone after the members were late.
const maxSolo = 256

// wakeBefore is how many of the jobs it runs alone the caller wakes parked
// members before, so that they are up when it shares again.
const wakeBefore = 2

// wakeGrace is how long a woken member may take to be up before the caller
// takes it for one whose thread is not running: waking takes tens of
// microseconds, a thread kept off its CPU by others milliseconds.
const wakeGrace = 500 * time.Microsecond

// spinFor is how long a goroutine of a team spins, waiting for a job or for
// the others to finish theirs, before it parks.
const spinFor = 50 * time.Microsecond

// newTeam starts size−1 goroutines (2 ≤ size ≤ maxChunks) that run work
// and after; nobody takes over a chunk c while busy(c).
func newTeam(size int, work, after func(c int), busy func(c int) bool) *team {
	t := &team{work: work, after: after, busy: busy, members: make([]member, size-1), quit: make(chan struct{})}
	t.caller.init()
	t.exited.Add(size - 1)
	for i := range t.members {
		t.members[i].parked.init()
		go t.member(i + 1)
	}
	return t
}

// close ends the goroutines once they have finished the current job (there
// is none when the caller calls it) and waits for them.
func (t *team) close() {
	t.stop.Do(func() {
		t.closing.Store(true)
		close(t.quit)
		t.exited.Wait()
	})
}

// do runs work(c) for every chunk c < chunks (1 ≤ chunks ≤ size), chunk 0
// in the caller, and returns when all have run. A long job (chunks long
// enough to pay for waking a parked member) is always shared, and says
// nothing about how the members keep up with short ones.
func (t *team) do(chunks int, long bool) {
	share, aside := t.post(chunks-1, long)
	if chunks <= 1 || !share {
		for c := range chunks {
			t.work(c)
			t.after(c)
		}
		return
	}
	job := t.state.Load()>>40 + 1
	t.left.Store(int64(chunks))
	t.state.Store(job<<40 | uint64(chunks)<<32 | 1) // chunk 0 is the caller's
	t.wakeMembers(chunks - 1)
	t.work(0)
	t.after(0)
	t.done()
	// A member at side work is late by design.
	late := t.claimAndRun(0) && !aside
	if t.left.Load() != 0 {
		_, parked := t.wait(&t.caller, func() bool { return t.left.Load() == 0 })
		late = late || parked
	}
	switch {
	case long:
	case late:
		t.late()
	default:
		t.backoff = 0
	}
}

// post reports whether the caller is to share the next job with members
// 1…n, counting down the jobs it runs alone: only if one of them is awake
// and not at side work, or if the job is long, for which it wakes them. It
// also reports whether one of them is at side work.
//
// A parked member is woken for the jobs to come, shared meanwhile only with
// members awake. Members still parked wakeGrace after the wake-up are
// members whose threads are not running (other programs have the CPUs): the
// caller backs off as after a late job, and wakes them again in the last
// jobs it runs alone, so that they are up, or shown late again, when it
// next shares.
func (t *team) post(n int, long bool) (share, aside bool) {
	if long {
		for i := range n {
			aside = aside || t.members[i].aside.Load()
		}
		t.wakeMembers(n)
		return true, aside
	}
	if t.solo > 0 {
		t.solo--
		if t.solo < wakeBefore {
			t.wake(n)
		}
		return false, false
	}
	asleep := false
	for i := range n {
		m := &t.members[i]
		a := m.aside.Load()
		aside = aside || a
		if m.parked.sleeping.Load() {
			asleep = true
		} else if !a {
			share = true
		}
	}
	if !asleep {
		t.wokeAt = time.Time{}
		return share, aside
	}
	if !t.wokeAt.IsZero() && time.Since(t.wokeAt) > wakeGrace {
		t.late() // woken again in its last jobs alone
		t.wokeAt = time.Time{}
		return false, aside
	}
	t.wake(n)
	return share, aside
}

// wake wakes members 1…n, noting when unless it has already.
func (t *team) wake(n int) {
	if t.wokeAt.IsZero() {
		t.wokeAt = time.Now()
	}
	t.wakeMembers(n)
}

// late backs off after a job the members did not keep up with: the caller
// runs the next jobs alone, twice as many as the last time in a row.
func (t *team) late() {
	t.backoff = min(max(1, 2*t.backoff), maxSolo)
	t.solo = t.backoff
}

// wakeMembers wakes members 1…n if they are parked.
func (t *team) wakeMembers(n int) {
	for i := range n {
		t.members[i].parked.wake()
	}
}

// done counts a chunk done and wakes the caller after the last.
func (t *team) done() {
	if t.left.Add(-1) == 0 {
		t.caller.wake()
	}
}

// claimAndRun runs chunks of the current job while some are unclaimed:
// chunk id first, if the job has one and it is still free. It reports
// whether it ran another goroutine's chunk.
func (t *team) claimAndRun(id int) (other bool) {
	for {
		s := t.state.Load()
		c := unclaimed(s, id)
		if c < 0 || c != id && t.busy(c) {
			return other // none left, or left to the goroutine at its after
		}
		other = other || c != id
		if !t.state.CompareAndSwap(s, s|1<<c) {
			continue
		}
		// A member's chunk counts done before after(c), which then
		// overlaps the caller's own work: the caller's chunks, after.
		t.work(c)
		if id == 0 {
			t.after(c)
			t.done()
		} else {
			t.done()
			t.after(c)
		}
	}
}

// unclaimed returns chunk id if the job described by state s has it and nobody
// has claimed it, else its first unclaimed chunk, else −1.
func unclaimed(s uint64, id int) int {
	chunks := int(s >> 32 & 0xff)
	claimed := uint32(s)
	if id < chunks && claimed&(1<<id) == 0 {
		return id
	}
	for c := range chunks {
		if claimed&(1<<c) == 0 {
			return c
		}
	}
	return -1
}

// member is goroutine id's life: wait for a job, take part, again.
func (t *team) member(id int) {
	defer t.exited.Done()
	p := &t.members[id-1].parked
	var seen uint64 // the last job taken part in
	for {
		if a := t.side.Load(); a != nil && a.Pending() {
			t.members[id-1].aside.Store(true)
			for t.state.Load()>>40 == seen && a.Piece() {
			}
			t.members[id-1].aside.Store(false)
		}
		if ok, _ := t.wait(p, func() bool { return t.state.Load()>>40 != seen }); !ok {
			return
		}
		seen = t.state.Load() >> 40
		t.claimAndRun(id)
	}
}

// wait returns once cond holds (ok) or the team is closed (not ok), and
// whether it parked. It spins for spinFor, then parks on p until woken;
// whoever makes cond true wakes p after.
func (t *team) wait(p *parker, cond func() bool) (ok, parked bool) {
	var start time.Time
	for i := 1; !cond(); i++ {
		if i%64 != 0 {
			continue
		}
		if t.closing.Load() {
			return false, parked
		}
		if start.IsZero() {
			start = time.Now()
			continue
		}
		if time.Since(start) < spinFor {
			continue
		}
		parked = true
		if !p.park(cond, t.quit) {
			return false, parked
		}
		start = time.Time{}
	}
	return true, parked
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

// park returns true when cond holds or after a wake-up (which may be stale:
// the caller checks cond again), false if quit was closed first.
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

// wake wakes the goroutine if it is parked (or about to park).
func (p *parker) wake() {
	if !p.sleeping.Load() {
		return
	}
	select {
	case p.ch <- struct{}{}:
	default:
	}
}
