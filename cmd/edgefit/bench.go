package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/edgefit/edgefit"
)

// The kernel table: each kernel of each implementation timed on typical
// sizes, beside the machine's ceilings measured in the same run by the same
// implementation's calibration loops (PeakFMA for compute, PeakLoad for
// memory), so that the share of peak is a ratio of two figures taken side by
// side, not of a kernel against a datasheet.

const (
	benchM, benchN, benchK = 1024, 8, 64 // a batch of 1024 rows, 64 inputs, 8 outputs
	benchLen               = 32768       // vectors of 128 KiB: L2-resident, as in training
)

// rates returns the calls per second of each of fns: the best of many runs of
// about a millisecond each, taken in rounds, each round running fns[order[0]],
// fns[order[1]], … once each, for about d per function in all. On a shared
// machine a run that was preempted or clocked down is slow; the fastest run
// is the one that had the core at full speed, and the rounds give every
// function the same quiet moments. A function may be in order more than once:
// the ceilings are, beside each kernel compared with them, so that their
// best is the closer to the machine's.
func rates(d time.Duration, fns []func(), order []int) []float64 {
	reps := make([]int, len(fns))
	for i, fn := range fns {
		for reps[i] = 1; ; reps[i] *= 2 {
			start := time.Now()
			for range reps[i] {
				fn()
			}
			if time.Since(start) >= time.Millisecond || reps[i] >= 1<<30 {
				break
			}
		}
	}
	best := make([]float64, len(fns))
	total := d * time.Duration(len(fns))
	for start, first := time.Now(), true; first || time.Since(start) < total; first = false {
		for _, i := range order {
			t := time.Now()
			for range reps[i] {
				fns[i]()
			}
			best[i] = max(best[i], float64(reps[i])/time.Since(t).Seconds())
		}
	}
	return best
}

// benchRow is one line of the table: a call doing work (flops or bytes read)
// compared with the ceiling of its unit.
type benchRow struct {
	kernel, size, unit string
	work               float64
	call               func()
}

// The ceilings' rows, and the ceiling of each unit with its short name.
const peakFMA, peakLoad = "peak FMA", "peak load"

var (
	peakOf   = map[string]string{"GFLOP/s": peakFMA, "GB/s": peakLoad}
	peakName = map[string]string{"GFLOP/s": "FMA peak", "GB/s": "load peak"}
)

func cmdBench(e *env, args []string) error {
	fs := newFlags(e, "bench", "[-time D]")
	per := fs.Duration("time", 100*time.Millisecond, "time spent on each measurement")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	if *per <= 0 || *per > 10*time.Second {
		return fmt.Errorf("-time %v: want a duration in (0, 10s]", *per)
	}
	w := e.stdout
	fmt.Fprintf(w, "active kernels: %s (%s)\n\n", edgefit.Active().Name(), edgefit.Selection())
	fmt.Fprintf(w, "%-3s %-8s %-11s %-14s %14s  %s\n", "", "impl", "kernel", "size", "speed", "share of peak")
	for _, im := range edgefit.Implementations() {
		mark := ""
		if im == edgefit.Active() {
			mark = "*"
		}
		rows := benchRows(im)
		fns := make([]func(), len(rows))
		ceiling := map[string]int{}
		for i, r := range rows {
			fns[i] = r.call
			if r.kernel == peakOf[r.unit] {
				ceiling[r.unit] = i
			}
		}
		var order []int
		for i, r := range rows {
			if r.kernel != peakOf[r.unit] {
				order = append(order, ceiling[r.unit], i)
			}
		}
		speed := rates(*per, fns, order)
		peak := map[string]float64{}
		for i, r := range rows {
			speed[i] *= r.work
			if r.kernel == peakFMA || r.kernel == peakLoad {
				peak[r.kernel] = speed[i]
			}
		}
		// The check the ceilings exist for: the fastest kernel of each
		// unit against its ceiling, which it should not pass.
		fastest := map[string]int{}
		for i, r := range rows {
			share := ""
			if p := peak[peakOf[r.unit]]; r.kernel != peakOf[r.unit] && p > 0 {
				share = fmt.Sprintf("%5.1f%% of the %s", 100*speed[i]/p, peakName[r.unit])
				if f, ok := fastest[r.unit]; !ok || speed[i] > speed[f] {
					fastest[r.unit] = i
				}
			}
			fmt.Fprintf(w, "%-3s %-8s %-11s %-14s %8.2f %-7s %s\n", mark, im.Name(), r.kernel, r.size, speed[i]/1e9, r.unit, share)
		}
		var parts []string
		for _, unit := range []string{"GFLOP/s", "GB/s"} {
			if f, ok := fastest[unit]; ok {
				ratio := 100 * speed[f] / peak[peakOf[unit]]
				verdict := "under"
				if ratio > 100 {
					verdict = "ABOVE"
				}
				parts = append(parts, fmt.Sprintf("%s %.1f%% (%s the %s)", rows[f].kernel, ratio, verdict, peakName[unit]))
			}
		}
		fmt.Fprintf(w, "%-3s %-8s fastest: %s\n", mark, im.Name(), strings.Join(parts, ", "))
	}
	fmt.Fprintln(w, "\n* active. Speeds in units of 10⁹ per second; peaks measured in this run by the same implementation's")
	fmt.Fprintln(w, "calibration loops (an FMA counts as 2 flops), in turn with the kernels. Memory-bound kernels count the")
	fmt.Fprintln(w, "bytes they read; →R and →y also write a vector. A kernel above its peak means a ceiling loop to fix.")
	fmt.Fprintln(w, "go test -bench in the root package has the full benchmarks.")
	return nil
}

