//go:build unix

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var serveRows = [][]float32{{73, 67, 43}, {91, 88, 64}, {-1.5, 0, 2e3}, {0.1, 0.2, 0.3}}

// bodies returns the rows as every kind of body POST /predict takes.
func bodies(rows [][]float32) map[string][2]string {
	var arr, obj, csvH, csvN []string
	for _, r := range rows {
		arr = append(arr, "["+csvLine(r)+"]")
		s := csvLine(r)
		v := strings.Split(s, ",")
		obj = append(obj, fmt.Sprintf(`{"humidity": %s, "temp": %s, "rainfall": %s}`, v[2], v[0], v[1]))
		csvH = append(csvH, v[1]+","+v[2]+",x,"+v[0])
		csvN = append(csvN, s)
	}
	return map[string][2]string{
		"JSON arrays":       {"application/json", `{"rows": [` + strings.Join(arr, ", ") + "]}"},
		"JSON objects":      {"", `{"rows": [` + strings.Join(obj, ", ") + "]}"},
		"CSV with a header": {"text/csv; charset=utf-8", "rainfall,humidity,note,temp\n" + strings.Join(csvH, "\n") + "\n"},
		"CSV without":       {"text/csv", strings.Join(csvN, "\r\n")},
	}
}

// edgefit serve predicts as edgefit predict does, refuses bad requests with
// clean errors and goes on serving, swaps to a new model file under load
// without a failed request, counts in /metrics, and on SIGTERM finishes the
// request under way and exits 0.
func TestServe(t *testing.T) {
	path := tempModel(t)
	v1 := saveServeModel(t, path, 0)
	s := startServe(t, "-model", path, "-watch", "20ms", "-read-timeout", "2s", "-max-rows", "50", "-max-body", "4096")
	want := predicted(t, path, serveRows)
	for name, b := range bodies(serveRows) {
		a := post(t, s.url, b[0], b[1])
		if a.code != 200 || a.version != v1 || !reflect.DeepEqual(a.outputs, want) {
			t.Errorf("%s: %d, model %s, %v; want 200, %s, edgefit predict's %v", name, a.code, a.version, a.raw, v1, want)
		}
	}
	if resp, err := client.Get(s.url + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /healthz: %v %v", resp, err)
	}
	badRequests(t, s.url)
	slowClient(t, s.url)
	swapUnderLoad(t, s, path)
	shutdownInFlight(t, s)
}

// badRequests get their status and a JSON error, and the server goes on.
func badRequests(t *testing.T, url string) {
	many := "{\"rows\": [" + strings.Repeat("[1,2,3],", 50) + "[1,2,3]]}"
	for _, tc := range []struct {
		name, contentType, body string
		code                    int
		part                    string
	}{
		{"wrong CSV columns", "text/csv", "temp,rain,humidity\n1,2,3\n", 400, `no column "rainfall"`},
		{"a CSV non-number", "text/csv", "temp,rainfall,humidity\n1,2,x\n", 400, `CSV body:2:5: column "humidity": "x" is not a number`},
		{"a JSON non-number", "application/json", `{"rows": [[1, 2, "x"]]}`, 400, "malformed JSON body at byte 18"},
		{"a JSON object with a wrong name", "application/json", `{"rows": [{"temp": 1, "rain": 2, "humidity": 3}]}`, 400, `"rain" is not an input`},
		{"a short row", "application/json", `{"rows": [[1, 2]]}`, 400, "row 1 has 2 values, the model takes 3"},
		{"malformed JSON", "application/json", `{"rows": [[1, 2, 3]`, 400, "malformed JSON body"},
		{"no rows", "application/json", `{"rows": []}`, 400, "no rows"},
		{"an overflowing prediction", "application/json", `{"rows": [[3e38, 3e38, 0]]}`, 400, "beyond float32's range"},
		{"an oversized body", "application/json", `{"rows": [[1, 2, 3]]}` + strings.Repeat(" ", 4096), 413, "over 4096 bytes"},
		{"too many rows", "application/json", many, 413, "more than 50 rows"},
	} {
		a := post(t, url, tc.contentType, tc.body)
		if a.code != tc.code || !strings.Contains(a.err, tc.part) {
			t.Errorf("%s: %d %q, want %d and %q", tc.name, a.code, a.err, tc.code, tc.part)
		}
	}
	for _, tc := range []struct {
		method, path string
		code         int
	}{{"GET", "/predict", 405}, {"GET", "/nowhere", 404}, {"POST", "/metrics", 405}} {
		req, _ := http.NewRequest(tc.method, url+tc.path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		parseAnswer(t, resp.StatusCode, "", b)
		if resp.StatusCode != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.code)
		}
	}
}

