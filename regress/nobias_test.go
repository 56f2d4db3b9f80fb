package regress

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// Models without bias, nn.Linear(bias=False): the model, its trainer and
// optimisers, online learning and the standardisation that suits them.

func TestNoBiasModel(t *testing.T) {
	m, err := NewLinearNoBias(3, 2, 9)
	if err != nil {
		t.Fatal(err)
	}
	withB, _ := NewLinear(3, 2, 9)
	if m.B != nil || m.hasBias() || !withB.hasBias() || len(m.Params()) != 6 || !slices.Equal(m.W.Data, withB.W.Data) {
		t.Fatalf("NewLinearNoBias: B %v, %d parameters, W %v; want B nil, 6 parameters, NewLinear's W %v", m.B, len(m.Params()), m.W.Data, withB.W.Data)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	X := randDense(rng, 7, 3, 5)
	P, _ := linalg.New(7, 2)
	if err := m.Predict(P, X); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < X.Rows; i++ {
		row, err := m.PredictRow(nil, X.Row(i))
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 2; j++ {
			var want, scale float64
			for k := 0; k < 3; k++ {
				want += float64(X.At(i, k)) * float64(m.W.At(j, k))
				scale += math.Abs(float64(X.At(i, k)) * float64(m.W.At(j, k)))
			}
			if d := math.Abs(float64(P.At(i, j)) - want); d > 1e-6*scale || P.At(i, j) != row[j] {
				t.Fatalf("row %d output %d: Predict %v, PredictRow %v, want W·x = %v", i, j, P.At(i, j), row[j], want)
			}
		}
	}
	c := m.Clone()
	if c.hasBias() || len(c.Params()) != 6 || c.valid("test") != nil {
		t.Fatalf("Clone of a model without bias: B %v, %d parameters", c.B, len(c.Params()))
	}
	f, err := NewLinearNoBiasFrom([][]float32{{1, 2, 3}, {4, 5, 6}})
	if err != nil || f.hasBias() || !slices.Equal(f.Params(), []float32{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("NewLinearNoBiasFrom: %v, %v", f, err)
	}
	// NewLinearFrom with a nil bias is still a zero bias.
	if z, _ := NewLinearFrom([][]float32{{1, 2, 3}}, nil); !z.hasBias() || len(z.Params()) != 4 {
		t.Fatalf("NewLinearFrom(W, nil) has no bias")
	}
	// A bias attached afterwards parts the model from its parameters.
	m.B = make([]float32, 2)
	if _, err := NewTrainer(m, MSE, newSGD(t, 1), 4); err == nil {
		t.Fatal("a model whose B was replaced trains")
	}
}

// refModel is a float64 model y = W·x, trained by a float64 transcription of
// torch.optim's update equations (optim.go).
type refModel struct {
	w, buf, m, v []float64
	steps        int
}

// step takes one step of o's configuration on rows X, Y with the MSE loss.
func (r *refModel) step(o Optimizer, X, Y linalg.Dense) {
	in, out := X.Cols, Y.Cols
	g := make([]float64, len(r.w))
	s := 2 / float64(X.Rows*out)
	for i := 0; i < X.Rows; i++ {
		for j := 0; j < out; j++ {
			var p float64
			for k := 0; k < in; k++ {
				p += float64(X.At(i, k)) * r.w[j*in+k]
			}
			res := p - float64(Y.At(i, j))
			for k := 0; k < in; k++ {
				g[j*in+k] += s * res * float64(X.At(i, k))
			}
		}
	}
	if r.buf == nil {
		r.buf, r.m, r.v = make([]float64, len(r.w)), make([]float64, len(r.w)), make([]float64, len(r.w))
	}
	r.steps++
	switch o := o.(type) {
	case *sgd:
		c := o.cfg
		for i := range r.w {
			gi := g[i] + c.WeightDecay*r.w[i]
			if c.Momentum != 0 {
				if r.steps == 1 {
					r.buf[i] = gi
				} else {
					r.buf[i] = c.Momentum*r.buf[i] + (1-c.Dampening)*gi
				}
				if c.Nesterov {
					gi += c.Momentum * r.buf[i]
				} else {
					gi = r.buf[i]
				}
			}
			r.w[i] -= c.LR * gi
		}
	case *adam:
		c := o.cfg
		t := float64(r.steps)
		for i := range r.w {
			gi := g[i] + c.WeightDecay*r.w[i]
			r.m[i] = c.Beta1*r.m[i] + (1-c.Beta1)*gi
			r.v[i] = c.Beta2*r.v[i] + (1-c.Beta2)*gi*gi
			mh := r.m[i] / (1 - math.Pow(c.Beta1, t))
			r.w[i] -= c.LR * mh / (math.Sqrt(r.v[i])/math.Sqrt(1-math.Pow(c.Beta2, t)) + c.Eps)
		}
	}
}

// noBiasOptimizers covers every branch of the optimisers' updates.
var noBiasOptimizers = map[string]func() Optimizer{
	"sgd": func() Optimizer { return must(NewSGD(SGDConfig{LR: 0.05})) },
	"sgd-nesterov-wd": func() Optimizer {
		return must(NewSGD(SGDConfig{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01}))
	},
	"sgd-momentum-dampening": func() Optimizer {
		return must(NewSGD(SGDConfig{LR: 0.05, Momentum: 0.8, Dampening: 0.3}))
	},
	"adam": func() Optimizer { return must(NewAdam(AdamDefaults(0.01))) },
	"adam-wd": func() Optimizer {
		return must(NewAdam(AdamConfig{LR: 0.05, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1}))
	},
}

// Steps of every optimiser on a model without bias, by the fused path, the
// kernels and two workers, follow the float64 reference, and the gradient is
// ∂L/∂W alone.
func TestNoBiasStepsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const in, out, rows = 4, 2, 48
	X := randDense(rng, rows, in, in+1)
	Y := randDense(rng, rows, out, out)
	for name, mk := range noBiasOptimizers {
		for _, how := range []string{"fused", "kernels", "2 workers"} {
			m, _ := NewLinearNoBias(in, out, 5)
			ref := &refModel{w: make([]float64, in*out)}
			for i, v := range m.W.Data {
				ref.w[i] = float64(v)
			}
			opt := mk()
			tr, err := NewTrainer(m, MSE, opt, rows)
			if err != nil {
				t.Fatal(err)
			}
			tr.path = map[string]path{"fused": pathFused, "kernels": pathKernels, "2 workers": pathKernels}[how]
			tr.SetWorkers(map[string]int{"fused": 1, "kernels": 1, "2 workers": 2}[how])
			for s := 0; s < 6; s++ {
				if _, err := tr.Step(X, Y); err != nil {
					t.Fatal(err)
				}
				ref.step(opt, X, Y)
			}
			tr.Close()
			if len(tr.Gradients()) != in*out || len(m.Params()) != in*out {
				t.Fatalf("%s, %s: %d gradients and %d parameters, want %d", name, how, len(tr.Gradients()), len(m.Params()), in*out)
			}
			scale := 0.0
			for _, v := range ref.w {
				scale = math.Max(scale, math.Abs(v))
			}
			for i, v := range m.Params() {
				if d := math.Abs(float64(v) - ref.w[i]); d > 1e-5*scale {
					t.Errorf("%s, %s: w[%d] = %v after 6 steps, float64 reference %v", name, how, i, v, ref.w[i])
				}
			}
		}
	}
}

// A model without bias computes the same ∂L/∂W, bit for bit, as one with a
// zero bias: nothing of the bias is left in the forward pass.
func TestNoBiasGradientIsZeroBiasGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, shape := range []struct{ in, out, rows int }{{3, 2, 5}, {40, 6, 200}} {
		X := randDense(rng, shape.rows, shape.in, shape.in)
		Y := randDense(rng, shape.rows, shape.out, shape.out)
		nb, _ := NewLinearNoBias(shape.in, shape.out, 1)
		zb, _ := NewLinear(shape.in, shape.out, 1)
		clear(zb.B)
		for _, p := range []path{pathFused, pathKernels} {
			t1, _ := NewTrainer(nb, MSE, newSGD(t, 1), shape.rows)
			t2, _ := NewTrainer(zb, MSE, newSGD(t, 1), shape.rows)
			t1.path, t2.path = p, p
			l1, err1 := t1.Backward(X, Y)
			l2, err2 := t2.Backward(X, Y)
			if err1 != nil || err2 != nil || l1 != l2 || !slices.Equal(t1.Gradients(), t2.Gradients()[:shape.in*shape.out]) {
				t.Fatalf("%v, path %d: loss %v and %v (%v, %v); the gradients differ", shape, p, l1, l2, err1, err2)
			}
			t1.Close()
			t2.Close()
		}
	}
}

