package regress

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// train wrote a model whose header (17 MB of column names) the loader
// refused. The writer shares the reader's limits: Encode, modelfile.Save and
// Linear.File refuse such a model, writing nothing, and a header just under
// the limit is written and read back.
func TestModelWriterRefusesWhatReaderRefuses(t *testing.T) {
	over := sampleModel()
	over.Inputs = []string{strings.Repeat("n", modelfile.MaxHeader), "b", "c"}
	var buf bytes.Buffer
	if err := over.Encode(&buf); !errors.Is(err, modelfile.ErrTooLarge) || buf.Len() != 0 {
		t.Errorf("Encode: error %v and %d bytes written, want modelfile.ErrTooLarge and nothing", err, buf.Len())
	}
	dir := t.TempDir()
	if err := modelfile.Save(filepath.Join(dir, "m"), over); !errors.Is(err, modelfile.ErrTooLarge) {
		t.Errorf("SaveModel: error %v, want ErrModelTooLarge", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("SaveModel left %d files", len(entries))
	}
	m, _ := NewLinear(3, 2, 1)
	m.Inputs = over.Inputs
	if _, err := m.File(); !errors.Is(err, modelfile.ErrTooLarge) {
		t.Errorf("Linear.File: error %v, want ErrModelTooLarge", err)
	}

	// Just under the limit: written, and read back as it was.
	under := sampleModel()
	under.Inputs = []string{strings.Repeat("n", modelfile.MaxHeader-4096), "b", "c"}
	b := encode(t, under)
	if hlen := binary.LittleEndian.Uint64(b); hlen <= modelfile.MaxHeader-8192 || hlen > modelfile.MaxHeader {
		t.Fatalf("header of %d bytes: the test means to come within 8 KiB of the %d-byte limit", hlen, modelfile.MaxHeader)
	}
	got, err := modelfile.Decode(bytes.NewReader(b), int64(len(b)))
	if err != nil || got.Inputs[0] != under.Inputs[0] {
		t.Errorf("a header just under the limit does not load back: %v", err)
	}

	// The reader says the same of a header over the limit.
	b = binary.LittleEndian.AppendUint64(nil, modelfile.MaxHeader+8)
	b = append(b, make([]byte, modelfile.MaxHeader+8)...)
	if _, err := modelfile.Decode(bytes.NewReader(b), int64(len(b))); !errors.Is(err, modelfile.ErrTooLarge) {
		t.Errorf("DecodeModel of a header over the limit: error %v, want ErrModelTooLarge", err)
	}
}

// Targets around 1e20 made the float32 squared error overflow on the first
// batch, reported as divergence with the advice to lower the learning rate,
// which cannot help. It is an *OverflowError that says the targets are too
// large and to scale them, from Step, from Fit (naming the epoch) and through
// a Guard, which does not roll back for it.
func TestHugeTargetsOverflowNotDiverge(t *testing.T) {
	X, Y := cropXY()
	for i := range Y {
		Y[i] *= 1e18 // 2e19 … 1.3e20
	}
	m, _ := NewLinear(3, 2, 1)
	opt, _ := NewSGD(SGDConfig{LR: 1e-5})
	tr, err := NewTrainer(m, MSE, opt, 5)
	if err != nil {
		t.Fatal(err)
	}
	check := func(how string, err error, epoch int) {
		t.Helper()
		var o *OverflowError
		var d *DivergedError
		if !errors.As(err, &o) || errors.As(err, &d) {
			t.Fatalf("%s: error %v, want an *OverflowError only", how, err)
		}
		msg := err.Error()
		if o.Epoch != epoch || !strings.Contains(msg, "overflowed float32") || !strings.Contains(msg, "scale the targets") || strings.Contains(msg, "learning rate") {
			t.Errorf("%s: %q (epoch %d): want epoch %d, the overflow and the targets' scaling named, no learning rate", how, msg, o.Epoch, epoch)
		}
	}
	xd, _ := linalg.FromSlice(5, 3, X[:15])
	yd, _ := linalg.FromSlice(5, 2, Y[:10])
	before := append([]float32(nil), m.Params()...)
	_, err = tr.Step(xd, yd)
	check("Step", err, 0)
	if !equal(before, m.Params()) {
		t.Error("the overflowing step changed the model")
	}
	_, l := cropLoader(t, X, Y)
	_, err = tr.Fit(ctxBg, l, FitConfig{Epochs: 3})
	check("Fit", err, 1)
	g, err := NewGuard(tr, 5)
	if err != nil {
		t.Fatal(err)
	}
	st, err := tr.Epoch(ctxBg, l)
	retry, err := g.after(1, st.Loss, err)
	check("Guard", err, 1)
	if retry || g.Rollbacks() != 0 {
		t.Errorf("the guard rolled back (%d) for an overflow no learning rate avoids", g.Rollbacks())
	}
}

// One PartialFit step with a far too large rate took the weights to ~1e15
// while every value stayed finite, and only the next call failed. The step's
// result is guarded: it is undone, model and optimiser as they were, and
// reported; a sane rate on the same stream is never refused, nor Adam's
// fixed-size steps at the optimum, where the loss is ~0.
func TestOnlineUndoesExplodingStep(t *testing.T) {
	m, _ := NewLinearFrom([][]float32{{0}}, []float32{0})
	opt, _ := NewSGD(SGDConfig{LR: 1e15, Momentum: 0.5})
	o, err := NewOnline(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	var before Snapshot
	o.t.Snapshot(&before)
	loss, err := o.PartialFit([]float32{1}, []float32{1})
	var d *DivergedError
	if !errors.As(err, &d) || loss != 1 {
		t.Fatalf("exploding step: loss %v, error %v; want 1 and a *DivergedError", loss, err)
	}
	var after Snapshot
	o.t.Snapshot(&after)
	if !equal(before.Params, after.Params) || !equal(before.State, after.State) || before.Steps != after.Steps {
		t.Errorf("the exploding step was not undone: params %v state %v steps %d, were %v %v %d", after.Params, after.State, after.Steps, before.Params, before.State, before.Steps)
	}
	// With a sane rate the same stream trains.
	if err := opt.SetLR(0.1); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		x := float32(i%5) - 2
		if _, err := o.PartialFit([]float32{x}, []float32{3*x + 1}); err != nil {
			t.Fatalf("sample %d with a sane rate: %v", i, err)
		}
	}
	// Adam started at the exact solution: loss 0 before each step, small
	// but non-zero after; no false alarm.
	m2, _ := NewLinearFrom([][]float32{{3}}, []float32{1})
	adam, _ := NewAdam(AdamDefaults(1e-3))
	o2, err := NewOnline(m2, adam)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		x := float32(i%5) - 2
		if _, err := o2.PartialFit([]float32{x}, []float32{3*x + 1}); err != nil {
			t.Fatalf("Adam at the optimum, sample %d: %v", i, err)
		}
	}
}
