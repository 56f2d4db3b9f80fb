package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// stub answers POST /predict as edgefit serve does (JSON rows or CSV with a
// header in, {"<output>": [...]} out), with mf's predictions; bad, when not
// nil, turns a request into a failure or a wrong answer.
type stub struct {
	mf        *modelfile.File
	json, csv atomic.Int64 // requests answered
	bad       func(n int64, w http.ResponseWriter) bool
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/predict" || r.Method != http.MethodPost {
		http.Error(w, `{"error":"POST /predict"}`, http.StatusNotFound)
		return
	}
	var x []float32
	var n int64
	switch r.Header.Get("Content-Type") {
	case "application/json":
		n = s.json.Add(1)
		var body struct{ Rows [][]float32 }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, `{"error":"bad JSON"}`, http.StatusBadRequest)
			return
		}
		for _, row := range body.Rows {
			x = append(x, row...)
		}
	case "text/csv":
		n = s.csv.Add(1)
		recs, err := csv.NewReader(r.Body).ReadAll()
		if err != nil || len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(s.mf.Inputs, ",") {
			http.Error(w, `{"error":"bad CSV"}`, http.StatusBadRequest)
			return
		}
		for _, rec := range recs[1:] {
			for _, f := range rec {
				v, _ := strconv.ParseFloat(f, 32)
				x = append(x, float32(v))
			}
		}
	default:
		http.Error(w, `{"error":"Content-Type"}`, http.StatusBadRequest)
		return
	}
	if s.bad != nil && s.bad(n, w) {
		return
	}
	rows := len(x) / s.mf.In
	y := make([]float32, rows*s.mf.Out)
	s.mf.Predict(y, x[:rows*s.mf.In])
	out := map[string][]float32{}
	for j, name := range s.mf.Outputs {
		for i := range rows {
			out[name] = append(out[name], y[i*s.mf.Out+j])
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out) // large answers go out in chunks
}

// newStub starts a stub serving a model written to a temporary file.
func newStub(t *testing.T) (*stub, *httptest.Server, string) {
	mf := newModel(3, 2)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := modelfile.Save(path, mf); err != nil {
		t.Fatal(err)
	}
	s := &stub{mf: mf}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv, path
}

func stubConfig(url, model string) config {
	return config{url: url, model: model, inputs: 3, outputs: 2, conns: 3, batchConns: 2,
		batch: 500, runs: 2, duration: 100 * time.Millisecond, timeout: 5 * time.Second, command: "test"}
}

// TestAgainstStub: both phases run, every request sent is answered and
// counted once, and the report has every figure.
func TestAgainstStub(t *testing.T) {
	s, srv, path := newStub(t)
	c := stubConfig(srv.URL, path)
	mf, err := modelfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	single, batch := newLoad(c, mf, strings.TrimPrefix(srv.URL, "http://"), os.Getpid())
	for _, p := range []*phase{single, batch} {
		if err := verify(p, mf); err != nil {
			t.Fatal(err)
		}
	}
	o1, err := single.run()
	if err != nil {
		t.Fatal(err)
	}
	o2, err := batch.run()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.json.Load(), int64(requestsEach+o1.requests); got != want {
		t.Errorf("the stub answered %d JSON requests, the generator counted %d (with %d checked first)", got, want, requestsEach)
	}
	if got, want := s.csv.Load(), int64(requestsEach+o2.requests); got != want {
		t.Errorf("the stub answered %d CSV requests, the generator counted %d (with %d checked first)", got, want, requestsEach)
	}
	for _, o := range []outcome{o1, o2} {
		// The stub is in this process: it is client and server.
		if o.requests == 0 || o.p50 <= 0 || o.p99 < o.p50 || o.rps <= 0 || o.clientCPU < 0 || o.serverCPU < 0 {
			t.Errorf("outcome %+v", o)
		}
	}
	if o2.rowsps != o2.rps*float64(c.batch) {
		t.Errorf("%v rows/s from %v requests/s of %d rows", o2.rowsps, o2.rps, c.batch)
	}
	var out bytes.Buffer
	if err := run(c, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Machine: ", "single-row JSON, 3 conns: requests/s", "latency p99, ms", "batched CSV, 500 rows, 2 conns: rows/s", "run 2", "median"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report without %q:\n%s", want, out.String())
		}
	}
}

// TestNon200Fails: one answer that is not 200 fails the run, naming it; so
// does a 200 with the wrong numbers.
func TestNon200Fails(t *testing.T) {
	s, srv, path := newStub(t)
	s.bad = func(n int64, w http.ResponseWriter) bool {
		if n == requestsEach+5 {
			http.Error(w, `{"error":"shutting down"}`, http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	err := run(stubConfig(srv.URL, path), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "1 answers not 200 OK, the first 503: {\"error\":\"shutting down\"}") {
		t.Errorf("run with a 503 returned %v", err)
	}
	s.bad = func(n int64, w http.ResponseWriter) bool {
		w.Write([]byte(`{"y1":[1],"y2":[2]}`))
		return true
	}
	err = run(stubConfig(srv.URL, path), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "the model says") {
		t.Errorf("run with wrong answers returned %v", err)
	}
}

// TestReadResponse: the client reads bodies of a Content-Length and in
// chunks (with extensions and trailers), and refuses what it cannot read.
func TestReadResponse(t *testing.T) {
	for _, c := range []struct {
		resp, body string
		code       int
		err        error
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "hello", 200, nil},
		{"HTTP/1.1 413 Request Entity Too Large\r\ncontent-length: 2\r\n\r\n{}", "{}", 413, nil},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0A\r\n0123456789\r\n0\r\nT: v\r\n\r\n", "abc0123456789", 200, nil},
		{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx", "x", 200, errClosed},
		{"HTTP/1.1 200 OK\r\n\r\n", "", 200, errors.New("a response with neither Content-Length nor chunks")},
		{"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", "", 0, errors.New(`status line "HTTP/1.0 200 OK"`)},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", "", 200, errors.New("no CRLF after a chunk")},
		{"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", "", 200, io.ErrUnexpectedEOF},
	} {
		cn := &conn{r: bufio.NewReader(strings.NewReader(c.resp))}
		code, err := cn.read()
		if code != c.code || (err == nil) != (c.err == nil) || err != nil && err.Error() != c.err.Error() || err == nil && string(cn.body) != c.body {
			t.Errorf("reading %q: %d, %q, %v; want %d, %q, %v", c.resp, code, cn.body, err, c.code, c.body, c.err)
		}
	}
}

// TestBounds: the settings that bound the load are checked.
func TestBounds(t *testing.T) {
	for _, mod := range []func(*config){
		func(c *config) { c.duration = 2 * time.Minute },
		func(c *config) { c.duration = 0 },
		func(c *config) { c.conns = 1000 },
		func(c *config) { c.runs = 0 },
		func(c *config) { c.batch = 1 << 20 },
		func(c *config) { c.model = "" },
	} {
		c := stubConfig("http://127.0.0.1:1", "m")
		mod(&c)
		if err := c.check(); err == nil {
			t.Errorf("%+v passed the check", c)
		}
	}
}

// TestEdgefitServe runs the generator against the real command, built from
// this repository: its answers pass the check, no request fails, and it
// stops on SIGTERM with status 0.
func TestEdgefitServe(t *testing.T) {
	bin, err := buildEdgefit(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := stubConfig("", "")
	c.edgefit, c.runs, c.batch = bin, 1, 1000
	var out bytes.Buffer
	if err := run(c, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "single-row phase: the server") || strings.Contains(out.String(), "-1.00") {
		t.Errorf("report without the server's CPU:\n%s", out.String())
	}
}
