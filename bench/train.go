package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"gonum.org/v1/gonum/mat"
)

// A trainTask is one linear regression problem trained by minibatch SGD on
// the mean squared error, with a fresh random order of the rows every epoch:
// the tutorial's fit(), as every library here runs it.
type trainTask struct {
	name    string // short key: "tutorial" or "medium"
	label   string // what the reader sees
	n, d, o int    // rows, inputs, outputs
	batch   int
	epochs  int
	lr      float64
	X, Y    []float32 // n×d and n×o, row-major
}

func (t *trainTask) steps() int { return t.epochs * ((t.n + t.batch - 1) / t.batch) }

// tutorialTask is the crops data of the tutorial (temperature, rainfall,
// humidity → apples, oranges) with its training settings: nn.Linear(3, 2),
// batch 5, 100 epochs, lr 1e-5.
func tutorialTask() *trainTask {
	X := []float32{73, 67, 43, 91, 88, 64, 87, 134, 58, 102, 43, 37, 69, 96, 70, 74, 66, 43, 91, 87, 65, 88, 134, 59, 101, 44, 37, 68, 96, 71, 73, 66, 44, 92, 87, 64, 87, 135, 57, 103, 43, 36, 68, 97, 70}
	Y := []float32{56, 70, 81, 101, 119, 133, 22, 37, 103, 119, 57, 69, 80, 102, 118, 132, 21, 38, 104, 118, 57, 69, 82, 100, 118, 134, 20, 38, 102, 120}
	return &trainTask{name: "tutorial", label: "tutorial: 15×3 → 2, batch 5, 100 epochs", n: 15, d: 3, o: 2, batch: 5, epochs: 100, lr: 1e-5, X: X, Y: Y}
}

// syntheticTask is n rows of d standard normal inputs and o outputs that are
// a fixed random linear function of them plus a little noise, trained for the
// given epochs in batches of 256 with lr 0.01.
func syntheticTask(n, d, o, epochs int) *trainTask {
	r := rand.New(rand.NewPCG(7, 11))
	norm := func(k int, scale float64) []float32 {
		v := make([]float32, k)
		for i := range v {
			v[i] = float32(scale * r.NormFloat64())
		}
		return v
	}
	X, W, b := norm(n*d, 1), norm(o*d, 1), norm(o, 1)
	noise := norm(n*o, 0.01)
	Y := make([]float32, n*o)
	edgefit.Implementations()[0].MatMulBias(n, o, d, X, d, W, d, b, Y, o)
	for i := range Y {
		Y[i] += noise[i]
	}
	label := fmt.Sprintf("%s×%d → %d, batch 256, %d epochs", thousands(n), d, o, epochs)
	if epochs == 1 {
		label = strings.Replace(label, "epochs", "epoch", 1)
	}
	return &trainTask{name: "medium", label: label, n: n, d: d, o: o, batch: 256, epochs: epochs, lr: 0.01, X: X, Y: Y}
}

// A trainer is one library's SGD for a task: fit trains a fresh model from
// seed (initialisation and shuffling both come from it) and mse evaluates the
// model it left on every row of the task, in float64.
type trainer struct {
	name  string
	fit   func(seed uint64) error
	mse   func() float64
	param func() (W, b []float64) // the trained parameters, for the tests
}

// contender times tr. measureTraining has run fit once and returned its
// error, if any, before timing: on the same data it cannot fail afterwards.
func (tr trainer) contender() contender {
	return contender{name: tr.name, run: func(iters int) {
		for range iters {
			if err := tr.fit(1); err != nil {
				panic(err)
			}
		}
	}}
}

// initParams draws W (o×d) and b (o) uniform in ±1/√d, nn.Linear's default
// initialisation, from r.
func initParams(r *rand.Rand, W, b []float32, d int) {
	bound := float32(1 / math.Sqrt(float64(d)))
	for i := range W {
		W[i] = bound * (2*r.Float32() - 1)
	}
	for i := range b {
		b[i] = bound * (2*r.Float32() - 1)
	}
}

// mse64 is the mean squared error of Y ≈ X·Wᵀ + b over the whole task, in
// float64 so that every library's model is judged by the same arithmetic.
func mse64(t *trainTask, W, b []float64) float64 {
	var s float64
	for i := 0; i < t.n; i++ {
		for j := 0; j < t.o; j++ {
			p := b[j]
			for k := 0; k < t.d; k++ {
				p += float64(t.X[i*t.d+k]) * W[j*t.d+k]
			}
			e := p - float64(t.Y[i*t.o+j])
			s += e * e
		}
	}
	return s / float64(t.n*t.o)
}

