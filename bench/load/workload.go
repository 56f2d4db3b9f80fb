package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// newModel is a model with random weights, inputs x1… and outputs y1….
func newModel(in, out int) *modelfile.File {
	rng := rand.New(rand.NewPCG(1, 2))
	mf := &modelfile.File{In: in, Out: out}
	for i := range in {
		mf.Inputs = append(mf.Inputs, "x"+strconv.Itoa(i+1))
		mf.Mean = append(mf.Mean, 0)
		mf.Scale = append(mf.Scale, 1)
	}
	for j := range out {
		mf.Outputs = append(mf.Outputs, "y"+strconv.Itoa(j+1))
		mf.B = append(mf.B, float32(rng.NormFloat64()))
	}
	for range in * out {
		mf.W = append(mf.W, float32(rng.NormFloat64()))
	}
	return mf
}

// requestsEach is how many different requests of each kind a phase cycles
// through.
const requestsEach = 16

// newLoad prepares the two phases' requests: single rows as JSON, batches
// as CSV with a header row of the input names. Each request keeps its rows
// (x) for verify.
func newLoad(c config, mf *modelfile.File, addr string, server int) (single, batch *phase) {
	rng := rand.New(rand.NewPCG(3, 4))
	single = &phase{name: "single-row JSON", addr: addr, conns: c.conns, duration: c.duration, timeout: c.timeout, rows: 1}
	batch = &phase{name: "batched CSV", addr: addr, conns: c.batchConns, duration: c.duration, timeout: c.timeout, rows: c.batch}
	single.server, batch.server = server, server
	for range requestsEach {
		x := randomRows(rng, 1, mf.In)
		single.requests = append(single.requests, request(addr, "application/json", jsonBody(x, mf.In)))
		single.x = append(single.x, x)
		x = randomRows(rng, c.batch, mf.In)
		batch.requests = append(batch.requests, request(addr, "text/csv", csvBody(x, mf.Inputs)))
		batch.x = append(batch.x, x)
	}
	return single, batch
}

// randomRows is rows×k values in [-10, 10) with 4 significant digits, as
// float32 holds them exactly enough for the comparison in verify.
func randomRows(rng *rand.Rand, rows, k int) []float32 {
	x := make([]float32, rows*k)
	for i := range x {
		x[i] = float32(math.Round(rng.Float64()*2e3-1e3) / 100)
	}
	return x
}

func jsonBody(x []float32, k int) []byte {
	b := []byte(`{"rows": [`)
	for r := 0; r < len(x)/k; r++ {
		if r > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '[')
		for i, v := range x[r*k : (r+1)*k] {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
		}
		b = append(b, ']')
	}
	return append(b, "]}"...)
}

func csvBody(x []float32, names []string) []byte {
	k := len(names)
	b := []byte(strings.Join(names, ",") + "\n")
	for r := 0; r < len(x)/k; r++ {
		for i, v := range x[r*k : (r+1)*k] {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
		}
		b = append(b, '\n')
	}
	return b
}

// verify sends each of the phase's requests once and compares the answers
// with the model's predictions, so that a server answering 200 with the
// wrong numbers is not measured.
func verify(p *phase, mf *modelfile.File) error {
	c, err := dial(p.addr, p.timeout)
	if err != nil {
		return fmt.Errorf("%s: connecting to %s: %v", p.name, p.addr, err)
	}
	defer c.Close()
	for n, req := range p.requests {
		code, err := c.do(req)
		if err != nil {
			return fmt.Errorf("%s: %v", p.name, err)
		}
		if code != 200 {
			return fmt.Errorf("%s: %d: %s", p.name, code, c.body)
		}
		if err := compare(c.body, mf, p.x[n]); err != nil {
			return fmt.Errorf("%s, request %d: %v", p.name, n+1, err)
		}
	}
	return nil
}