// The hot paths allocate nothing for a model without bias either.
func TestNoBiasNoAllocations(t *testing.T) {
	ctx := context.Background()
	for _, shape := range []struct{ in, out, rows, batch int }{{3, 2, 15, 5}, {64, 8, 1000, 256}} {
		ds := mediumData(t, shape.rows, shape.in, shape.out)
		X, Y := ds.X.Slice(0, shape.batch), ds.Y.Slice(0, shape.batch)
		for name, mk := range noBiasOptimizers {
			m, _ := NewLinearNoBias(shape.in, shape.out, 7)
			tr, err := NewTrainer(m, MSE, mk(), shape.batch)
			if err != nil {
				t.Fatal(err)
			}
			l, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: shape.batch, Shuffle: true, Seed: 3})
			P, _ := linalg.New(shape.batch, shape.out)
			for op, f := range map[string]func(){
				"Step":     func() { _, err = tr.Step(X, Y) },
				"Epoch":    func() { _, err = tr.Epoch(ctx, l) },
				"Evaluate": func() { _, err = tr.Evaluate(ds.X, ds.Y) },
				"Predict":  func() { err = tr.Predict(P, X) },
			} {
				if a := zeroalloc.AllocsPerRun(20, f); a != 0 || err != nil {
					t.Errorf("%d→%d, %s: %s: %v allocations per run (err %v), want 0", shape.in, shape.out, name, op, a, err)
				}
			}
			tr.Close()
		}
	}
}

