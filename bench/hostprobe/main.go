// Command hostprobe shows, second by second, how many cores' worth of work
// the machine gives several threads at once, against one thread alone:
//
//	cd bench && go run ./hostprobe                 # 2 threads, 60 s
//	cd bench && go run ./hostprobe -threads 4 -duration 5m
//
// A shared cloud machine's host may run its virtual CPUs on fewer cores, or
// beside a neighbour's work, for seconds at a time, with no steal time shown
// to the guest. A benchmark of several workers then measures the host, not
// the code: run this before and after one to see whether the machine was
// giving its cores.
//
// Each sample times two loads, first on one thread and then on -threads
// threads at once (each locked to its own), and prints the ratio of their
// throughputs: about -threads while every thread has a core of its own,
// down to 1 when they share one. The loads are the two a training epoch
// leans on: independent fused multiply-adds (the active kernels' PeakFMA
// loop) and reads of random 256-byte rows from a 32 MiB buffer (as a
// shuffled batch is gathered). Then it times a cache line passed back and
// forth between two threads: tens of ns when their cores share a cache,
// hundreds when the host has put them far apart (another chiplet), which
// slows a team of workers that hands its model and gradients over every
// step even though each core runs at full speed. The summary gives the
// medians, the hand-over's range and the share of samples with a ratio
// under threads−0.5.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("hostprobe: ")
	threads := flag.Int("threads", 2, "threads at once, `n` ≥ 2")
	duration := flag.Duration("duration", time.Minute, "how long to sample")
	every := flag.Duration("every", 500*time.Millisecond, "pause between samples")
	flag.Parse()
	if runtime.NumCPU() < 2 {
		log.Fatal("this machine has one CPU: nothing to compare")
	}
	if *threads < 2 || *threads > 64 || *duration <= 0 || *every < 0 {
		fmt.Fprintln(os.Stderr, "hostprobe: want -threads from 2 to 64, -duration > 0 and -every ≥ 0")
		os.Exit(2)
	}
	p := newProbe(*threads, fullSize)
	var samples []sample
	fmt.Printf("%-8s  %8s  %8s  %13s  (fma, rows: %d threads' throughput / one thread's)\n", "time", "fma", "rows", "hand-over ns", *threads)
	for end := time.Now().Add(*duration); time.Now().Before(end); time.Sleep(*every) {
		s := p.sample()
		samples = append(samples, s)
		fmt.Printf("%-8s  %8.2f  %8.2f  %13.0f\n", time.Now().Format("15:04:05"), s.fma, s.rows, s.handover)
	}
	fmt.Print(summary(samples, *threads))
}
