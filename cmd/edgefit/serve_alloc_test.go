package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

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
	mf, _ := regress.NewModelFile(m, nil, []string{"a", "b", "c"}, []string{"y", "z"})
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
		if a := testing.AllocsPerRun(100, run); a != 0 {
			t.Errorf("%s: %v allocations a request", tc.contentType, a)
		}
	}
}
