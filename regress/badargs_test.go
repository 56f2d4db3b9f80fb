package regress

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// badArgCase calls one exported function or method with bad arguments.
type badArgCase struct {
	name string
	call func() error
}

// Every exported function and method of regress and linalg's operations,
// called with bad arguments (nil, wrong lengths, negative counts, shapes that
// disagree, misuse such as one optimiser for two trainers), returns an error
// and does not panic.
func TestBadArgumentsAreErrors(t *testing.T) {
	var cases []badArgCase
	for _, part := range [][]badArgCase{
		linalgBadArgs(), modelBadArgs(), trainerBadArgs(t), optimBadArgs(t),
		statsBadArgs(), onlineBadArgs(t), dataBadArgs(), modelFileBadArgs(t), csvBadArgs(t),
	} {
		cases = append(cases, part...)
	}
	for _, c := range cases {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panicked: %v", c.name, r)
					err = nil
				}
			}()
			return c.call()
		}()
		t.Logf("%s: %v", c.name, err)
		if err == nil {
			t.Errorf("%s: no error", c.name)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error of several lines: %q", c.name, err)
		}
	}
}

func zeros(rows, cols int) linalg.Dense {
	d, _ := linalg.New(rows, cols)
	return d
}

func linalgBadArgs() []badArgCase {
	X, W, Y := zeros(4, 3), zeros(2, 3), zeros(4, 2)
	nilX := linalg.Dense{Rows: 4, Cols: 3, Stride: 3}
	return []badArgCase{
		{"MatMulBias X without data", func() error { return linalg.MatMulBias(Y, nilX, W, nil) }},
		{"MatMulBias W of other width", func() error { return linalg.MatMulBias(Y, X, zeros(2, 4), nil) }},
		{"MatMulBias Y of other shape", func() error { return linalg.MatMulBias(zeros(3, 2), X, W, nil) }},
		{"MatMulBias short bias", func() error { return linalg.MatMulBias(Y, X, W, []float32{1}) }},
		{"MatMulBias negative rows", func() error { return linalg.MatMulBias(Y, linalg.Dense{Rows: -1, Cols: 3, Stride: 3}, W, nil) }},
		{"SqErr shapes", func() error { _, err := linalg.SqErr(Y, Y, zeros(4, 3)); return err }},
		{"SqErr R without data", func() error { _, err := linalg.SqErr(linalg.Dense{Rows: 4, Cols: 2, Stride: 2}, Y, Y); return err }},
		{"SqErrSum shapes", func() error { _, err := linalg.SqErrSum(Y, zeros(2, 4)); return err }},
		{"SqErrSum nil data", func() error {
			_, err := linalg.SqErrSum(linalg.Dense{Rows: 1, Cols: 1, Stride: 1}, zeros(1, 1))
			return err
		}},
		{"GradW rows", func() error { return linalg.GradW(zeros(2, 3), 1, Y, zeros(3, 3), 0) }},
		{"GradW G shape", func() error { return linalg.GradW(zeros(3, 3), 1, Y, X, 0) }},
		{"GradW stride", func() error { return linalg.GradW(W, 1, Y, linalg.Dense{Rows: 4, Cols: 3, Stride: 2, Data: X.Data}, 0) }},
		{"ColSums length", func() error { return linalg.ColSums(make([]float32, 3), 1, Y, 0) }},
		{"ColSums nil data", func() error {
			return linalg.ColSums(make([]float32, 2), 1, linalg.Dense{Rows: 4, Cols: 2, Stride: 2}, 0)
		}},
	}
}