// compare checks an answer {"y1": [...], ...} against mf's predictions for
// the rows x.
func compare(body []byte, mf *modelfile.File, x []float32) error {
	var got map[string][]float64
	if err := json.Unmarshal(body, &got); err != nil {
		return fmt.Errorf("answer %.200q: %v", body, err)
	}
	rows := len(x) / mf.In
	want := make([]float32, rows*mf.Out)
	if err := mf.Predict(want, x[:rows*mf.In]); err != nil {
		return err
	}
	if len(got) != mf.Out {
		return fmt.Errorf("answer has %d outputs, want %d (%s)", len(got), mf.Out, strings.Join(mf.Outputs, ", "))
	}
	for j, name := range mf.Outputs {
		if len(got[name]) != rows {
			return fmt.Errorf("answer has %d values of %q, want %d", len(got[name]), name, rows)
		}
		for i, v := range got[name] {
			if w := float64(want[i*mf.Out+j]); math.Abs(v-w) > 1e-4*(1+math.Abs(w)) {
				return fmt.Errorf("row %d: %s = %v, the model says %v", i+1, name, v, w)
			}
		}
	}
	return nil
}

// The targets of issue 16 on a 2-core machine.
const (
	targetRPS    = 20000
	targetP99    = 5 * time.Millisecond
	targetRowsPS = 5e6
)

// report writes every run's figures, their medians and the targets.
func report(w io.Writer, c config, mf *modelfile.File, rs []result, load string) {
	fmt.Fprintf(w, "Machine: %s; %s\nCommand: %s\n", machine(), load, c.command)
	fmt.Fprintf(w, "Model: %d inputs → %d outputs; %d runs of two %v phases; client and server on this machine's cores\n\n", mf.In, mf.Out, len(rs), c.duration)
	fmt.Fprintf(w, "    %-44s", "")
	for i := range rs {
		fmt.Fprintf(w, " %10s", "run "+strconv.Itoa(i+1))
	}
	fmt.Fprintf(w, " %10s  %s\n", "median", "target")
	// row writes one figure of every run and the median, against the target
	// when ok is not nil.
	row := func(label, format string, f func(result) float64, target string, ok func(float64) bool) {
		fmt.Fprintf(w, "    %-44s", label)
		var v []float64
		for _, r := range rs {
			v = append(v, f(r))
			fmt.Fprintf(w, " %10s", fmt.Sprintf(format, f(r)))
		}
		m := median(v)
		fmt.Fprintf(w, " %10s", fmt.Sprintf(format, m))
		switch {
		case ok == nil:
		case ok(m):
			fmt.Fprintf(w, "  %s: met", target)
		default:
			fmt.Fprintf(w, "  %s: missed", target)
		}
		fmt.Fprintln(w)
	}
	ms := func(d time.Duration) float64 { return d.Seconds() * 1e3 }
	row(fmt.Sprintf("single-row JSON, %d conns: requests/s", c.conns), "%.0f",
		func(r result) float64 { return r.single.rps }, "≥ 20,000", func(v float64) bool { return v >= targetRPS })
	row("  latency p50, ms", "%.3f", func(r result) float64 { return ms(r.single.p50) }, "", nil)
	row("  latency p99, ms", "%.3f", func(r result) float64 { return ms(r.single.p99) },
		"≤ 5", func(v float64) bool { return v <= ms(targetP99) })
	row(fmt.Sprintf("batched CSV, %d rows, %d conns: rows/s", c.batch, c.batchConns), "%.3g",
		func(r result) float64 { return r.batch.rowsps }, "≥ 5e+06", func(v float64) bool { return v >= targetRowsPS })
	row("  requests/s", "%.1f", func(r result) float64 { return r.batch.rps }, "", nil)
	row("  latency p50, ms", "%.2f", func(r result) float64 { return ms(r.batch.p50) }, "", nil)
	fmt.Fprintln(w, "    CPU used (cores: CPU seconds a second; -1: not known):")
	row("  single-row phase: this client", "%.2f", func(r result) float64 { return r.single.clientCPU }, "", nil)
	row("  single-row phase: the server", "%.2f", func(r result) float64 { return r.single.serverCPU }, "", nil)
	row("  batched phase: this client", "%.2f", func(r result) float64 { return r.batch.clientCPU }, "", nil)
	row("  batched phase: the server", "%.2f", func(r result) float64 { return r.batch.serverCPU }, "", nil)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
