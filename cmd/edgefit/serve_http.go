package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/serve"
)

// server answers edgefit serve's requests:
//
//	POST /predict   rows in, {"<output>": [one value per row], …} out
//	GET  /healthz   200 {"status":"ok"} while a model is served
//	GET  /metrics   Prometheus' text format
//
// Errors are {"error": "…"} with 400 (a bad body), 404, 405, 408 (a body
// not received in time), 413 (too large, too many rows) or 503 (no model,
// shutting down).
type server struct {
	pred     *serve.Predictor
	maxBody  int64
	maxRows  int
	met      *metrics
	view     atomic.Pointer[modelView]
	draining atomic.Bool
	pool     sync.Pool // *request
}

// modelView is what answering with one model needs, made once per model.
type modelView struct {
	m       *serve.Model
	names   map[string]int // input name → position (nil: unnamed)
	inputs  []string       // nil: unnamed
	keys    [][]byte       // `"output":[`, quoted as JSON
	version []string       // the X-Edgefit-Model header: the CRC-32 in hex
	header  atomic.Pointer[csvHeader]
}

// request is one request's buffers, reused through server.pool.
type request struct {
	body []byte
	json jsonRows
	csv  csvRows
	y    []float32
	out  []byte
}

var (
	jsonType = []string{"application/json"}
	noSniff  = []string{"nosniff"}
)

func newServer(p *serve.Predictor, maxBody int64, maxRows int) *server {
	s := &server{pred: p, maxBody: maxBody, maxRows: maxRows, met: newMetrics()}
	s.pool.New = func() any { return new(request) }
	return s
}

// current returns the view of the model served now.
func (s *server) current() *modelView {
	m := s.pred.Current()
	if v := s.view.Load(); v != nil && v.m == m {
		return v
	}
	v := &modelView{m: m, inputs: m.Inputs(), version: []string{fmt.Sprintf("%08x", m.Version())}}
	if v.inputs != nil {
		v.names = make(map[string]int, len(v.inputs))
		for p, n := range v.inputs {
			v.names[n] = p
		}
	}
	for _, name := range outputNames(m) {
		k, _ := json.Marshal(name)
		v.keys = append(v.keys, append(k, ':', '['))
	}
	s.view.Store(v)
	return v
}

// outputNames are the model's output names, y1… when it has none (as
// `edgefit predict` names them).
func outputNames(m *serve.Model) []string {
	names := m.Outputs()
	if names == nil {
		for j := range m.Out() {
			names = append(names, "y"+strconv.Itoa(j+1))
		}
	}
	return names
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t0 := time.Now()
	var code int
	switch r.URL.Path {
	case "/predict":
		s.met.inFlight.Add(1)
		code = s.predict(w, r)
		s.met.inFlight.Add(-1)
		s.met.latency.observe(time.Since(t0))
	case "/healthz":
		code = s.healthz(w, r)
	case "/metrics":
		code = s.metrics(w, r)
	default:
		code = fail(w, &reqError{http.StatusNotFound, "no such path: POST /predict, GET /healthz, GET /metrics"})
	}
	s.met.count(code)
}

func (s *server) predict(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = []string{http.MethodPost}
		return fail(w, &reqError{http.StatusMethodNotAllowed, "POST rows to /predict"})
	}
	q := s.pool.Get().(*request)
	defer s.pool.Put(q)
	return s.predictWith(w, r, q)
}

// predictWith answers a POST /predict with the buffers of q.
func (s *server) predictWith(w http.ResponseWriter, r *http.Request, q *request) int {
	v := s.current()
	if err := q.read(r, s.maxBody); err != nil {
		return fail(w, err)
	}
	X, err := s.parse(q, v, r.Header["Content-Type"])
	if err != nil {
		return fail(w, err)
	}
	out := v.m.Out()
	if n := X.Rows * out; cap(q.y) < n {
		q.y = make([]float32, n)
	}
	Y := linalg.Dense{Rows: X.Rows, Cols: out, Stride: out, Data: q.y[:X.Rows*out]}
	if err := v.m.Predict(Y, X); err != nil {
		return fail(w, &reqError{http.StatusInternalServerError, err.Error()})
	}
	if err := q.answer(v, Y); err != nil {
		return fail(w, err)
	}
	h := w.Header()
	h["Content-Type"], h["X-Content-Type-Options"], h["X-Edgefit-Model"] = jsonType, noSniff, v.version
	w.Write(q.out)
	return http.StatusOK
}