func modelBadArgs() []badArgCase {
	m, _ := NewLinear(3, 2, 1)
	return []badArgCase{
		{"NewLinear 0 inputs", func() error { _, err := NewLinear(0, 1, 1); return err }},
		{"NewLinear negative outputs", func() error { _, err := NewLinear(1, -1, 1); return err }},
		{"NewLinearFrom nil", func() error { _, err := NewLinearFrom(nil, nil); return err }},
		{"NewLinearFrom ragged", func() error { _, err := NewLinearFrom([][]float32{{1, 2}, {3}}, nil); return err }},
		{"NewLinearFrom bias length", func() error { _, err := NewLinearFrom([][]float32{{1}}, []float32{1, 2}); return err }},
		{"NewLinearFrom NaN", func() error { _, err := NewLinearFrom([][]float32{{float32(math.NaN())}}, nil); return err }},
		{"Predict inputs of other width", func() error { return m.Predict(zeros(1, 2), zeros(1, 2)) }},
		{"Predict outputs of other shape", func() error { return m.Predict(zeros(2, 2), zeros(1, 3)) }},
		{"Predict inputs without data", func() error { return m.Predict(zeros(1, 2), linalg.Dense{Rows: 1, Cols: 3, Stride: 3}) }},
		{"Predict with a zero Linear", func() error { return (&Linear{}).Predict(zeros(1, 0), zeros(1, 0)) }},
		{"PredictRow short row", func() error { _, err := m.PredictRow(nil, []float32{1}); return err }},
		{"Loss Value shapes", func() error { _, err := MSE.Value(zeros(2, 2), zeros(2, 1)); return err }},
		{"Loss Value unknown loss", func() error { _, err := Loss(9).Value(zeros(1, 1), zeros(1, 1)); return err }},
		{"Loss Grad shapes", func() error { _, err := MSE.grad(zeros(2, 1), zeros(2, 2), zeros(2, 2)); return err }},
	}
}

func trainerBadArgs(t *testing.T) []badArgCase {
	m, _ := NewLinear(3, 2, 1)
	opt, _ := NewSGD(SGDConfig{LR: 0.1})
	tr, err := NewTrainer(m, MSE, opt, 4)
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := data.NewDataset(zeros(8, 3), zeros(8, 2))
	big, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 8})
	small, _ := data.NewLoader(ds, data.LoaderConfig{BatchSize: 2})
	newSGD := func() Optimizer { o, _ := NewSGD(SGDConfig{LR: 0.1}); return o }
	nilX := linalg.Dense{Rows: 2, Cols: 3, Stride: 3}
	var nilCtx context.Context
	return []badArgCase{
		{"NewTrainer nil model", func() error { _, err := NewTrainer(nil, MSE, newSGD(), 1); return err }},
		{"NewTrainer zero Linear", func() error { _, err := NewTrainer(&Linear{}, MSE, newSGD(), 1); return err }},
		{"NewTrainer nil optimiser", func() error { _, err := NewTrainer(m, MSE, nil, 1); return err }},
		{"NewTrainer typed nil SGD", func() error { _, err := NewTrainer(m, MSE, (*sgd)(nil), 1); return err }},
		{"NewTrainer typed nil Adam", func() error { _, err := NewTrainer(m, MSE, (*adam)(nil), 1); return err }},
		{"NewTrainer unknown loss", func() error { _, err := NewTrainer(m, Loss(7), newSGD(), 1); return err }},
		{"NewTrainer batch 0", func() error { _, err := NewTrainer(m, MSE, newSGD(), 0); return err }},
		{"NewTrainer negative batch", func() error { _, err := NewTrainer(m, MSE, newSGD(), -3); return err }},
		{"NewTrainer optimiser of another trainer", func() error {
			m2, _ := NewLinear(5, 1, 2)
			_, err := NewTrainer(m2, MSE, opt, 4)
			return err
		}},
		{"Backward shapes", func() error { _, err := tr.Backward(zeros(2, 2), zeros(2, 2)); return err }},
		{"Backward inputs without data", func() error { _, err := tr.Backward(nilX, zeros(2, 2)); return err }},
		{"Step too many rows", func() error { _, err := tr.Step(zeros(5, 3), zeros(5, 2)); return err }},
		{"Step empty batch", func() error { _, err := tr.Step(zeros(0, 3), zeros(0, 2)); return err }},
		{"Evaluate inputs without data", func() error { _, err := tr.Evaluate(nilX, zeros(2, 2)); return err }},
		{"Evaluate targets without data", func() error {
			_, err := tr.Evaluate(zeros(2, 3), linalg.Dense{Rows: 2, Cols: 2, Stride: 2})
			return err
		}},
		{"Evaluate shapes", func() error { _, err := tr.Evaluate(zeros(2, 3), zeros(3, 2)); return err }},
		{"Evaluate no rows", func() error { _, err := tr.Evaluate(zeros(0, 3), zeros(0, 2)); return err }},
		{"Epoch nil loader", func() error { _, err := tr.Epoch(ctxBg, nil); return err }},
		{"Epoch nil context", func() error { _, err := tr.Epoch(nilCtx, small); return err }},
		{"Fit nil loader", func() error { _, err := tr.Fit(ctxBg, nil, FitConfig{Epochs: 1}); return err }},
		{"Fit nil context", func() error { _, err := tr.Fit(nilCtx, small, FitConfig{Epochs: 1}); return err }},
		{"Fit 0 epochs", func() error { _, err := tr.Fit(ctxBg, small, FitConfig{}); return err }},
		{"Fit early stopping without validation rows", func() error {
			_, err := tr.Fit(ctxBg, small, FitConfig{Epochs: 1, EarlyStop: must(NewEarlyStop(1, 0, 6, 2))})
			return err
		}},
		{"Fit early stopping of other sizes", func() error {
			val := func(yield func(X, Y linalg.Dense) error) error { return nil }
			_, err := tr.Fit(ctxBg, small, FitConfig{Epochs: 1, EarlyStop: must(NewEarlyStop(1, 0, 5, 2)), Val: val})
			return err
		}},
		{"Fit no validation rows", func() error {
			val := func(yield func(X, Y linalg.Dense) error) error { return nil }
			_, err := tr.Fit(ctxBg, small, FitConfig{Epochs: 1, EarlyStop: must(NewEarlyStop(1, 0, 6, 2)), Val: val})
			return err
		}},
		{"Fit another trainer's guard", func() error {
			m2 := must(NewLinear(3, 2, 1))
			g := must(NewGuard(must(NewTrainer(m2, MSE, must(NewSGD(SGDConfig{LR: 1})), 2)), 1))
			_, err := tr.Fit(ctxBg, small, FitConfig{Epochs: 1, Guard: g})
			return err
		}},
		{"Fit nil stream", func() error { _, err := tr.Fit(ctxBg, (*data.Stream)(nil), FitConfig{Epochs: 1}); return err }},
		{"NewStream nil", func() error { _, err := data.NewStream(nil, data.LoaderConfig{BatchSize: 1}); return err }},
		{"NewStream batch 0", func() error {
			_, err := data.NewStream(func(func(X, Y linalg.Dense) error) error { return nil }, data.LoaderConfig{})
			return err
		}},
		{"Fit batches over the trainer's", func() error { _, err := tr.Fit(ctxBg, big, FitConfig{Epochs: 1}); return err }},
		{"Snapshot nil", func() error { return tr.Snapshot(nil) }},
		{"Restore nil", func() error { return tr.Restore(nil) }},
		{"Restore other size", func() error { return tr.Restore(&Snapshot{Params: make([]float32, 3)}) }},
		{"NewGuard nil trainer", func() error { _, err := NewGuard(nil, 1); return err }},
		{"NewGuard zero Trainer", func() error { _, err := NewGuard(&Trainer{}, 1); return err }},
		{"NewGuard negative rollbacks", func() error { _, err := NewGuard(tr, -1); return err }},
	}
}

