package regress

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgefit/edgefit/linalg"
)

// The fused small-model path and the kernel path compute the same loss and
// gradients as a float64 evaluation of the formulas autograd differentiates,
// on many shapes, with strided (non-contiguous) batches, for both losses.
func TestBackwardPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		in, out, rows := 1+rng.IntN(9), 1+rng.IntN(5), 1+rng.IntN(40)
		loss := Loss(trial % 2)
		X := randDense(rng, rows, in, in+rng.IntN(3))
		Y := randDense(rng, rows, out, out+rng.IntN(3))
		m, _ := NewLinear(in, out, uint64(trial))

		// float64 reference: P = X·Wᵀ + b, R = P − Y, L = s·ΣR²,
		// ∂W = 2s·Rᵀ·X, ∂b = 2s·Σᵢ R (s = 1/N for MSE, 1 for the sum).
		s := 1.0
		if loss == MSE {
			s = 1 / float64(rows*out)
		}
		var L float64
		gW := make([]float64, out*in)
		gb := make([]float64, out)
		for i := 0; i < rows; i++ {
			for j := 0; j < out; j++ {
				p := float64(m.B[j])
				for k := 0; k < in; k++ {
					p += float64(X.At(i, k)) * float64(m.W.At(j, k))
				}
				r := p - float64(Y.At(i, j))
				L += s * r * r
				gb[j] += 2 * s * r
				for k := 0; k < in; k++ {
					gW[j*in+k] += 2 * s * r * float64(X.At(i, k))
				}
			}
		}
		want := append(gW, gb...)
		for _, tiny := range []bool{true, false} {
			tr, err := NewTrainer(m, loss, newSGD(t, 1), rows)
			if err != nil {
				t.Fatal(err)
			}
			tr.path = pathKernels
			if tiny {
				tr.path = pathFused
			}
			got, err := tr.Backward(X, Y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(float64(got)-L) > 1e-5*L {
				t.Fatalf("%d→%d, %d rows, %v, fused %v: loss %v, want %v", in, out, rows, loss, tiny, got, L)
			}
			scale := 0.0
			for _, v := range want {
				scale = math.Max(scale, math.Abs(v))
			}
			for i, g := range tr.Gradients() {
				if math.Abs(float64(g)-want[i]) > 1e-5*scale {
					t.Fatalf("%d→%d, %d rows, %v, fused %v: gradient %d = %v, want %v", in, out, rows, loss, tiny, i, g, want[i])
				}
			}
		}
	}
}

func randDense(rng *rand.Rand, rows, cols, stride int) linalg.Dense {
	d, err := linalg.FromStrided(rows, cols, stride, make([]float32, (rows-1)*stride+cols))
	if err != nil {
		panic(err)
	}
	for i := range d.Data {
		d.Data[i] = float32(rng.NormFloat64())
	}
	return d
}