// read reads the body, at most max bytes, into q.body.
func (q *request) read(r *http.Request, maxBody int64) error {
	if r.ContentLength > maxBody {
		return tooLarge(maxBody)
	}
	// The buffer doubles as bytes arrive, up to the Content-Length given
	// (plus the byte that shows the body ends there) or maxBody+1: a body never
	// costs more than a few times its size, and a Content-Length that lies
	// costs nothing until the bytes come.
	limit := int(maxBody) + 1
	if r.ContentLength >= 0 {
		limit = int(r.ContentLength) + 1
	}
	b := q.body[:0]
	for {
		if len(b) == cap(b) {
			c := max(2*cap(b), 4096)
			if len(b) < limit { // else the body is longer than its Content-Length
				c = min(c, limit)
			}
			nb := make([]byte, len(b), min(c, int(maxBody)+1))
			b = nb[:copy(nb, b)]
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > maxBody {
			q.body = b[:0]
			return tooLarge(maxBody)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			q.body = b[:0]
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return &reqError{http.StatusRequestTimeout, "the request body did not arrive in time (-read-timeout)"}
			}
			return badRequest("reading the request body: %v", err)
		}
	}
	q.body = b
	return nil
}

func tooLarge(max int64) error {
	return &reqError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes (-max-body)", max)}
}

// parse reads the rows of q.body: CSV if its Content-Type is text/csv, JSON
// otherwise (curl -d says application/x-www-form-urlencoded).
func (s *server) parse(q *request, v *modelView, ct []string) (linalg.Dense, error) {
	k := v.m.In()
	var x []float32
	var rows int
	if !isCSV(ct) {
		p := &q.json
		p.x = roomForRows(p.x, len(q.body), k, s.maxRows)
		p.b, p.i, p.k, p.names, p.maxRows = q.body, 0, k, v.names, s.maxRows
		if err := p.parse(); err != nil {
			return linalg.Dense{}, err
		}
		x, rows = p.x, p.rows
	} else {
		c := &q.csv
		c.x = roomForRows(c.x, len(q.body), k, s.maxRows)
		c.k, c.inputs, c.maxRows, c.cache = k, v.inputs, s.maxRows, &v.header
		if err := c.parse(q.body); err != nil {
			return linalg.Dense{}, err
		}
		x, rows = c.x, c.rows
	}
	return linalg.Dense{Rows: rows, Cols: k, Stride: k, Data: x[:rows*k]}, nil
}

// roomForRows returns x[:0] with room for every row of k values a body of n
// bytes can hold, in one allocation: a row takes at least 2k bytes ("0,"
// a value, in JSON and CSV), so that x never takes more than twice the
// body's bytes, and the parsers never grow it value by value.
func roomForRows(x []float32, n, k, maxRows int) []float32 {
	if c := min(n/(2*k)+1, maxRows+1) * k; cap(x) < c {
		return make([]float32, 0, c)
	}
	return x[:0]
}

// isCSV reports whether a Content-Type is text/csv, parameters aside.
func isCSV(ct []string) bool {
	if len(ct) == 0 {
		return false
	}
	t, _, _ := strings.Cut(ct[0], ";")
	return strings.EqualFold(strings.TrimSpace(t), "text/csv")
}

// answer writes {"<output>":[v, …], …} into q.out: the predictions of each
// output in the order of the rows, as `edgefit predict` prints them.
func (q *request) answer(v *modelView, Y linalg.Dense) error {
	b := append(q.out[:0], '{')
	for j, key := range v.keys {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, key...)
		for i := range Y.Rows {
			y := Y.Data[i*Y.Stride+j]
			if math.IsInf(float64(y), 0) || math.IsNaN(float64(y)) {
				q.out = b[:0]
				return badRequest("row %d: the prediction for %s is %v, beyond float32's range (the inputs are far outside what the model can predict)", i+1, strings.TrimSuffix(string(key), ":["), y)
			}
			if cap(b)-len(b) < 16+len(key) { // a float32 takes at most 15 bytes
				b = slices.Grow(b, cap(b)+16+len(key)) // doubled, not append's quarter
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, float64(y), 'g', -1, 32)
		}
		b = append(b, ']')
	}
	q.out = append(b, '}', '\n')
	return nil
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return fail(w, &reqError{http.StatusMethodNotAllowed, "GET /healthz"})
	}
	if s.draining.Load() {
		return fail(w, &reqError{http.StatusServiceUnavailable, "shutting down"})
	}
	if s.pred.Current() == nil {
		return fail(w, &reqError{http.StatusServiceUnavailable, "no model loaded"})
	}
	w.Header()["Content-Type"] = jsonType
	io.WriteString(w, `{"status":"ok"}`+"\n")
	return http.StatusOK
}

// fail answers {"error": "…"} with the error's status (500 for an error
// that is not a *reqError) and returns the status.
func fail(w http.ResponseWriter, err error) int {
	code := http.StatusInternalServerError
	var re *reqError
	if errors.As(err, &re) {
		code = re.code
	}
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{oneLine(err.Error())})
	h := w.Header()
	h["Content-Type"], h["X-Content-Type-Options"] = jsonType, noSniff
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
	return code
}