func optimBadArgs(t *testing.T) []badArgCase {
	sgd, _ := NewSGD(SGDConfig{LR: 0.1, Momentum: 0.9})
	sgd.Init(4)
	plain, _ := NewSGD(SGDConfig{LR: 0.1})
	adam, _ := NewAdam(AdamDefaults(0.1))
	adam.Init(4)
	fresh, _ := NewAdam(AdamDefaults(0.1))
	p4, p3 := make([]float32, 4), make([]float32, 3)
	// An Adam given to one trainer, then to a second of the same size.
	shared, _ := NewAdam(AdamDefaults(0.1))
	m1, _ := NewLinear(1, 1, 1)
	m2, _ := NewLinear(1, 1, 2)
	if _, err := NewTrainer(m1, MSE, shared, 1); err != nil {
		t.Fatal(err)
	}
	return []badArgCase{
		{"NewSGD rate 0", func() error { _, err := NewSGD(SGDConfig{}); return err }},
		{"NewSGD negative momentum", func() error { _, err := NewSGD(SGDConfig{LR: 1, Momentum: -1}); return err }},
		{"NewSGD Nesterov without momentum", func() error { _, err := NewSGD(SGDConfig{LR: 1, Nesterov: true}); return err }},
		{"NewAdam beta1 1", func() error { c := AdamDefaults(1); c.Beta1 = 1; _, err := NewAdam(c); return err }},
		{"NewAdam NaN eps", func() error { c := AdamDefaults(1); c.Eps = math.NaN(); _, err := NewAdam(c); return err }},
		{"SGD Init negative", func() error { return sgd.Init(-1) }},
		{"SGD Step short gradient", func() error { return sgd.Step(p4, p3) }},
		{"SGD Step other length", func() error { return plain.Step(p3, p3) }},
		{"SGD SetLR NaN", func() error { return sgd.SetLR(math.NaN()) }},
		{"SGD SaveState short", func() error { _, err := sgd.SaveState(p3); return err }},
		{"SGD LoadState short", func() error { return sgd.LoadState(p3, 1) }},
		{"SGD LoadState negative steps", func() error { return sgd.LoadState(p4, -1) }},
		{"Adam Init negative", func() error { return adam.Init(-2) }},
		{"Adam Step other length", func() error { return adam.Step(p3, p3) }},
		{"Adam Step before Init", func() error { return fresh.Step(p3, p3) }},
		{"Adam SetLR Inf", func() error { return adam.SetLR(math.Inf(1)) }},
		{"Adam SaveState long", func() error { _, err := adam.SaveState(make([]float32, 9)); return err }},
		{"Adam LoadState short", func() error { return adam.LoadState(p3, 1) }},
		{"Adam shared by two trainers", func() error { _, err := NewTrainer(m2, MSE, shared, 1); return err }},
	}
}