// rawRequest opens a connection and sends a POST /predict whose body is
// the first half of body, the rest left to the caller.
func rawRequest(t *testing.T, url, body string) (net.Conn, string) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	half := len(body) / 2
	fmt.Fprintf(c, "POST /predict HTTP/1.1\r\nHost: edgefit\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:half])
	return c, body[half:]
}

func readAnswer(t *testing.T, c net.Conn) answer {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return parseAnswer(t, resp.StatusCode, resp.Header.Get("X-Edgefit-Model"), b)
}

// A client that sends half a body gets a 408 once -read-timeout has passed,
// and the server goes on serving.
func slowClient(t *testing.T, url string) {
	c, _ := rawRequest(t, url, `{"rows": [[1, 2, 3]]}`)
	defer c.Close()
	if a := readAnswer(t, c); a.code != http.StatusRequestTimeout || !strings.Contains(a.err, "-read-timeout") {
		t.Errorf("half a body: %d %q, want 408", a.code, a.err)
	}
	if a := post(t, url, "application/json", `{"rows": [[1, 2, 3]]}`); a.code != 200 {
		t.Errorf("after a slow client: %d %s", a.code, a.raw)
	}
}

// swapUnderLoad saves a new model over the file while clients post rows:
// every request succeeds, with the old model's predictions or the new one's
// (by the version it names), and the new ones come within 2 s.
func swapUnderLoad(t *testing.T, s *served, path string) {
	row := serveRows[:1]
	body := bodies(row)["JSON arrays"][1]
	before := metricsText(t, s.url)
	old := predicted(t, path, row)
	var stop atomic.Bool
	var mu sync.Mutex
	seen := map[string]map[string][]string{} // version → predictions
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 100000 && !stop.Load(); n++ {
				a := post(t, s.url, "application/json", body)
				if a.code != 200 {
					t.Errorf("under load: %d %s", a.code, a.raw)
					return
				}
				mu.Lock()
				if p, ok := seen[a.version]; ok && !reflect.DeepEqual(p, a.outputs) {
					t.Errorf("model %s predicted %v, then %v", a.version, p, a.outputs)
				}
				seen[a.version] = a.outputs
				mu.Unlock()
			}
		}()
	}
	v2 := saveServeModel(t, path, 1)
	saved := time.Now()
	next := predicted(t, path, row)
	for {
		mu.Lock()
		got, ok := seen[v2]
		mu.Unlock()
		if ok {
			if !reflect.DeepEqual(got, next) {
				t.Errorf("the new model predicts %v, edgefit predict %v", got, next)
			}
			break
		}
		if time.Since(saved) > 2*time.Second {
			t.Errorf("the new model not served within 2 s of its file saved:\n%s", s.log())
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if len(seen) > 2 {
		t.Errorf("versions served: %v, want the old and the new", seen)
	}
	for v, p := range seen {
		if v != v2 && !reflect.DeepEqual(p, old) {
			t.Errorf("model %s predicted %v, the old model %v", v, p, old)
		}
	}
	after := metricsText(t, s.url)
	for key, d := range map[string]float64{"edgefit_model_swaps_total": 1, "edgefit_model_load_errors_total": 0} {
		if after[key]-before[key] != d {
			t.Errorf("%s went from %v to %v, want +%v", key, before[key], after[key], d)
		}
	}
	if fmt.Sprintf("%08x", uint32(after["edgefit_model_version"])) != v2 || after[`edgefit_model_info{version="`+v2+`",inputs="3",outputs="2"}`] != 1 {
		t.Errorf("/metrics names model %08x, want %s", uint32(after["edgefit_model_version"]), v2)
	}
	if after["edgefit_predictions_total"] < after[`edgefit_http_requests_total{code="200"}`] || after["edgefit_predict_duration_seconds_count"] == 0 {
		t.Errorf("/metrics: %v predictions for %v answers", after["edgefit_predictions_total"], after[`edgefit_http_requests_total{code="200"}`])
	}
	badFile(t, s, path, v2)
}

// A file that is not a model, renamed over the model, is refused and
// counted; the model served stays.
func badFile(t *testing.T, s *served, path, version string) {
	tmp := path + ".tmp"
	os.WriteFile(tmp, []byte("not a model"), 0o644)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); metricsText(t, s.url)["edgefit_model_load_errors_total"] == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the bad file not counted:\n%s", s.log())
		}
	}
	if a := post(t, s.url, "application/json", `{"rows": [[1, 2, 3]]}`); a.code != 200 || a.version != version {
		t.Errorf("after a bad file: %d, model %s, want 200 and %s", a.code, a.version, version)
	}
	if !strings.Contains(s.log(), "kept model "+version) {
		t.Errorf("the log does not say the model was kept:\n%s", s.log())
	}
}

