package serve

import (
	"context"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// modelFile returns a 3→2 model whose weights are shifted by d.
func modelFile(t testing.TB, d float32) *modelfile.File {
	t.Helper()
	m, err := regress.NewLinearFrom([][]float32{{1 + d, -2, 0.5}, {0.25, 3, -1 - d}}, []float32{d, 1})
	if err != nil {
		t.Fatal(err)
	}
	m.Inputs, m.Outputs = []string{"a", "b", "c"}, []string{"y", "z"}
	mf, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	return mf
}

func want(t testing.TB, mf *modelfile.File, x []float32) []float32 {
	t.Helper()
	y := make([]float32, mf.Out*len(x)/mf.In)
	if err := mf.Predict(y, x); err != nil {
		t.Fatal(err)
	}
	return y
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The predictor predicts as the model file does, row by row and in batches,
// without allocating, and counts the rows.
func TestPredictorPredicts(t *testing.T) {
	mf := modelFile(t, 0)
	p, err := New(mf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{1, 2, 3, -1, 0.5, 4}
	wantY := want(t, mf, x)
	y, err := p.PredictRow(nil, x[:3])
	if err != nil || !equal(y, wantY[:2]) {
		t.Fatalf("PredictRow = %v, %v; want %v", y, err, wantY[:2])
	}
	X := linalg.Dense{Rows: 2, Cols: 3, Stride: 3, Data: x}
	Y := linalg.Dense{Rows: 2, Cols: 2, Stride: 2, Data: make([]float32, 4)}
	if err := p.Predict(Y, X); err != nil || !equal(Y.Data, wantY) {
		t.Fatalf("Predict = %v, %v; want %v", Y.Data, err, wantY)
	}
	if a := zeroalloc.AllocsPerRun(100, func() { p.PredictRow(y, x[:3]) }); a != 0 {
		t.Errorf("PredictRow allocates %v times", a)
	}
	if a := zeroalloc.AllocsPerRun(100, func() { p.Predict(Y, X) }); a != 0 {
		t.Errorf("Predict allocates %v times", a)
	}
	if got := p.Stats().Predictions; got != 1+2+101+2*101 {
		t.Errorf("Stats().Predictions = %d, want %d", got, 1+2+101+2*101)
	}
	if _, err := p.PredictRow(nil, x[:2]); err == nil {
		t.Error("PredictRow of 2 values for 3 inputs: no error")
	}
	m := p.Current()
	if m.In() != 3 || m.Out() != 2 || m.Input(1) != "b" || m.Output(1) != "z" {
		t.Errorf("model %d→%d, names %v %v", m.In(), m.Out(), m.Inputs(), m.Outputs())
	}
}

// A swap to a model of other names or shape is refused and counted, the
// model served staying, unless AllowChange; a compatible one is served.
func TestSwapValidates(t *testing.T) {
	p, err := New(modelFile(t, 0), Options{})
	if err != nil {
		t.Fatal(err)
	}
	v0 := p.Current().Version()
	other := modelFile(t, 1)
	other.Outputs = []string{"y", "w"}
	var ce *ChangeError
	if err := p.Swap(other); !errors.As(err, &ce) {
		t.Fatalf("Swap of other output names: %v, want a *ChangeError", err)
	}
	if s := p.Stats(); s.LoadErrors != 1 || s.Swaps != 0 || s.Version != v0 {
		t.Errorf("after a refused swap: %+v", s)
	}
	bad := modelFile(t, 1)
	bad.B = bad.B[:1]
	if err := p.Swap(bad); err == nil {
		t.Error("Swap of an inconsistent model: no error")
	}
	next := modelFile(t, 1)
	if err := p.Swap(next); err != nil {
		t.Fatal(err)
	}
	y, _ := p.PredictRow(nil, []float32{1, 1, 1})
	if s := p.Stats(); s.Swaps != 1 || s.LoadErrors != 2 || s.Version == v0 || !equal(y, want(t, next, []float32{1, 1, 1})) {
		t.Errorf("after a swap: %+v, prediction %v", s, y)
	}
	q, _ := New(modelFile(t, 0), Options{AllowChange: true})
	if err := q.Swap(other); err != nil {
		t.Errorf("Swap with AllowChange: %v", err)
	}
	if _, err := New(modelFile(t, 0), Options{Inputs: []string{"only"}}); err == nil {
		t.Error("one input name for three inputs: no error")
	}
}

// Reload serves a changed file, ignores an unchanged one and keeps the model
// on a bad one; Watch picks up a file saved over the model.
func TestReloadAndWatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := modelfile.Save(path, modelFile(t, 0)); err != nil {
		t.Fatal(err)
	}
	var loads, errs int
	var mu sync.Mutex
	p, err := Open(path, Options{OnLoad: func(m *Model, err error) {
		mu.Lock()
		defer mu.Unlock()
		loads++
		if err != nil {
			errs++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if p.Current().Version() != crc32.ChecksumIEEE(b) || p.Current().LoadTime() <= 0 {
		t.Errorf("version %08x load time %v, want the file's CRC %08x", p.Current().Version(), p.Current().LoadTime(), crc32.ChecksumIEEE(b))
	}
	if ok, err := p.Reload(); ok || err != nil {
		t.Errorf("Reload of the same file = %v, %v", ok, err)
	}
	if err := modelfile.Save(path, modelFile(t, 2)); err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Reload(); !ok || err != nil {
		t.Errorf("Reload of a new file = %v, %v", ok, err)
	}
	v := p.Current().Version()
	os.WriteFile(path, []byte("not a model"), 0o644)
	if ok, err := p.Reload(); ok || err == nil || p.Current().Version() != v {
		t.Errorf("Reload of a bad file = %v, %v; version %08x, want %08x kept", ok, err, p.Current().Version(), v)
	}
	if s := p.Stats(); s.Swaps != 1 || s.LoadErrors != 1 {
		t.Errorf("stats %+v", s)
	}
	mu.Lock()
	if loads != 4 || errs != 1 {
		t.Errorf("OnLoad called %d times, %d with an error; want 4 and 1", loads, errs)
	}
	mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Watch(ctx, time.Millisecond) }()
	next := modelFile(t, 3)
	if err := modelfile.Save(path, next); err != nil {
		t.Fatal(err)
	}
	x := []float32{1, 2, 3}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if y, _ := p.PredictRow(nil, x); equal(y, want(t, next, x)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Watch did not serve the new file")
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch returned %v", err)
	}
	if _, err := New(modelFile(t, 0), Options{}); err != nil {
		t.Fatal(err)
	}
}

// Online learning publishes copies while other goroutines predict: no data
// race (go test -race), and the model served is the last copy published.
func TestOnlinePublishes(t *testing.T) {
	m, _ := regress.NewLinear(3, 2, 1)
	m.Inputs, m.Outputs = []string{"a", "b", "c"}, []string{"y", "z"}
	mf, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(mf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := regress.NewSGD(regress.SGDConfig{LR: 0.01})
	o, err := regress.NewOnline(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.PublishTo(p, 10); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y := make([]float32, 2)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := p.PredictRow(y, []float32{1, 2, 3}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	x, y := make([]float32, 3), make([]float32, 2)
	for i := 0; i < 2000; i++ {
		x[0], x[1], x[2] = float32(i%7)/7, float32(i%5)/5, float32(i%3)/3
		y[0], y[1] = 2*x[0]-x[1], x[2]+1
		if _, err := o.PartialFit(x, y); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	got, _ := p.PredictRow(nil, x)
	wantY, _ := m.PredictRow(nil, x)
	if !equal(got, wantY) {
		t.Errorf("served %v, the trainer's model (published every 10 of 2000 samples) %v", got, wantY)
	}
	if s := p.Stats(); s.Swaps != 1+200 {
		t.Errorf("%d swaps, want 201 (one by PublishTo, then one every 10 samples)", s.Swaps)
	}
}

// A Predictor's zero value serves nothing, with errors rather than panics,
// until a model is swapped or published in.
func TestZeroPredictor(t *testing.T) {
	var p Predictor
	if _, err := p.PredictRow(nil, []float32{1, 2, 3}); err == nil {
		t.Error("PredictRow with no model: no error")
	}
	if _, err := p.Reload(); err == nil {
		t.Error("Reload with no file: no error")
	}
	if err := p.Watch(context.Background(), time.Second); err == nil {
		t.Error("Watch with no file: no error")
	}
	if err := p.Swap(nil); err == nil {
		t.Error("Swap(nil): no error")
	}
	m, _ := regress.NewLinear(3, 2, 1)
	if err := p.Publish(m); err != nil {
		t.Fatal(err)
	}
	if y, err := p.PredictRow(nil, []float32{1, 2, 3}); err != nil || len(y) != 2 || p.Stats().Swaps != 0 {
		t.Errorf("after Publish: %v, %v, %+v", y, err, p.Stats())
	}
}

// A model without bias is served as its file predicts.
func TestNoBias(t *testing.T) {
	m, err := regress.NewLinearNoBiasFrom([][]float32{{1, -2, 0.5}, {0.25, 3, -1}})
	if err != nil {
		t.Fatal(err)
	}
	mf, err := m.File()
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(mf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{1.5, -2, 4}
	if y, err := p.PredictRow(nil, x); err != nil || !equal(y, want(t, mf, x)) {
		t.Errorf("PredictRow = %v, %v; want %v", y, err, want(t, mf, x))
	}
}
