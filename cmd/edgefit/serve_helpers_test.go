//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

var (
	serveInputs  = []string{"temp", "rainfall", "humidity"}
	serveOutputs = []string{"apples", "oranges"}
)

// saveServeModel saves (atomically) a 3→2 model whose weights depend on d.
func saveServeModel(t *testing.T, path string, d float32) string {
	t.Helper()
	m, err := regress.NewLinearFrom([][]float32{{0.5 + d, 0.75, -0.125}, {-0.25, 1 - d, 0.375}}, []float32{1.5, -d})
	if err != nil {
		t.Fatal(err)
	}
	m.Inputs, m.Outputs = serveInputs, serveOutputs
	mf, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	if err := modelfile.Save(path, mf); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%08x", crc32.ChecksumIEEE(b))
}

// served is a running edgefit serve.
type served struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the command has exited
	code int           // its exit status, once done

	mu     sync.Mutex
	stderr strings.Builder
}

var listening = regexp.MustCompile(`^edgefit serve: listening on (http://\S+) `)

// startServe starts the built command with args and -addr 127.0.0.1:0 and
// waits for the address it prints.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	args = append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)
	cmd := exec.Command(bin, args...)
	if qemu != "" {
		cmd = exec.Command(qemu, append([]string{bin}, args...)...)
	}
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	err := cmd.Start()
	if errors.Is(err, syscall.ENOEXEC) && qemu == "" {
		// Under an emulator without binfmt_misc, as runCmd does.
		qemu = mustEmulator(t, err)
		cmd = exec.Command(qemu, append([]string{bin}, args...)...)
		cmd.Stderr = pw
		err = cmd.Start()
	}
	if err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	go func() {
		cmd.Wait()
		s.code = cmd.ProcessState.ExitCode()
		pw.Close()
		close(s.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
	})
	select {
	case s.url = <-addr:
	case <-s.done:
		t.Fatalf("edgefit serve exited (%d) before listening:\n%s", s.code, s.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("edgefit serve printed no address in a minute:\n%s", s.log())
	}
	return s
}

func (s *served) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// wait waits for the command to exit and returns its status.
func (s *served) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-s.done:
		return s.code
	case <-time.After(60 * time.Second):
		t.Fatalf("edgefit serve did not exit:\n%s", s.log())
	}
	return -1
}

var client = &http.Client{Timeout: 60 * time.Second}

// answer is a response of edgefit serve.
type answer struct {
	code    int
	version string              // X-Edgefit-Model
	outputs map[string][]string // the predictions, as written
	err     string              // {"error": …}
	raw     string
}

func post(t testing.TB, url, contentType, body string) answer {
	t.Helper()
	resp, err := client.Post(url+"/predict", contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST /predict: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST /predict: reading the answer: %v", err)
	}
	return parseAnswer(t, resp.StatusCode, resp.Header.Get("X-Edgefit-Model"), b)
}

func parseAnswer(t testing.TB, code int, version string, b []byte) answer {
	t.Helper()
	a := answer{code: code, version: version, raw: string(b)}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if code != http.StatusOK {
		var e map[string]string
		if err := dec.Decode(&e); err != nil || len(e) != 1 || e["error"] == "" {
			t.Fatalf("status %d with %q: want {\"error\": \"…\"}", code, b)
		}
		a.err = e["error"]
		return a
	}
	var m map[string][]json.Number
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("answer %q: %v", b, err)
	}
	a.outputs = map[string][]string{}
	for k, v := range m {
		for _, n := range v {
			a.outputs[k] = append(a.outputs[k], string(n))
		}
	}
	return a
}

// predicted runs edgefit predict on the rows and returns its predictions by
// output name, as printed.
func predicted(t *testing.T, model string, rows [][]float32) map[string][]string {
	t.Helper()
	args := []string{"predict", "-model", model, "--"}
	for _, r := range rows {
		args = append(args, csvLine(r))
	}
	out := ok(t, runCmd(t, "", args...)).stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	names := strings.Split(lines[0], ",")
	got := map[string][]string{}
	for _, l := range lines[1:] {
		for j, v := range strings.Split(l, ",") {
			got[names[j]] = append(got[names[j]], v)
		}
	}
	return got
}

func csvLine(r []float32) string {
	var s []string
	for _, v := range r {
		s = append(s, strconv.FormatFloat(float64(v), 'g', -1, 32))
	}
	return strings.Join(s, ",")
}

// metricsText gets /metrics and parses it.
func metricsText(t testing.TB, url string) map[string]float64 {
	t.Helper()
	resp, err := client.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	m, err := parseMetrics(string(b))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, b)
	}
	return m
}

var (
	metricName = `[a-zA-Z_:][a-zA-Z0-9_:]*`
	sampleLine = regexp.MustCompile(`^(` + metricName + `)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\["\\n])*",?)*\})? (\S+)( -?\d+)?$`)
	metaLine   = regexp.MustCompile(`^# (HELP|TYPE) (` + metricName + `) (.*)$`)
)

// parseMetrics parses Prometheus' text exposition format: every sample of a
// family declared by # TYPE (histograms by their _bucket, _sum and _count),
// a family declared once, histogram buckets cumulative and ending in +Inf
// with the count. It returns the samples by name{labels}.
func parseMetrics(text string) (map[string]float64, error) {
	types := map[string]string{}
	samples := map[string]float64{}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if m := metaLine.FindStringSubmatch(line); m != nil {
			if m[1] == "TYPE" {
				if _, dup := types[m[2]]; dup {
					return nil, fmt.Errorf("line %d: %s declared twice", i+1, m[2])
				}
				switch m[3] {
				case "counter", "gauge", "histogram", "summary", "untyped":
				default:
					return nil, fmt.Errorf("line %d: type %q", i+1, m[3])
				}
				types[m[2]] = m[3]
			}
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("line %d: %q is not a sample", i+1, line)
		}
		family := m[1]
		if typ, ok := types[family]; !ok || typ == "histogram" {
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(family, "_bucket"), "_sum"), "_count")
			if types[base] != "histogram" {
				return nil, fmt.Errorf("line %d: %s has no # TYPE", i+1, family)
			}
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: value %q: %v", i+1, m[3], err)
		}
		key := m[1] + m[2]
		if _, dup := samples[key]; dup {
			return nil, fmt.Errorf("line %d: %s twice", i+1, key)
		}
		samples[key] = v
	}
	for name, typ := range types {
		if typ != "histogram" {
			continue
		}
		last := -1.0
		for key, v := range samples {
			if strings.HasPrefix(key, name+"_bucket{") && v < 0 {
				return nil, fmt.Errorf("%s: negative bucket", key)
			}
		}
		inf, ok := samples[name+`_bucket{le="+Inf"}`]
		if !ok || inf != samples[name+"_count"] {
			return nil, fmt.Errorf("%s: +Inf bucket %v, count %v", name, inf, samples[name+"_count"])
		}
		for _, le := range []string{"0.0001", "0.001", "0.01", "0.1", "1", "10", "+Inf"} {
			v := samples[name+`_bucket{le="`+le+`"}`]
			if v < last {
				return nil, fmt.Errorf("%s: buckets not cumulative at le=%s", name, le)
			}
			last = v
		}
		if math.IsNaN(samples[name+"_sum"]) {
			return nil, fmt.Errorf("%s: sum NaN", name)
		}
	}
	return samples, nil
}

func tempModel(t *testing.T) string { return filepath.Join(t.TempDir(), "model.safetensors") }