// shutdownInFlight sends SIGTERM while a request is under way: the request
// is answered and the command exits 0.
func shutdownInFlight(t *testing.T, s *served) {
	c, rest := rawRequest(t, s.url, bodies(serveRows[:1])["JSON arrays"][1])
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); metricsText(t, s.url)["edgefit_http_requests_in_flight"] != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request never in flight")
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.log(), "finishing the requests under way"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no word of shutting down:\n%s", s.log())
		}
	}
	io.WriteString(c, rest)
	if a := readAnswer(t, c); a.code != 200 || len(a.outputs["apples"]) != 1 {
		t.Errorf("the request under way at SIGTERM: %d %s", a.code, a.raw)
	}
	if code := s.wait(t); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0:\n%s", code, s.log())
	}
}

// SIGHUP reloads the model file when -watch is off; SIGINT stops.
func TestServeSIGHUP(t *testing.T) {
	path := tempModel(t)
	v1 := saveServeModel(t, path, 0)
	s := startServe(t, "-model", path, "-watch", "0")
	body := bodies(serveRows)["JSON arrays"][1]
	v2 := saveServeModel(t, path, 2)
	if a := post(t, s.url, "", body); a.version != v1 {
		t.Fatalf("model %s served before SIGHUP, want %s (no -watch)", a.version, v1)
	}
	s.cmd.Process.Signal(syscall.SIGHUP)
	want := predicted(t, path, serveRows)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		a := post(t, s.url, "", body)
		if a.version == v2 {
			if !reflect.DeepEqual(a.outputs, want) {
				t.Errorf("after SIGHUP: %v, want %v", a.outputs, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload:\n%s", s.log())
		}
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	if code := s.wait(t); code != 0 {
		t.Errorf("exit status %d after SIGINT:\n%s", code, s.log())
	}
}

// Mistakes on the command line are one line on stderr and status 2.
func TestServeMistakes(t *testing.T) {
	path := tempModel(t)
	saveServeModel(t, path, 0)
	bad := tempModel(t)
	os.WriteFile(bad, []byte("not a model"), 0o644)
	for _, tc := range []struct {
		args []string
		part string
	}{
		{[]string{"serve"}, "-model is required"},
		{[]string{"serve", "-model", bad}, "not a valid"},
		{[]string{"serve", "-model", path, "-addr", "256.0.0.1:1"}, "-addr 256.0.0.1:1"},
		{[]string{"serve", "-model", path, "-max-rows", "0"}, "-max-rows 0"},
		{[]string{"serve", "-model", path, "-inputs", "a,b"}, "2 input names for a model of 3 inputs"},
		{[]string{"serve", "-model", path, "extra"}, `unexpected argument "extra"`},
	} {
		r := runCmd(t, "", tc.args...)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.part) || r.stdout != "" {
			t.Errorf("%v: status %d, stderr %q, stdout %q; want 2 and one line with %q", tc.args, r.code, r.stderr, r.stdout, tc.part)
		}
	}
}

// A PyTorch file is served as it is, its columns named by -inputs and
// -outputs, with edgefit predict's predictions.
func TestServePyTorch(t *testing.T) {
	path := "../../fixtures/torch/linear_f32_bias.safetensors"
	s := startServe(t, "-model", path, "-inputs", "a,b,c,d", "-outputs", "p,q,r")
	if !strings.Contains(s.log(), "safetensors (PyTorch)") {
		t.Errorf("the first line does not say the model is a PyTorch file:\n%s", s.log())
	}
	rows := [][]float32{{1, 2, 3, 4}, {-0.5, 0, 7, 1e-3}}
	out := ok(t, runCmd(t, "", "predict", "-model", path, "-outputs", "p,q,r", "--", csvLine(rows[0]), csvLine(rows[1]))).stdout
	want := map[string][]string{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines[1:] {
		for j, v := range strings.Split(l, ",") {
			name := strings.Split(lines[0], ",")[j]
			want[name] = append(want[name], v)
		}
	}
	for _, body := range []string{`{"rows": [[1, 2, 3, 4], [-0.5, 0, 7, 1e-3]]}`, `{"rows": [{"d": 4, "c": 3, "b": 2, "a": 1}, {"a": -0.5, "b": 0, "c": 7, "d": 0.001}]}`} {
		if a := post(t, s.url, "", body); a.code != 200 || !reflect.DeepEqual(a.outputs, want) {
			t.Errorf("%s: %d %s, want edgefit predict's %v", body, a.code, a.raw, want)
		}
	}
}