// Online learning without bias, on inputs scaled by ScaleOnly, is the
// float64 reference's SGD on x/s, one sample at a time, and allocates
// nothing.
func TestOnlineNoBias(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const in, out, n = 3, 2, 40
	X := randDense(rng, n, in, in)
	Y := randDense(rng, n, out, out)
	for i := range X.Data {
		X.Data[i] = 50 + 5*X.Data[i] // far from 0: the scaling matters
	}
	w, _ := NewWelford(in)
	w.AddRows(X)
	std := w.ScaleOnly()
	m, _ := NewLinearNoBias(in, out, 2)
	ref := &refModel{w: make([]float64, in*out)}
	for i, v := range m.W.Data {
		ref.w[i] = float64(v)
	}
	opt := newSGD(t, 0.05)
	m.Std = std
	o, err := NewOnline(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	xs, _ := linalg.New(1, in)
	for i := 0; i < n; i++ {
		if _, err := o.PartialFit(X.Row(i), Y.Row(i)); err != nil {
			t.Fatal(err)
		}
		std.applyChecked(xs, X.Slice(i, i+1))
		ref.step(opt, xs, Y.Slice(i, i+1))
	}
	for i, v := range m.Params() {
		if d := math.Abs(float64(v) - ref.w[i]); d > 1e-5*math.Max(1, math.Abs(ref.w[i])) {
			t.Errorf("w[%d] = %v after %d samples, float64 reference %v", i, v, n, ref.w[i])
		}
	}
	x, y := X.Row(0), Y.Row(0)
	if a := zeroalloc.AllocsPerRun(50, func() { o.PartialFit(x, y) }); a != 0 {
		t.Errorf("PartialFit: %v allocations per run, want 0", a)
	}
}

// ScaleOnly divides by the root mean square and centres nothing; Fold and
// Unfold of a model without bias accept it and refuse a mean.
func TestScaleOnlyAndFoldWithoutBias(t *testing.T) {
	rows := [][]float32{{1, 5, 0, -3}, {2, 5, 0, 4}, {4, 5, 0, -1}, {-2, 5, 0, 2.5}}
	w, _ := NewWelford(4)
	for _, r := range rows {
		w.add(r)
	}
	s := w.ScaleOnly()
	for p := 0; p < 4; p++ {
		var ss float64
		for _, r := range rows {
			ss += float64(r[p]) * float64(r[p])
		}
		want := math.Sqrt(ss / float64(len(rows)))
		if want == 0 {
			want = 1 // an input that is always 0
		}
		if s.Mean[p] != 0 || math.Abs(float64(s.Scale[p])-want) > 1e-6*want {
			t.Errorf("input %d: mean %v, scale %v; want 0 and the root mean square %v", p, s.Mean[p], s.Scale[p], want)
		}
	}
	// Weights for x/s folded into weights for x predict the same.
	W := []float32{0.5, -1, 2, 0.25, 3, 1.5, -0.5, 1}
	raw := make([]float32, len(W))
	if err := s.fold(W, nil, raw, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for j := 0; j < 2; j++ {
			var a, b float64
			for p := 0; p < 4; p++ {
				a += float64(W[j*4+p]) * float64(r[p]) / float64(s.Scale[p])
				b += float64(raw[j*4+p]) * float64(r[p])
			}
			if math.Abs(a-b) > 1e-6*math.Max(1, math.Abs(a)) {
				t.Fatalf("output %d on %v: %v standardised, %v folded", j, r, a, b)
			}
		}
	}
	back := make([]float32, len(W))
	if err := s.unfold(raw, nil, back, nil); err != nil {
		t.Fatal(err)
	}
	for i := range W {
		if math.Abs(float64(back[i]-W[i])) > 1e-6*math.Abs(float64(W[i])) {
			t.Fatalf("Unfold(Fold(W))[%d] = %v, want %v", i, back[i], W[i])
		}
	}
	// Centring cannot be folded into a model without bias.
	centred := w.Standardizer()
	dst := slices.Clone(raw)
	if err := centred.fold(W, nil, dst, nil); err == nil || !strings.Contains(err.Error(), "ScaleOnly") || !slices.Equal(dst, raw) {
		t.Fatalf("Fold of means into a model without bias: %v (weights written: %v)", err, !slices.Equal(dst, raw))
	}
	if err := centred.unfold(raw, nil, dst, nil); err == nil {
		t.Fatal("Unfold of means into a model without bias: no error")
	}
	if err := s.fold(W, nil, raw, make([]float32, 2)); err == nil {
		t.Fatal("Fold from no bias into a bias: no error")
	}
}