func to64(v []float32) []float64 {
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = float64(x)
	}
	return w
}

// gonumTrainer is the SGD a Go programmer writes today with gonum's mat
// package, in float64 (mat has no float32 matrices): gather the batch's rows,
// P = Xb·Wᵀ + b, R = P − Tb, the batch's loss ‖R‖²/N (as fit() computes it
// every step), ∂W = (2/N)·Rᵀ·Xb, ∂b = (2/N)·colsum(R), step.
// It draws its initial parameters and its orders as the other Go trainers
// do, so that with the same seed they train the same model.
func gonumTrainer(t *trainTask) trainer {
	n, d, o, bs := t.n, t.d, t.o, t.batch
	X := mat.NewDense(n, d, to64(t.X))
	Y := mat.NewDense(n, o, to64(t.Y))
	W := mat.NewDense(o, d, nil)
	b := make([]float64, o)
	lr := float64(t.lr)
	var loss float64 // of the last batch
	fit := func(seed uint64) error {
		r := rand.New(rand.NewPCG(seed, 0))
		W32, b32 := make([]float32, o*d), make([]float32, o)
		initParams(r, W32, b32, d)
		W = mat.NewDense(o, d, to64(W32))
		copy(b, to64(b32))
		Xb, Tb := mat.NewDense(bs, d, nil), mat.NewDense(bs, o, nil)
		for range t.epochs {
			perm := r.Perm(n)
			for start := 0; start < n; start += bs {
				rows := min(bs, n-start)
				xb := Xb.Slice(0, rows, 0, d).(*mat.Dense)
				tb := Tb.Slice(0, rows, 0, o).(*mat.Dense)
				for i := 0; i < rows; i++ {
					xb.SetRow(i, X.RawRowView(perm[start+i]))
					tb.SetRow(i, Y.RawRowView(perm[start+i]))
				}
				var R mat.Dense
				R.Mul(xb, W.T())
				for i := 0; i < rows; i++ {
					row := R.RawRowView(i)
					for j := range row {
						row[j] += b[j]
					}
				}
				R.Sub(&R, tb)
				fro := mat.Norm(&R, 2)
				loss = fro * fro / float64(rows*o)
				scale := 2 / float64(rows*o)
				var G mat.Dense
				G.Mul(R.T(), xb)
				G.Scale(-lr*scale, &G)
				W.Add(W, &G)
				for j := 0; j < o; j++ {
					b[j] -= lr * scale * mat.Sum(R.ColView(j))
				}
			}
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("diverged: last batch loss %g", loss)
		}
		return nil
	}
	param := func() ([]float64, []float64) { return rowMajor(W), append([]float64(nil), b...) }
	return trainer{
		name:  "gonum mat (float64)",
		fit:   fit,
		mse:   func() float64 { w, bb := param(); return mse64(t, w, bb) },
		param: param,
	}
}

func rowMajor(a *mat.Dense) []float64 {
	r, c := a.Dims()
	v := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		v = append(v, a.RawRowView(i)...)
	}
	return v
}

// kernelTrainer is the same SGD written directly on edgefit's kernels, in
// float32, with every buffer allocated once: the floor under any trainer
// built on them.
func kernelTrainer(t *trainTask) trainer {
	n, d, o, bs := t.n, t.d, t.o, t.batch
	W, b := make([]float32, o*d), make([]float32, o)
	Xb, Tb := make([]float32, bs*d), make([]float32, bs*o)
	R, G, g := make([]float32, bs*o), make([]float32, o*d), make([]float32, o)
	perm := make([]int, n)
	lr := float32(t.lr)
	var loss float32 // of the last batch
	fit := func(seed uint64) error {
		r := rand.New(rand.NewPCG(seed, 0))
		initParams(r, W, b, d)
		for range t.epochs {
			for i := range perm {
				perm[i] = i
			}
			r.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			for start := 0; start < n; start += bs {
				rows := min(bs, n-start)
				for i := 0; i < rows; i++ {
					copy(Xb[i*d:(i+1)*d], t.X[perm[start+i]*d:])
					copy(Tb[i*o:(i+1)*o], t.Y[perm[start+i]*o:])
				}
				edgefit.MatMulBias(rows, o, d, Xb, d, W, d, b, R, o)
				loss = edgefit.SqErr(R[:rows*o], R[:rows*o], Tb[:rows*o]) / float32(rows*o)
				alpha := 2 / float32(rows*o)
				edgefit.GradW(rows, o, d, alpha, R, o, Xb, d, 0, G, d)
				edgefit.ColSums(rows, o, alpha, R, o, 0, g)
				edgefit.Axpy(-lr, G, W)
				edgefit.Axpy(-lr, g, b)
			}
		}
		if l := float64(loss); math.IsNaN(l) || math.IsInf(l, 0) {
			return fmt.Errorf("diverged: last batch loss %g", l)
		}
		return nil
	}
	param := func() ([]float64, []float64) { return to64(W), to64(b) }
	return trainer{
		name:  "edgefit kernels, hand loop",
		fit:   fit,
		mse:   func() float64 { w, bb := param(); return mse64(t, w, bb) },
		param: param,
	}
}

