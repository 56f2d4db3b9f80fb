// Command load measures `edgefit serve` under a bounded load on loopback:
//
//	cd bench && go run ./load                      # builds and starts edgefit serve
//	cd bench && go run ./load -url http://127.0.0.1:8080 -model FILE
//
// Without -url it writes a model (-inputs → -outputs, named x1… and y1…),
// builds the command from this repository (or takes -edgefit), starts
// `edgefit serve` on 127.0.0.1 with a port the system chooses, and stops it
// with SIGTERM at the end. With -url it loads the server there, which must
// serve -model. Each run has two phases, each -duration long:
//
//   - single-row JSON requests ({"rows": [[x1, …, xk]]}, POST /predict,
//     Content-Type application/json) back to back on -conns keep-alive
//     connections: requests a second and the latencies' median and 99th
//     percentile;
//   - batched CSV requests (Content-Type text/csv, a header row of the input
//     names, -batch rows) on -batch-conns connections: rows a second.
//
// Before the runs one request of each kind is checked against the model's
// own predictions. Any answer other than 200 OK, or a broken connection,
// fails the run. The report gives every run and the medians over -runs,
// beside the targets of issue 16. The client shares the machine with the
// server: its work counts against the figures.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/edgefit/edgefit/regress/modelfile"
)

type config struct {
	url, model, edgefit string
	inputs, outputs     int
	conns, batchConns   int
	batch, runs         int
	duration, timeout   time.Duration
	command             string
}

func main() {
	var c config
	flag.StringVar(&c.url, "url", "", "load the server at this `URL` (http://host:port) instead of starting one; needs -model")
	flag.StringVar(&c.model, "model", "", "the model `file` the server serves (default: one written for the run)")
	flag.StringVar(&c.edgefit, "edgefit", "", "the edgefit `binary` to start (default: built from this repository)")
	flag.IntVar(&c.inputs, "inputs", 3, "inputs of the model written for the run")
	flag.IntVar(&c.outputs, "outputs", 2, "outputs of the model written for the run")
	flag.IntVar(&c.conns, "conns", 8, "keep-alive connections sending single-row requests")
	flag.IntVar(&c.batchConns, "batch-conns", 4, "keep-alive connections sending batched CSV requests")
	flag.IntVar(&c.batch, "batch", 10000, "rows in a batched CSV request")
	flag.IntVar(&c.runs, "runs", 3, "runs (the report gives each and their median)")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "length of each phase of a run")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Second, "the longest a request may take (a failure beyond)")
	flag.Parse()
	c.command = strings.TrimSpace("cd bench && go run ./load " + strings.Join(os.Args[1:], " "))
	log.SetFlags(0)
	log.SetPrefix("load: ")
	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	if err := run(c, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// check refuses settings that would make the load unbounded or meaningless.
func (c *config) check() error {
	switch {
	case c.url != "" && c.model == "":
		return fmt.Errorf("-url needs -model, the file the server serves")
	case c.duration <= 0 || c.duration > time.Minute:
		return fmt.Errorf("-duration %v: want more than 0 and at most 1m", c.duration)
	case c.conns < 1 || c.conns > 256 || c.batchConns < 1 || c.batchConns > 256:
		return fmt.Errorf("-conns %d, -batch-conns %d: want 1 to 256", c.conns, c.batchConns)
	case c.runs < 1 || c.runs > 10:
		return fmt.Errorf("-runs %d: want 1 to 10", c.runs)
	case c.batch < 1 || c.batch > 100000:
		return fmt.Errorf("-batch %d: want 1 to 100000 rows", c.batch)
	case c.inputs < 1 || c.inputs > 1000 || c.outputs < 1 || c.outputs > 1000:
		return fmt.Errorf("-inputs %d, -outputs %d: want 1 to 1000", c.inputs, c.outputs)
	case c.timeout <= 0:
		return fmt.Errorf("-timeout %v: want more than 0", c.timeout)
	}
	return nil
}

// run measures and writes the report to w.
func run(c config, w io.Writer) (err error) {
	if err := c.check(); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "edgefit-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	mf, err := model(&c, tmp)
	if err != nil {
		return err
	}
	addr, pid := "", 0
	if c.url != "" {
		u, err := url.Parse(c.url)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return fmt.Errorf("-url %q: want http://host:port", c.url)
		}
		addr = u.Host
	} else {
		bin := c.edgefit
		if bin == "" {
			if bin, err = buildEdgefit(tmp); err != nil {
				return err
			}
		}
		srv, err := startServer(bin, c.model, 30*time.Second)
		if err != nil {
			return err
		}
		defer func() {
			if serr := srv.stop(30 * time.Second); err == nil {
				err = serr
			}
		}()
		addr, pid = srv.addr, srv.cmd.Process.Pid
	}
	single, batch := newLoad(c, mf, addr, pid)
	for _, p := range []*phase{single, batch} {
		if err := verify(p, mf); err != nil {
			return err
		}
	}
	var rs []result
	before := loadavg()
	for range c.runs {
		var r result
		if r.single, err = single.run(); err != nil {
			return err
		}
		if r.batch, err = batch.run(); err != nil {
			return err
		}
		rs = append(rs, r)
	}
	report(w, c, mf, rs, "load average (1, 5, 15 min) "+before+" before the runs, "+loadavg()+" after")
	return nil
}

// model loads -model, or writes a model for the run into dir (and sets
// c.model to it).
func model(c *config, dir string) (*modelfile.File, error) {
	if c.model != "" {
		return modelfile.Load(c.model)
	}
	mf := newModel(c.inputs, c.outputs)
	path := dir + "/model.safetensors"
	if err := modelfile.Save(path, mf); err != nil {
		return nil, err
	}
	c.model = path
	return mf, nil
}

// result is one run's figures.
type result struct{ single, batch outcome }

// loadavg is the system's load averages (from /proc/loadavg): other work
// on the machine while the figures were taken.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// machine names the CPU (from /proc/cpuinfo) and the Go runtime.
func machine() string {
	cpu := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d logical CPUs, %s %s/%s", cpu, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
