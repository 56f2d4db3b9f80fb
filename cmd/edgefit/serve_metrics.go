package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// metrics are edgefit serve's counts, kept with atomics so that requests
// never wait on each other to count, and written in Prometheus' text
// exposition format (version 0.0.4) by GET /metrics.
type metrics struct {
	codes    [len(statusCodes) + 1]atomic.Uint64 // by statusCodes, the last for any other
	inFlight atomic.Int64
	latency  histogram
}

// statusCodes are the statuses the server answers with.
var statusCodes = [...]int{200, 400, 404, 405, 408, 413, 500, 503}

func newMetrics() *metrics { return &metrics{} }

func (m *metrics) count(code int) {
	i := len(statusCodes)
	for j, c := range statusCodes {
		if c == code {
			i = j
			break
		}
	}
	m.codes[i].Add(1)
}

// latencyBounds are the histogram's bucket bounds, in seconds.
var latencyBounds = [...]float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}

// histogram counts durations in latencyBounds' buckets (not cumulative;
// the exposition sums them).
type histogram struct {
	buckets [len(latencyBounds) + 1]atomic.Uint64
	sumNs   atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(latencyBounds) && s > latencyBounds[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sumNs.Add(uint64(max(d, 0)))
}

func (s *server) metrics(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return fail(w, &reqError{http.StatusMethodNotAllowed, "GET /metrics"})
	}
	var b bytes.Buffer
	m := s.met
	header := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	header("edgefit_http_requests_total", "counter", "HTTP requests answered, by status code.")
	for i := range m.codes {
		code := "other"
		if i < len(statusCodes) {
			code = strconv.Itoa(statusCodes[i])
		}
		fmt.Fprintf(&b, "edgefit_http_requests_total{code=%q} %d\n", code, m.codes[i].Load())
	}
	header("edgefit_http_errors_total", "counter", "HTTP requests answered with an error (status 400 and up), by status code.")
	for i := range m.codes {
		if i < len(statusCodes) && statusCodes[i] < 400 {
			continue
		}
		code := "other"
		if i < len(statusCodes) {
			code = strconv.Itoa(statusCodes[i])
		}
		fmt.Fprintf(&b, "edgefit_http_errors_total{code=%q} %d\n", code, m.codes[i].Load())
	}
	header("edgefit_http_requests_in_flight", "gauge", "POST /predict requests being answered.")
	fmt.Fprintf(&b, "edgefit_http_requests_in_flight %d\n", m.inFlight.Load())
	header("edgefit_predict_duration_seconds", "histogram", "Time to answer POST /predict, from its headers read to its answer written.")
	var cum uint64
	for i := range m.latency.buckets {
		cum += m.latency.buckets[i].Load()
		le := "+Inf"
		if i < len(latencyBounds) {
			le = strconv.FormatFloat(latencyBounds[i], 'g', -1, 64)
		}
		fmt.Fprintf(&b, "edgefit_predict_duration_seconds_bucket{le=%q} %d\n", le, cum)
	}
	fmt.Fprintf(&b, "edgefit_predict_duration_seconds_sum %g\n", float64(m.latency.sumNs.Load())/1e9)
	fmt.Fprintf(&b, "edgefit_predict_duration_seconds_count %d\n", cum)
	s.modelMetrics(&b, header)
	w.Header()["Content-Type"] = []string{"text/plain; version=0.0.4; charset=utf-8"}
	w.Write(b.Bytes())
	return http.StatusOK
}

// modelMetrics writes the model's and the Predictor's metrics.
func (s *server) modelMetrics(b *bytes.Buffer, header func(name, typ, help string)) {
	st := s.pred.Stats()
	cur := s.pred.Current()
	header("edgefit_predictions_total", "counter", "Rows predicted.")
	fmt.Fprintf(b, "edgefit_predictions_total %d\n", st.Predictions)
	header("edgefit_model_swaps_total", "counter", "Models that replaced the one served.")
	fmt.Fprintf(b, "edgefit_model_swaps_total %d\n", st.Swaps)
	header("edgefit_model_load_errors_total", "counter", "Model files refused (unreadable, invalid or incompatible); the model served stayed.")
	fmt.Fprintf(b, "edgefit_model_load_errors_total %d\n", st.LoadErrors)
	header("edgefit_model_info", "gauge", "The model served: its version (CRC-32 of its file), inputs and outputs; always 1.")
	fmt.Fprintf(b, "edgefit_model_info{version=\"%08x\",inputs=\"%d\",outputs=\"%d\"} 1\n", cur.Version(), cur.In(), cur.Out())
	header("edgefit_model_version", "gauge", "The CRC-32 of the model file served, as a number.")
	fmt.Fprintf(b, "edgefit_model_version %d\n", cur.Version())
	header("edgefit_model_load_seconds", "gauge", "Time taken to read, decode and check the model served.")
	fmt.Fprintf(b, "edgefit_model_load_seconds %g\n", cur.LoadTime().Seconds())
	header("edgefit_model_loaded_timestamp_seconds", "gauge", "When the model served was loaded, in seconds since the Unix epoch.")
	fmt.Fprintf(b, "edgefit_model_loaded_timestamp_seconds %.3f\n", float64(cur.LoadedAt().UnixMilli())/1e3)
}
