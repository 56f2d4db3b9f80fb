package main

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/edgefit/edgefit"
)

// size is how much work one thread does per load in a sample.
type size struct {
	fmaIters int // PeakFMA iterations
	rows     int // rows read
	bufRows  int // rows of the buffer read from
	passes   int // hand-overs timed
}

// fullSize takes about 30 ms per load per thread.
var fullSize = size{fmaIters: 200_000, rows: 200_000, bufRows: 1 << 17, passes: 20_000}

// rowLen is a row's float32s: 256 bytes, 64 inputs as BenchmarkEpoch/medium.
const rowLen = 64

// probe times the loads of a sample.
type probe struct {
	threads int
	size    size
	buf     []float32
	im      *edgefit.Impl
}

// sample is two throughput ratios, threads at once against one, and the
// time a cache line takes from one thread to another.
type sample struct{ fma, rows, handover float64 }

func newProbe(threads int, sz size) *probe {
	buf := make([]float32, sz.bufRows*rowLen)
	for i := range buf {
		buf[i] = float32(i % 7)
	}
	return &probe{threads: threads, size: sz, buf: buf, im: edgefit.Active()}
}

func (p *probe) sample() sample {
	return sample{
		fma:      p.ratio(func(int) { p.im.PeakFMA(p.size.fmaIters) }),
		rows:     p.ratio(p.readRows),
		handover: handover(p.size.passes),
	}
}

// ratio is the throughput of load on p.threads threads at once over its
// throughput on one: each thread does the same work, so it is the ratio of
// the times, scaled by the threads.
func (p *probe) ratio(load func(thread int)) float64 {
	one := p.timeOn(1, load)
	all := p.timeOn(p.threads, load)
	return float64(p.threads) * one.Seconds() / all.Seconds()
}

// timeOn runs load on n threads at once, each locked to its own, and
// returns the time until the last is done.
func (p *probe) timeOn(n int, load func(thread int)) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for t := range n {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			load(t)
		})
	}
	wg.Wait()
	return time.Since(start)
}

// sink keeps readRows' sums from being optimised away.
var sink [64]float32

// readRows sums p.size.rows rows of p.buf drawn at random (xorshift, seeded
// by the thread), each thread a different sequence.
func (p *probe) readRows(thread int) {
	x := uint64(thread)*0x9e3779b97f4a7c15 + 1
	var s float32
	for range p.size.rows {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		r := int(x%uint64(p.size.bufRows)) * rowLen
		for _, v := range p.buf[r : r+rowLen] {
			s += v
		}
	}
	sink[thread%len(sink)] = s
}

// summary is the medians of the samples' ratios and hand-over times, the
// range of the latter, and how many samples had a ratio under threads − 0.5,
// the host giving fewer cores than threads.
func summary(ss []sample, threads int) string {
	if len(ss) == 0 {
		return "no samples\n"
	}
	var fma, rows, ho []float64
	slowed := 0
	for _, s := range ss {
		fma, rows, ho = append(fma, s.fma), append(rows, s.rows), append(ho, s.handover)
		if min(s.fma, s.rows) < float64(threads)-0.5 {
			slowed++
		}
	}
	return fmt.Sprintf("%d samples: median fma %.2f, rows %.2f, hand-over %.0f ns (%.0f–%.0f); %d (%.0f %%) with a ratio under %.1f\n",
		len(ss), median(fma), median(rows), median(ho), slices.Min(ho), slices.Max(ho),
		slowed, 100*float64(slowed)/float64(len(ss)), float64(threads)-0.5)
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