// benchRows lists im's ceilings and kernels on the table's sizes.
func benchRows(im *edgefit.Impl) []benchRow {
	X := fill(benchM*benchK, 1)
	W := fill(benchN*benchK, 2)
	b := fill(benchN, 3)
	Y := make([]float32, benchM*benchN)
	R := fill(benchM*benchN, 4)
	G := make([]float32, benchN*benchK)
	g := make([]float32, benchN)
	u, v, r := fill(benchLen, 5), fill(benchLen, 6), make([]float32, benchLen)
	const peakIters = 64
	mnk := fmt.Sprintf("%d×%d×%d", benchM, benchN, benchK)
	mmFlops := float64(2 * benchM * benchN * benchK)
	// Memory-bound kernels: bytes read (SqErr and Axpy also write a
	// vector, not counted), against the rate at which the same vectors
	// can only be read.
	vec, vecBytes := "2×128 KiB", float64(8*benchLen)
	cm := benchLen / benchN
	return []benchRow{
		{peakFMA, "", "GFLOP/s", peakIters * edgefit.PeakFMAFlopsPerIter, func() { im.PeakFMA(peakIters) }},
		{peakLoad, vec, "GB/s", vecBytes, func() { benchSink += im.PeakLoad(u, v) }},
		{"MatMulBias", mnk, "GFLOP/s", mmFlops, func() { im.MatMulBias(benchM, benchN, benchK, X, benchK, W, benchK, b, Y, benchN) }},
		{"GradW", mnk, "GFLOP/s", mmFlops, func() { im.GradW(benchM, benchN, benchK, 0.5, R, benchN, X, benchK, 0, G, benchK) }},
		{"SqErr", vec + " →R", "GB/s", vecBytes, func() { benchSink += im.SqErr(r, u, v) }},
		{"SqErrSum", vec, "GB/s", vecBytes, func() { benchSink += im.SqErrSum(u, v) }},
		{"Dot", vec, "GB/s", vecBytes, func() { benchSink += im.Dot(u, v) }},
		{"Axpy", vec + " →y", "GB/s", vecBytes, func() { im.Axpy(1e-9, u, r) }},
		{"ColSums", fmt.Sprintf("%d×%d", cm, benchN), "GB/s", vecBytes / 2, func() { im.ColSums(cm, benchN, 1, u, benchN, 0, g) }},
	}
}

// benchSink keeps the compiler from discarding the benchmarked work.
//
//lint:ignore U1000 written only, on purpose
var benchSink float32

func fill(n int, seed uint32) []float32 {
	v := make([]float32, n)
	s := seed*2654435761 + 1
	for i := range v {
		s = s*1664525 + 1013904223
		v[i] = float32(s>>8)/float32(1<<24) - 0.5
	}
	return v
}
