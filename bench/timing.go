package main

import (
	"slices"
	"time"
)

// A contender is one way of doing the work a case measures: it runs the work
// iters times over the case's data. Every contender of a case computes the
// same answer into buffers it owns, so the harness (and its tests) can check
// the very code it times.
type contender struct {
	name string
	run  func(iters int)
}

// timing is what was measured for one contender of one case.
type timing struct {
	name   string
	perOp  time.Duration   // median over the repetitions of the time per call
	reps   []time.Duration // time per call in each repetition, in order
	iters  int             // calls per repetition
	spread float64         // (slowest − fastest) / median over the repetitions
}

// timer decides how long each case runs.
type timer struct {
	budget time.Duration // per contender and case, over all repetitions
	reps   int           // repetitions when every call is short against the budget
	// now reads the clock every time is measured with; nil means cpuNow.
	// The tests give it a clock the contenders advance.
	now func() time.Duration
}

func (tm timer) clock() func() time.Duration {
	if tm.now != nil {
		return tm.now
	}
	return cpuNow
}

// calibrationTarget is how long the calibration loop runs a contender before
// it extrapolates the number of calls per repetition.
const calibrationTarget = 2 * time.Millisecond

// measure times every contender on the same data, one repetition of each in
// turn (contender A, B, C, then A, B, C again, ...) so that a slow phase of a
// shared, noisy machine hits all of them alike rather than one of them, and
// reports the median time per call for each.
//
// The number of calls per repetition is chosen per contender so that each
// repetition lasts about budget/reps; a contender whose single call already
// exceeds that runs once per repetition, with at least 3 repetitions.
func (tm timer) measure(cs []contender) []timing {
	now := tm.clock()
	out := make([]timing, len(cs))
	reps := tm.reps
	repTarget := tm.budget / time.Duration(tm.reps)
	for i, c := range cs {
		per := calibrate(c, now)
		n := 1
		if per > 0 && per < repTarget {
			n = int(repTarget / per)
		}
		out[i] = timing{name: c.name, iters: n}
		if n == 1 && per*time.Duration(reps) > tm.budget {
			// Long calls: fewer repetitions, but never fewer than 3, so the
			// median still discards one outlier on each side.
			reps = min(reps, max(3, int(tm.budget/per)))
		}
	}
	for r := 0; r < reps; r++ {
		for i, c := range cs {
			t0 := now()
			c.run(out[i].iters)
			out[i].reps = append(out[i].reps, (now()-t0)/time.Duration(out[i].iters))
		}
	}
	for i := range out {
		out[i].perOp, out[i].spread = summarize(out[i].reps)
	}
	return out
}

// calibrate runs c with doubling call counts until a batch takes at least
// calibrationTarget (or a single call takes longer) and returns the time per
// call of the last batch. The first call also warms caches and pages in the
// buffers, so the repetitions that follow do not pay for it.
func calibrate(c contender, now func() time.Duration) time.Duration {
	for n := 1; ; n *= 2 {
		t0 := now()
		c.run(n)
		d := now() - t0
		if d >= calibrationTarget {
			return d / time.Duration(n)
		}
	}
}

// summarize returns the median of ds and the relative spread (max−min)/median.
func summarize(ds []time.Duration) (median time.Duration, spread float64) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		median = s[len(s)/2]
	} else {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	if median > 0 {
		spread = float64(s[len(s)-1]-s[0]) / float64(median)
	}
	return median, spread
}
