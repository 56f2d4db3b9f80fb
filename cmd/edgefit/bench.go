package main

import (
	"fmt"
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

// rate returns fn's calls per second: the best of many runs of about a
// millisecond each over a total of about d. On a shared machine a run that
// was preempted is slow; the fastest run is the one that had the core, so the
// kernel and the peak it is compared with are both measured unloaded.
func rate(d time.Duration, fn func(reps int)) float64 {
	reps := 1
	for {
		start := time.Now()
		fn(reps)
		if time.Since(start) >= time.Millisecond || reps >= 1<<30 {
			break
		}
		reps *= 2
	}
	best := 0.0
	for start := time.Now(); time.Since(start) < d; {
		t := time.Now()
		fn(reps)
		best = max(best, float64(reps)/time.Since(t).Seconds())
	}
	return best
}

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

	X := fill(benchM*benchK, 1)
	W := fill(benchN*benchK, 2)
	b := fill(benchN, 3)
	Y := make([]float32, benchM*benchN)
	R := fill(benchM*benchN, 4)
	G := make([]float32, benchN*benchK)
	g := make([]float32, benchN)
	u, v, r := fill(benchLen, 5), fill(benchLen, 6), make([]float32, benchLen)
	var sink float32
	for _, im := range edgefit.Implementations() {
		mark := ""
		if im == edgefit.Active() {
			mark = "*"
		}
		flops := rate(*per, func(n int) { im.PeakFMA(n * 64) }) * 64 * edgefit.PeakFMAFlopsPerIter
		loadBytes := rate(*per, func(n int) {
			for i := 0; i < n; i++ {
				sink += im.PeakLoad(u, v)
			}
		}) * 8 * benchLen
		row := func(kernel, size string, speed, peak float64, unit string) {
			share := ""
			if peak > 0 {
				share = fmt.Sprintf("%5.1f%% of the %s peak", 100*speed/peak, map[string]string{"GFLOP/s": "FMA", "GB/s": "load"}[unit])
			}
			fmt.Fprintf(w, "%-3s %-8s %-11s %-14s %8.2f %-7s %s\n", mark, im.Name(), kernel, size, speed/1e9, unit, share)
		}
		row("peak FMA", "", flops, 0, "GFLOP/s")
		row("peak load", "2×128 KiB", loadBytes, 0, "GB/s")
		mnk := fmt.Sprintf("%d×%d×%d", benchM, benchN, benchK)
		mmFlops := float64(2 * benchM * benchN * benchK)
		row("MatMulBias", mnk, mmFlops*rate(*per, func(n int) {
			for i := 0; i < n; i++ {
				im.MatMulBias(benchM, benchN, benchK, X, benchK, W, benchK, b, Y, benchN)
			}
		}), flops, "GFLOP/s")
		row("GradW", mnk, mmFlops*rate(*per, func(n int) {
			for i := 0; i < n; i++ {
				im.GradW(benchM, benchN, benchK, 0.5, R, benchN, X, benchK, 0, G, benchK)
			}
		}), flops, "GFLOP/s")
		vec := "2×128 KiB"
		// Memory-bound kernels: bytes read per second (SqErr and Axpy
		// also write a vector, not counted), against the rate at which
		// the same vectors can only be read.
		row("SqErr", vec+" →R", 8*benchLen*rate(*per, func(n int) {
			for i := 0; i < n; i++ {
				sink += im.SqErr(r, u, v)
			}
		}), loadBytes, "GB/s")
		row("SqErrSum", vec, 8*benchLen*rate(*per, func(n int) {
			for i := 0; i < n; i++ {
				sink += im.SqErrSum(u, v)
			}
		}), loadBytes, "GB/s")
		row("Dot", vec, 8*benchLen*rate(*per, func(n int) {
			for i := 0; i < n; i++ {
				sink += im.Dot(u, v)
			}
		}), loadBytes, "GB/s")
		row("Axpy", vec+" →y", 8*benchLen*rate(*per, func(n int) {
			for i := 0; i < n; i++ {
				im.Axpy(1e-9, u, r)
			}
		}), loadBytes, "GB/s")
		cm := benchLen / benchN
		row("ColSums", fmt.Sprintf("%d×%d", cm, benchN), 4*benchLen*rate(*per, func(n int) {
			for i := 0; i < n; i++ {
				im.ColSums(cm, benchN, 1, u, benchN, 0, g)
			}
		}), loadBytes, "GB/s")
	}
	fmt.Fprintln(w, "\n* active. Speeds in units of 10⁹ per second; peaks measured in this run by the same implementation's")
	fmt.Fprintln(w, "calibration loops (an FMA counts as 2 flops). Memory-bound kernels count the bytes they read; →R and →y")
	fmt.Fprintln(w, "also write a vector. go test -bench in the root package has the full benchmarks.")
	benchSink = sink
	return nil
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
