package regress

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// cropBatch is the tutorial's first five rows.
func cropBatch(tb testing.TB) (X, Y linalg.Dense) {
	X = mustDense(tb, [][]float32{{73, 67, 43}, {91, 88, 64}, {87, 134, 58}, {102, 43, 37}, {69, 96, 70}})
	Y = mustDense(tb, [][]float32{{56, 70}, {81, 101}, {119, 133}, {22, 37}, {103, 119}})
	return X, Y
}

// mediumData is the anchor's synthetic problem: n rows of d standard normal
// inputs, targets from a random d→o linear map plus a little noise.
func mediumData(tb testing.TB, n, d, o int) *data.Dataset {
	rng := rand.New(rand.NewPCG(1, 2))
	X, _ := linalg.New(n, d)
	Y, _ := linalg.New(n, o)
	W, _ := linalg.New(o, d)
	for i := range X.Data {
		X.Data[i] = float32(rng.NormFloat64())
	}
	for i := range W.Data {
		W.Data[i] = float32(rng.NormFloat64())
	}
	if err := linalg.MatMulBias(Y, X, W, nil); err != nil {
		tb.Fatal(err)
	}
	for i := range Y.Data {
		Y.Data[i] += 0.01 * float32(rng.NormFloat64())
	}
	ds, err := data.NewDataset(X, Y)
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// BenchmarkStep/seed: one SGD step (forward, MSE, gradients, update) on a
// 5-row batch of the crop data, 3 inputs → 2 outputs. PyTorch: ~314-619 µs.
func BenchmarkStep(b *testing.B) {
	b.Run("seed", func(b *testing.B) {
		X, Y := cropBatch(b)
		m, _ := NewLinear(3, 2, 1)
		opt, _ := NewSGD(SGDConfig{LR: 1e-5})
		tr, err := NewTrainer(m, MSE, opt, 5)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		zeroalloc.Loop(b, func() {
			for range b.N {
				if _, err := tr.Step(X, Y); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// peakGFLOPS measures the active kernels' FMA ceiling, in GFLOP/s.
func peakGFLOPS() float64 {
	im := edgefit.Active()
	im.PeakFMA(1000) // warm up
	best := 0.0
	for range 3 {
		start := time.Now()
		flops := im.PeakFMA(200_000)
		best = max(best, float64(flops)/time.Since(start).Seconds()/1e9)
	}
	return best
}

// BenchmarkEpoch/medium/workers=N: one shuffled epoch over 100,000 rows, 64
// inputs → 8 outputs, batch 256, plain SGD, every step shared by N workers
// (Trainer.SetWorkers): each gathers and trains on its share of the batch. A
// row costs 2048 flop (1024 in the forward pass, 1024 in the weight
// gradient). Reported: rows/s, GFLOP/s, and %peak against the active
// kernels' PeakFMA measured in the same run (one core's ceiling). PyTorch:
// ~57k rows/s with DataLoader, ~242k rows/s slicing by hand.
func BenchmarkEpoch(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("medium/workers=%d", w), func(b *testing.B) { benchEpoch(b, true, w) })
	}
}

// mediumTrainer returns a trainer of a d → o model with SGD at 0.01, made
// for batches of bs rows and run by workers goroutines, closed when b ends.
func mediumTrainer(b *testing.B, d, o, bs, workers int) *Trainer {
	m, _ := NewLinear(d, o, 0)
	opt, _ := NewSGD(SGDConfig{LR: 0.01})
	tr, err := NewTrainer(m, MSE, opt, bs)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tr.Close() })
	if err := tr.SetWorkers(workers); err != nil {
		b.Fatal(err)
	}
	return tr
}

func benchEpoch(b *testing.B, shuffle bool, workers int) {
	const n, d, o, bs = 100_000, 64, 8, 256
	ds := mediumData(b, n, d, o)
	tr := mediumTrainer(b, d, o, bs, workers)
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: bs, Shuffle: shuffle, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	peak := peakGFLOPS()
	timeEpochs(b, tr, l)
	sec := b.Elapsed().Seconds()
	rows := float64(n) * float64(b.N) / sec
	gflops := rows * 2 * (d*o + d*o) / 1e9
	b.ReportMetric(rows, "rows/s")
	b.ReportMetric(gflops, "GFLOP/s")
	b.ReportMetric(peak, "peakGFLOP/s")
	b.ReportMetric(100*gflops/peak, "%peak")
}

// timeEpochs times b.N epochs of l by tr, failing if the loop allocates
// (zeroalloc.Loop).
func timeEpochs(b *testing.B, tr *Trainer, l *data.Loader) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	zeroalloc.Loop(b, func() {
		for range b.N {
			if _, err := tr.Epoch(ctx, l); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEpochInOrder/medium: BenchmarkEpoch/medium/workers=1 without
// shuffling, so that batches are views of the dataset and nothing is
// gathered: the cost of the training arithmetic alone, for comparison.
func BenchmarkEpochInOrder(b *testing.B) {
	b.Run("medium", func(b *testing.B) { benchEpoch(b, false, 1) })
}

// BenchmarkLoader/medium: the shuffled epoch of BenchmarkEpoch/medium without
// the training, gathered by data.Loader.Next in one goroutine, to show what
// gathering the batches costs on its own.
func BenchmarkLoader(b *testing.B) {
	b.Run("medium", benchLoader)
}

func benchLoader(b *testing.B) {
	const n, d, o, bs = 100_000, 64, 8, 256
	ds := mediumData(b, n, d, o)
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: bs, Shuffle: true, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	zeroalloc.Loop(b, func() {
		for range b.N {
			l.Reset()
			for {
				if _, _, ok := l.Next(); !ok {
					break
				}
			}
		}
	})
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkStepWorkers: one SGD step on a batch already in cache, 64 → 8,
// over batches of growing size and 1 or 2 workers: where sharing a step
// starts to pay (minChunkWork, in rows·In·Out per chunk).
func BenchmarkStepWorkers(b *testing.B) {
	const d, o = 64, 8
	ds := mediumData(b, 256, d, o)
	for _, rows := range []int{32, 64, 128, 256} {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("rows=%d/workers=%d", rows, w), func(b *testing.B) {
				m, _ := NewLinear(d, o, 0)
				opt, _ := NewSGD(SGDConfig{LR: 1e-3})
				tr, err := NewTrainer(m, MSE, opt, rows)
				if err != nil {
					b.Fatal(err)
				}
				defer tr.Close()
				if err := tr.SetWorkers(w); err != nil {
					b.Fatal(err)
				}
				X, Y := ds.X.Slice(0, rows), ds.Y.Slice(0, rows)
				b.ReportAllocs()
				b.ResetTimer()
				zeroalloc.Loop(b, func() {
					for range b.N {
						if _, err := tr.Step(X, Y); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}

// BenchmarkEvaluate/medium/workers=N: Evaluate over the 100,000 rows of
// BenchmarkEpoch/medium, as a validation split is, with a trainer made for
// batches of 256 rows: the forward pass over data streamed from memory.
func BenchmarkEvaluate(b *testing.B) {
	benchOverRows(b, func(tr *Trainer, ds *data.Dataset, _ linalg.Dense) error {
		_, err := tr.Evaluate(ds.X, ds.Y)
		return err
	})
}

// BenchmarkPredict/medium/workers=N: Trainer.Predict over the same rows.
func BenchmarkPredict(b *testing.B) {
	benchOverRows(b, func(tr *Trainer, ds *data.Dataset, P linalg.Dense) error {
		return tr.Predict(P, ds.X)
	})
}

// benchOverRows runs call, a forward pass over BenchmarkEpoch/medium's rows
// (P has a row for each), with 1 and 2 workers.
func benchOverRows(b *testing.B, call func(tr *Trainer, ds *data.Dataset, P linalg.Dense) error) {
	const n, d, o, bs = 100_000, 64, 8, 256
	ds := mediumData(b, n, d, o)
	P, _ := linalg.New(n, o)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("medium/workers=%d", w), func(b *testing.B) {
			tr := mediumTrainer(b, d, o, bs, w)
			peak := peakGFLOPS()
			b.ReportAllocs()
			b.ResetTimer()
			zeroalloc.Loop(b, func() {
				for range b.N {
					if err := call(tr, ds, P); err != nil {
						b.Fatal(err)
					}
				}
			})
			rows := float64(n) * float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rows, "rows/s")
			b.ReportMetric(100*rows*2*d*o/1e9/peak, "%peak")
		})
	}
}

// BenchmarkEpochTiny/{inorder,shuffled}: one epoch of the tutorial's size,
// 15 rows, 3 → 2, batches of 5: what a step costs beyond its arithmetic
// (a dataset this small is not prefetched: batches.PrefetchMinBytes).
func BenchmarkEpochTiny(b *testing.B) {
	for _, shuffle := range []bool{false, true} {
		name := map[bool]string{false: "inorder", true: "shuffled"}[shuffle]
		b.Run(name, func(b *testing.B) {
			ds := mediumData(b, 15, 3, 2)
			m, _ := NewLinear(3, 2, 0)
			opt, _ := NewSGD(SGDConfig{LR: 1e-5})
			tr, err := NewTrainer(m, MSE, opt, 5)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5, Shuffle: shuffle, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			timeEpochs(b, tr, l)
		})
	}
}