func statsBadArgs() []badArgCase {
	w, _ := NewWelford(3)
	std := &Standardizer{Mean: []float32{0, 0, 0}, Scale: []float32{1, 1}}
	ok := &Standardizer{Mean: []float32{0, 0, 0}, Scale: []float32{1, 1, 1}}
	met, _ := NewMetrics(2)
	es, _ := NewEarlyStop(2, 0, 6, 2)
	x6 := make([]float32, 6)
	return []badArgCase{
		{"NewWelford negative", func() error { _, err := NewWelford(-1); return err }},
		{"Welford Add short", func() error { return w.add([]float32{1}) }},
		{"Welford AddRows short", func() error { return w.AddRows(rawDense(3, 3, 3, x6)) }},
		{"Welford AddRows negative", func() error { return w.AddRows(rawDense(-1, 3, 3, x6)) }},
		{"Welford AddRows stride", func() error { return w.AddRows(rawDense(2, 3, 2, x6)) }},
		{"Standardizer Apply mean and scale lengths", func() error { return std.applyChecked(rawDense(1, 3, 3, x6), rawDense(1, 3, 3, x6)) }},
		{"Standardizer Apply short X", func() error { return ok.applyChecked(rawDense(3, 3, 3, make([]float32, 9)), rawDense(3, 3, 3, x6)) }},
		{"Standardizer Apply short D", func() error { return ok.applyChecked(rawDense(2, 3, 3, x6[:5]), rawDense(2, 3, 3, x6)) }},
		{"Standardizer Apply huge m", func() error { return ok.applyChecked(rawDense(math.MaxInt, 3, 3, x6), rawDense(math.MaxInt, 3, 3, x6)) }},
		{"Standardizer Fold weights", func() error { return ok.fold(x6[:5], x6[:2], x6[:5], x6[:2]) }},
		{"Standardizer Fold mean and scale lengths", func() error { return std.fold(x6, x6[:2], x6, x6[:2]) }},
		{"Standardizer Unfold bias", func() error { return ok.unfold(x6, x6[:2], x6, x6[:1]) }},
		{"NewMetrics 0", func() error { _, err := NewMetrics(0); return err }},
		{"Metrics Add short", func() error { return met.Add(rawDense(4, 2, 2, x6), rawDense(4, 2, 2, x6)) }},
		{"Metrics Add negative", func() error { return met.Add(rawDense(-1, 2, 2, x6), rawDense(-1, 2, 2, x6)) }},
		{"zero Metrics Add", func() error { return (&Metrics{}).Add(rawDense(1, 2, 2, x6), rawDense(1, 2, 2, x6)) }},
		{"NewEarlyStop negative", func() error { _, err := NewEarlyStop(1, 0, -1, 1); return err }},
		{"NewEarlyStop NaN delta", func() error { _, err := NewEarlyStop(1, math.NaN(), 1, 1); return err }},
		{"EarlyStop Observe lengths", func() error { _, err := es.observe(0, 1, x6[:5], x6[:2]); return err }},
	}
}