// writeFloats writes v as little-endian float32, the layout numpy.fromfile
// reads with dtype '<f4', so the Python side trains on the very same data.
func writeFloats(path string, v []float32) error {
	buf := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
	}
	return os.WriteFile(path, buf, 0o644)
}

// edgefitTrainer is edgefit's trainer as its documentation shows it: a
// Dataset over the task's rows (made once, as data is loaded once), then for
// every run a model, an SGD optimiser, a shuffling Loader and Trainer.Fit.
// The initial weights and the order of every epoch come from the seed as the
// other Go trainers draw them (NewLinearFrom, and the Loader's Order hook in
// place of its own shuffle, which costs the same), so that the tests can hold
// all of them to one model.
func edgefitTrainer(t *trainTask) (trainer, error) {
	n, d, o, bs := t.n, t.d, t.o, t.batch
	X, err := linalg.FromSlice(n, d, t.X)
	if err != nil {
		return trainer{}, err
	}
	Y, err := linalg.FromSlice(n, o, t.Y)
	if err != nil {
		return trainer{}, err
	}
	ds, err := data.NewDataset(X, Y)
	if err != nil {
		return trainer{}, err
	}
	var model *regress.Linear
	W32, b32 := make([]float32, o*d), make([]float32, o)
	fit := func(seed uint64) error {
		r := rand.New(rand.NewPCG(seed, 0))
		initParams(r, W32, b32, d)
		rows := make([][]float32, o)
		for j := range rows {
			rows[j] = W32[j*d : (j+1)*d]
		}
		m, err := regress.NewLinearFrom(rows, b32)
		if err != nil {
			return err
		}
		opt, err := regress.NewSGD(regress.SGDConfig{LR: t.lr})
		if err != nil {
			return err
		}
		l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: bs, Shuffle: true, Order: perms{r}})
		if err != nil {
			return err
		}
		tr, err := regress.NewTrainer(m, regress.MSE, opt, bs)
		if err != nil {
			return err
		}
		defer tr.Close()
		// One worker, as every other contender here runs on one thread
		// and times are the process's CPU time; regress's benchmarks
		// measure more workers.
		if err := tr.SetWorkers(1); err != nil {
			return err
		}
		model = m
		_, err = tr.Fit(context.Background(), l, regress.FitConfig{Epochs: t.epochs})
		return err
	}
	param := func() ([]float64, []float64) {
		return to64(model.W.Data[:o*d]), to64(model.B)
	}
	return trainer{
		name:  "edgefit trainer",
		fit:   fit,
		mse:   func() float64 { w, bb := param(); return mse64(t, w, bb) },
		param: param,
	}, nil
}

// perms gives edgefit's Loader the orders that rand.Perm draws from r, the
// orders of the other Go trainers.
type perms struct{ r *rand.Rand }

func (p perms) Permutation(epoch int, perm []int) error {
	for i := range perm {
		perm[i] = i
	}
	p.r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	return nil
}

// goTrainers are the Go contenders for task t, edgefit's trainer first: the
// reference of the ratios.
func goTrainers(t *trainTask) ([]trainer, error) {
	ef, err := edgefitTrainer(t)
	if err != nil {
		return nil, fmt.Errorf("edgefit trainer on %s: %v", t.label, err)
	}
	return []trainer{ef, kernelTrainer(t), gonumTrainer(t)}, nil
}

// trainRef is the row of a training table that ratios are taken against.
func trainRef(tr trainResult) string { return tr.rows[0].lib }

// checkTrained fails unless a trainer's model has a finite error below half
// that of an untrained model (nn.Linear's initialisation): a trainer that
// diverged or never stepped is not worth timing.
func checkTrained(t *trainTask, name string, mse float64) error {
	W, b := make([]float32, t.o*t.d), make([]float32, t.o)
	initParams(rand.New(rand.NewPCG(1, 0)), W, b, t.d)
	untrained := mse64(t, to64(W), to64(b))
	if math.IsNaN(mse) || math.IsInf(mse, 0) || !(mse < untrained/2) {
		return fmt.Errorf("%s on %s: MSE after training %g, untrained %g: it did not train", name, t.label, mse, untrained)
	}
	return nil
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
