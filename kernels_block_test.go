package edgefit

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// The blocked Go kernels (kernels_block*.go) promise the plain loops' results
// bit for bit. The plain loops are here, as documented on Impl (with α·s
// rounded on its own, as gradOut says why), and both block sizes are checked
// on every architecture, whichever genericBlock picks.

func matMulBiasPlain(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += x[i*ldx+p] * w[j*ldw+p]
			}
			if b != nil {
				s += b[j]
			}
			y[i*ldy+j] = s
		}
	}
}

func gradWPlain(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int) {
	for j := 0; j < n; j++ {
		for p := 0; p < k; p++ {
			var s float32
			for i := 0; i < m; i++ {
				s += r[i*ldr+j] * x[i*ldx+p]
			}
			if beta == 0 {
				g[j*ldg+p] = alpha * s
			} else {
				g[j*ldg+p] = float32(alpha*s) + beta*g[j*ldg+p]
			}
		}
	}
}

func colSumsPlain(m, n int, alpha float32, r []float32, ldr int, beta float32, g []float32) {
	for j := 0; j < n; j++ {
		var s float32
		for i := 0; i < m; i++ {
			s += r[i*ldr+j]
		}
		if beta == 0 {
			g[j] = alpha * s
		} else {
			g[j] = float32(alpha*s) + beta*g[j]
		}
	}
}

// wideValues returns n values of widely spread exponents (so that the order
// of a sum shows in its bits), a few of them signed zeros.
func wideValues(r *rand.Rand, n int) []float32 {
	a := make([]float32, n)
	for i := range a {
		switch r.Intn(16) {
		case 0:
			a[i] = float32(math.Copysign(0, -1))
		case 1:
			a[i] = 0
		default:
			a[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.Intn(40)-20)))
		}
	}
	return a
}

// blockShapes are the m×n×k shapes checked: every small block count and
// remainder with every k up to 70, and every m and n up to 70 with a few k.
func blockShapes() [][3]int {
	var sh [][3]int
	for m := 0; m <= 9; m++ {
		for n := 0; n <= 9; n++ {
			for k := 0; k <= 70; k++ {
				sh = append(sh, [3]int{m, n, k})
			}
		}
	}
	for d := 0; d <= 70; d++ {
		for _, k := range []int{1, 2, 5, 17} {
			sh = append(sh, [3]int{d, 3, k}, [3]int{3, d, k}, [3]int{d, 7, k}, [3]int{7, d, k}, [3]int{d, d, k})
		}
	}
	return sh
}

func samePlainBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: [%d] = %v (%#x), plain loop %v (%#x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

func TestMatMulBiasBlockedExact(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	blocked := map[string]func(m, n, k int, x []float32, ldx int, w []float32, ldw int, b, y []float32, ldy int){
		"2x2": matMulBias2, "4x4": matMulBias4, "generic": matMulBiasGeneric,
	}
	for _, s := range blockShapes() {
		m, n, k := s[0], s[1], s[2]
		if k == 0 {
			continue // the blocked loops need k ≥ 1; generic is checked below
		}
		ldx, ldw, ldy := k+1, k+3, n+2
		X, W, b := wideValues(r, m*ldx), wideValues(r, n*ldw), wideValues(r, n)
		for _, bias := range [][]float32{b, nil} {
			want := make([]float32, m*ldy)
			matMulBiasPlain(m, n, k, X, ldx, W, ldw, bias, want, ldy)
			for name, f := range blocked {
				got := make([]float32, m*ldy)
				f(m, n, k, X, ldx, W, ldw, bias, got, ldy)
				samePlainBits(t, fmt.Sprintf("MatMulBias %s m=%d n=%d k=%d bias=%v", name, m, n, k, bias != nil), got, want)
			}
		}
	}
	for _, b := range [][]float32{{1, float32(math.Copysign(0, -1)), -2}, nil} {
		got, want := make([]float32, 6), make([]float32, 6)
		matMulBiasGeneric(2, 3, 0, nil, 1, nil, 1, b, got, 3)
		matMulBiasPlain(2, 3, 0, nil, 1, nil, 1, b, want, 3)
		samePlainBits(t, fmt.Sprintf("MatMulBias generic k=0 bias=%v", b != nil), got, want)
	}
}

func TestGradWBlockedExact(t *testing.T) {
	r := rand.New(rand.NewSource(15))
	blocked := map[string]func(m, n, k int, alpha float32, r []float32, ldr int, x []float32, ldx int, beta float32, g []float32, ldg int){
		"2x2": gradW2, "4x4": gradW4, "generic": gradWGeneric,
	}
	nan := float32(math.NaN())
	for _, s := range blockShapes() {
		m, n, k := s[0], s[1], s[2]
		ldr, ldx, ldg := n+1, k+3, k+2
		R, X, G := wideValues(r, m*ldr), wideValues(r, m*ldx), wideValues(r, n*ldg)
		for _, beta := range []float32{0, 0.75} {
			g0 := make([]float32, len(G))
			for i := range g0 {
				g0[i] = G[i]
				if beta == 0 {
					g0[i] = nan // not to be read
				}
			}
			want := append([]float32(nil), g0...)
			gradWPlain(m, n, k, -1.5, R, ldr, X, ldx, beta, want, ldg)
			for name, f := range blocked {
				got := append([]float32(nil), g0...)
				f(m, n, k, -1.5, R, ldr, X, ldx, beta, got, ldg)
				samePlainBits(t, fmt.Sprintf("GradW %s m=%d n=%d k=%d beta=%v", name, m, n, k, beta), got, want)
			}
		}
	}
}

func TestColSumsBlockedExact(t *testing.T) {
	r := rand.New(rand.NewSource(16))
	for m := 0; m <= 70; m++ {
		for n := 0; n <= 70; n += 1 + n/10 {
			ldr := n + 1
			R, g0 := wideValues(r, m*ldr), wideValues(r, n)
			for _, beta := range []float32{0, -0.5} {
				got, want := append([]float32(nil), g0...), append([]float32(nil), g0...)
				colSumsGeneric(m, n, 0.25, R, ldr, beta, got)
				colSumsPlain(m, n, 0.25, R, ldr, beta, want)
				samePlainBits(t, fmt.Sprintf("ColSums m=%d n=%d beta=%v", m, n, beta), got, want)
			}
		}
	}
}