func onlineBadArgs(t *testing.T) []badArgCase {
	m, _ := NewLinear(2, 1, 1)
	newSGD := func() Optimizer { o, _ := NewSGD(SGDConfig{LR: 0.1}); return o }
	std := &Standardizer{Mean: []float32{0, 0}, Scale: []float32{1, 1}}
	m2, _ := NewLinear(2, 1, 1)
	m2.Std = std
	o, err := NewOnline(m2, newSGD())
	if err != nil {
		t.Fatal(err)
	}
	return []badArgCase{
		{"NewOnline nil model", func() error { _, err := NewOnline(nil, newSGD()); return err }},
		{"NewOnline nil optimiser", func() error { _, err := NewOnline(m, nil); return err }},
		{"NewOnline short scale", func() error {
			c := m.Clone()
			c.Std = &Standardizer{Mean: []float32{0, 0}, Scale: []float32{1}}
			_, err := NewOnline(c, newSGD())
			return err
		}},
		{"NewOnline zero scale", func() error {
			c := m.Clone()
			c.Std = &Standardizer{Mean: []float32{0, 0}, Scale: []float32{1, 0}}
			_, err := NewOnline(c, newSGD())
			return err
		}},
		{"PartialFit short row", func() error { _, err := o.PartialFit([]float32{1}, []float32{1}); return err }},
		{"PartialFit after the standardizer shrank", func() error {
			std.Scale = std.Scale[:1]
			_, err := o.PartialFit([]float32{1, 2}, []float32{1})
			return err
		}},
	}
}

func dataBadArgs() []badArgCase {
	ds, _ := data.NewDataset(zeros(3, 1), zeros(3, 1))
	return []badArgCase{
		{"NewDataset rows", func() error { _, err := data.NewDataset(zeros(3, 1), zeros(2, 1)); return err }},
		{"NewDataset without data", func() error {
			_, err := data.NewDataset(linalg.Dense{Rows: 3, Cols: 1, Stride: 1}, zeros(3, 1))
			return err
		}},
		{"NewLoader nil", func() error { _, err := data.NewLoader(nil, data.LoaderConfig{BatchSize: 1}); return err }},
		{"NewLoader batch 0", func() error { _, err := data.NewLoader(ds, data.LoaderConfig{}); return err }},
		{"NewLoader hand-made dataset of unequal rows", func() error {
			_, err := data.NewLoader(&data.Dataset{X: zeros(3, 1), Y: zeros(2, 1)}, data.LoaderConfig{BatchSize: 2})
			return err
		}},
		{"NewLoader hand-made dataset without data", func() error {
			_, err := data.NewLoader(&data.Dataset{X: linalg.Dense{Rows: 3, Cols: 1, Stride: 1}, Y: zeros(3, 1)}, data.LoaderConfig{BatchSize: 2})
			return err
		}},
		{"Orders none", func() error { return data.Orders{}.Permutation(0, make([]int, 2)) }},
		{"Orders negative epoch", func() error { return data.Orders{{1, 0}}.Permutation(-1, make([]int, 2)) }},
		{"Orders length", func() error { return data.Orders{{1, 0}}.Permutation(0, make([]int, 3)) }},
	}
}

func modelFileBadArgs(t *testing.T) []badArgCase {
	dir := t.TempDir()
	good := encode(t, sampleModel())
	m, _ := NewLinear(3, 2, 1)
	short := sampleModel()
	short.W = short.W[:5]
	return []badArgCase{
		{"ModelFile Predict short row", func() error { return sampleModel().Predict(make([]float32, 2), []float32{75, 63}) }},
		{"ModelFile Predict short outputs", func() error { return sampleModel().Predict(make([]float32, 3), make([]float32, 6)) }},
		{"ModelFile Predict long outputs", func() error { return sampleModel().Predict(make([]float32, 4), make([]float32, 3)) }},
		{"ModelFile Predict partial row", func() error { return sampleModel().Predict(make([]float32, 2), make([]float32, 4)) }},
		{"ModelFile Predict inconsistent model", func() error { return short.Predict(make([]float32, 2), make([]float32, 3)) }},
		{"ModelFile Predict nil model", func() error { return (*modelfile.File)(nil).Predict(make([]float32, 2), make([]float32, 3)) }},
		{"ModelFile Check nil", func() error { return (*modelfile.File)(nil).Check() }},
		{"ModelFile Check short weights", func() error { return short.Check() }},
		{"ModelFile Linear inconsistent", func() error { _, err := LinearFromFile(short); return err }},
		{"ModelFile Linear nil", func() error { _, err := LinearFromFile(nil); return err }},
		{"Encode nil writer", func() error { return sampleModel().Encode(nil) }},
		{"Encode inconsistent", func() error { return short.Encode(&bytes.Buffer{}) }},
		{"DecodeModel nil reader", func() error { _, err := modelfile.Decode(nil, int64(len(good))); return err }},
		{"DecodeModel negative size", func() error { _, err := modelfile.Decode(bytes.NewReader(good), -1); return err }},
		{"SaveModel nil", func() error { return modelfile.Save(filepath.Join(dir, "m"), nil) }},
		{"SaveModel empty path", func() error { return modelfile.Save("", sampleModel()) }},
		{"LoadModel missing", func() error { _, err := modelfile.Load(filepath.Join(dir, "none")); return err }},
		{"Linear.File nil model", func() error { _, err := (*Linear)(nil).File(); return err }},
		{"Linear.File zero Linear", func() error { _, err := (&Linear{}).File(); return err }},
		{"Linear.File short scale", func() error {
			c := m.Clone()
			c.Std = &Standardizer{Mean: make([]float32, 3), Scale: []float32{1}}
			_, err := c.File()
			return err
		}},
		{"Linear.File names", func() error { c := m.Clone(); c.Inputs = []string{"a"}; _, err := c.File(); return err }},
	}
}

