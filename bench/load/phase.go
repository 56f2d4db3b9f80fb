package main

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// phase is one kind of load: conns connections, each sending its requests
// (in turn) back to back for the duration.
type phase struct {
	name     string
	addr     string
	conns    int
	duration time.Duration
	timeout  time.Duration
	requests [][]byte
	x        [][]float32 // each request's rows, for verify
	rows     int         // rows a request
	server   int         // the server's process id (0: not known)
}

// outcome is what a phase measured.
type outcome struct {
	requests int
	elapsed  time.Duration
	p50, p99 time.Duration
	rps      float64 // requests a second
	rowsps   float64 // rows a second
	// CPU time used during the phase, in cores (CPU seconds a second): by
	// this program and by the server (-1: not known).
	clientCPU, serverCPU float64
}

// worker is one connection's share of a phase.
type worker struct {
	lat     []time.Duration
	bad     int    // non-200 answers
	badCode int    // the first one's status
	badBody string // and its body
	err     error  // a broken connection
}

// run runs the phase. Any non-200 answer or broken connection is an error:
// the figures of a run that did not get its answers mean nothing.
func (p *phase) run() (outcome, error) {
	conns := make([]*conn, p.conns)
	for i := range conns {
		c, err := dial(p.addr, p.timeout)
		if err != nil {
			return outcome{}, fmt.Errorf("%s: connecting to %s: %v", p.name, p.addr, err)
		}
		defer c.Close()
		conns[i] = c
	}
	ws := make([]worker, p.conns)
	var wg sync.WaitGroup
	client0, server0 := cpuTicks(os.Getpid()), cpuTicks(p.server)
	start := time.Now()
	end := start.Add(p.duration)
	for i := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws[i].loop(conns[i], p.requests, i, end)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	client1, server1 := cpuTicks(os.Getpid()), cpuTicks(p.server)
	var lat []time.Duration
	for _, w := range ws {
		switch {
		case w.err != nil:
			return outcome{}, fmt.Errorf("%s: %v", p.name, w.err)
		case w.bad > 0:
			return outcome{}, fmt.Errorf("%s: %d answers not 200 OK, the first %d: %s", p.name, w.bad, w.badCode, w.badBody)
		}
		lat = append(lat, w.lat...)
	}
	if len(lat) == 0 {
		return outcome{}, fmt.Errorf("%s: no request answered in %v", p.name, p.duration)
	}
	slices.Sort(lat)
	o := outcome{requests: len(lat), elapsed: elapsed, p50: quantile(lat, 0.50), p99: quantile(lat, 0.99)}
	o.rps = float64(o.requests) / elapsed.Seconds()
	o.rowsps = o.rps * float64(p.rows)
	o.clientCPU, o.serverCPU = cores(client0, client1, elapsed), cores(server0, server1, elapsed)
	return o, nil
}

// loop sends requests until end, at least one, starting at the i-th.
func (w *worker) loop(c *conn, reqs [][]byte, i int, end time.Time) {
	w.lat = make([]time.Duration, 0, 1<<16)
	for t := time.Now(); len(w.lat) == 0 || t.Before(end); {
		code, err := c.do(reqs[i%len(reqs)])
		now := time.Now()
		if err != nil {
			w.err = err
			return
		}
		if code != 200 {
			if w.bad == 0 {
				w.badCode, w.badBody = code, string(c.body)
			}
			w.bad++
		}
		w.lat = append(w.lat, now.Sub(t))
		t = now
		i++
	}
}

// quantile is the q-quantile of sorted latencies (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// cpuTicks is the CPU time (user and system) process pid has used, in clock
// ticks, from /proc/PID/stat; -1 when it is not known.
func cpuTicks(pid int) int64 {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The fields after the command name (which may hold anything, in
	// parentheses): state is field 3, utime 14 and stime 15.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return -1
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return u + s
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat's times: 100
// on every Linux architecture Go supports.
const clockTicks = 100

// cores is the CPU time from t0 to t1 ticks as cores over elapsed.
func cores(t0, t1 int64, elapsed time.Duration) float64 {
	if t0 < 0 || t1 < 0 {
		return -1
	}
	return float64(t1-t0) / clockTicks / elapsed.Seconds()
}
