package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/serve"
)

// discard is a ResponseWriter that keeps the status and the last body.
type discard struct {
	h    http.Header
	code int
	body []byte
}

func (d *discard) Header() http.Header  { return d.h }
func (d *discard) WriteHeader(code int) { d.code = code }
func (d *discard) Write(b []byte) (int, error) {
	d.body = append(d.body[:0], b...)
	return len(b), nil
}

// Answering a single-row request, JSON or CSV, allocates nothing in the
// server's own code once its buffers have grown (net/http's allocations
// aside).
func TestPredictAllocs(t *testing.T) {
	m, _ := regress.NewLinearFrom([][]float32{{1, 2, 3}, {4, 5, 6}}, []float32{0.5, -1})
	m.Inputs, m.Outputs = []string{"a", "b", "c"}, []string{"y", "z"}
	mf, _ := m.File()
	p, err := serve.New(mf, serve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(p, 1<<20, 100)
	y := make([]float32, 2)
	if err := mf.Predict(y, []float32{73.5, 67, 43.25}); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"y":[%s],"z":[%s]}`+"\n", strconv.FormatFloat(float64(y[0]), 'g', -1, 32), strconv.FormatFloat(float64(y[1]), 'g', -1, 32))
	for _, tc := range []struct{ contentType, body string }{
		{"application/json", `{"rows": [[73.5, 67, 43.25]]}`},
		{"text/csv", "73.5,67,43.25\n"},
		{"text/csv", "c,b,a\n43.25,67,73.5\n"},
	} {
		b := []byte(tc.body)
		body := bytes.NewReader(b)
		req, _ := http.NewRequest("POST", "http://edgefit/predict", io.NopCloser(body))
		req.Header.Set("Content-Type", tc.contentType)
		w := &discard{h: http.Header{}}
		q := new(request) // not from the pool, which drops some under -race
		run := func() {
			body.Reset(b)
			w.code = http.StatusOK
			s.predictWith(w, req, q)
		}
		run()
		if w.code != http.StatusOK || string(w.body) != want {
			t.Fatalf("%s: %d %s, want %s", tc.contentType, w.code, w.body, want)
		}
		if a := zeroalloc.AllocsPerRun(100, run); a != 0 {
			t.Errorf("%s: %v allocations a request", tc.contentType, a)
		}
	}
}

// A request near the body limit costs a few times its size, not many: the
// body is read into a buffer that doubles (to the Content-Length when there
// is one), the rows go into one slice sized by the body, and the answer
// grows by doubling (append grows large slices by a quarter, which costs
// five times the final size in copies).
func TestPredictMemory(t *testing.T) {
	m, _ := regress.NewLinearFrom([][]float32{{1, 2, 3}, {4, 5, 6}}, []float32{0.5, -1})
	m.Inputs, m.Outputs = []string{"a", "b", "c"}, []string{"y", "z"}
	mf, _ := m.File()
	p, err := serve.New(mf, serve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const limit = 4 << 20
	s := newServer(p, limit, limit)
	fill := func(pre, unit, post string) []byte {
		return []byte(pre + strings.Repeat(unit, (limit-len(pre)-len(post))/len(unit)) + post)
	}
	for _, tc := range []struct {
		name, contentType string
		body              []byte
	}{
		{"JSON", "application/json", fill(`{"rows":[`, `[0,0,0],`, `[0,0,0]]}`)},
		{"CSV", "text/csv", fill("", "0,0,0\n", "")},
		{"CSV with a header", "text/csv", fill("c,b,a\n", "0,0,0\r\n", "")},
	} {
		for _, length := range []int64{int64(len(tc.body)), -1} { // given, chunked
			req, _ := http.NewRequest("POST", "http://edgefit/predict", io.NopCloser(bytes.NewReader(tc.body)))
			req.ContentLength = length
			req.Header.Set("Content-Type", tc.contentType)
			w := &counter{h: http.Header{}}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s.predictWith(w, req, new(request))
			runtime.ReadMemStats(&after)
			if w.code != http.StatusOK {
				t.Fatalf("%s: status %d", tc.name, w.code)
			}
			// The body and the rows (a float32 for 2 bytes of text at
			// least) twice their size at most, the predictions and the
			// answer (each about the body's size here) the same, plus slack.
			n := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(tc.body))
			if n > 12 {
				t.Errorf("%s, Content-Length %d: %.1f bytes allocated a byte of the body, want at most 12", tc.name, length, n)
			}
		}
	}
}

// counter is a ResponseWriter that keeps the status and counts the bytes.
type counter struct {
	h    http.Header
	code int
	n    int
}

func (c *counter) Header() http.Header  { return c.h }
func (c *counter) WriteHeader(code int) { c.code = code }
func (c *counter) Write(b []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	c.n += len(b)
	return len(b), nil
}