func csvBadArgs(t *testing.T) []badArgCase {
	path := filepath.Join(t.TempDir(), "d.csv")
	if err := os.WriteFile(path, []byte("a,b,y\n1,2,3\n4,5,6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cr, err := data.NewCSVReader(strings.NewReader("a,b,y\n1,2,3\n4,5,6\n"), "d.csv", []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := data.OpenCSVFile(path, []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fn := func(X, Y linalg.Dense) error { return nil }
	return []badArgCase{
		{"NewCSVReader nil reader", func() error { _, err := data.NewCSVReader(nil, "d.csv", []string{"y"}, nil); return err }},
		{"ReadTable nil reader", func() error { _, err := data.ReadTable(nil, "d.csv", []string{"y"}, nil, 0); return err }},
		{"ReadTable negative limit", func() error {
			_, err := data.ReadTable(strings.NewReader("a,y\n1,2\n"), "d.csv", []string{"y"}, nil, -1)
			return err
		}},
		{"ReadTable no target", func() error {
			_, err := data.ReadTable(strings.NewReader("a,y\n1,2\n"), "d.csv", nil, nil, 0)
			return err
		}},
		{"SelectColumns unknown", func() error { _, err := data.SelectColumns([]string{"a"}, []string{"z"}, nil); return err }},
		{"CSVReader Next short", func() error { return cr.Next(make([]float32, 1), make([]float32, 1)) }},
		{"CSVReader ReadBatch -1", func() error {
			_, err := cr.ReadBatch(rawDense(-1, 2, 2, make([]float32, 4)), rawDense(-1, 1, 1, make([]float32, 2)))
			return err
		}},
		{"CSVReader ReadBatch 0", func() error {
			_, err := cr.ReadBatch(rawDense(0, 2, 2, make([]float32, 4)), rawDense(0, 1, 1, make([]float32, 2)))
			return err
		}},
		{"CSVReader ReadBatch short", func() error {
			_, err := cr.ReadBatch(rawDense(3, 2, 2, make([]float32, 4)), rawDense(3, 1, 1, make([]float32, 3)))
			return err
		}},
		{"CSVReader ReadBatch huge", func() error {
			_, err := cr.ReadBatch(rawDense(math.MaxInt, 2, 2, make([]float32, 4)), rawDense(math.MaxInt, 1, 1, make([]float32, 2)))
			return err
		}},
		{"OpenCSVFile missing", func() error { _, err := data.OpenCSVFile(path+".none", []string{"y"}, nil); return err }},
		{"CSVFile Pass nil function", func() error { return f.Pass(make([]float32, 4), make([]float32, 2), nil) }},
		{"CSVFile Pass short buffers", func() error { return f.Pass(make([]float32, 1), make([]float32, 2), fn) }},
	}
}

// sampleModel is a consistent model file's contents (as in package modelfile's tests).
func sampleModel() *modelfile.File {
	return &modelfile.File{
		Inputs: []string{"temp", "rainfall", "humidity"}, Outputs: []string{"apples", "oranges"},
		In: 3, Out: 2,
		W:    []float32{-0.4, 0.85, 0.69, -0.28, 0.81, 0.88},
		B:    []float32{0.5, -1.25},
		Mean: []float32{83, 82, 55}, Scale: []float32{12.5, 30, 11},
	}
}

func encode(t testing.TB, mf *modelfile.File) []byte {
	var buf bytes.Buffer
	if err := mf.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
