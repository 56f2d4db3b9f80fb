package edgefit

import "github.com/edgefit/edgefit/internal/fmtlite"

// Standardize writes the rows of X standardised per column to D,
// D[i,p] = (X[i,p] − mean[p]) / scale[p], for X and D m×k, row-major with
// row strides ldx and ldd: how a batch of inputs is put on one scale before
// training or prediction. In Go:
//
//	for i := 0; i < m; i++ {
//		for p := 0; p < k; p++ {
//			D[i*ldd+p] = (X[i*ldx+p] - mean[p]) / scale[p]
//		}
//	}
//
// mean and scale must have at least k elements. Every implementation
// subtracts and divides, each correctly rounded as IEEE 754 says (never a
// multiplication by a reciprocal), so D is the loop's, bit for bit, NaN
// payloads included (on 32-bit ARM too, whose NEON set runs this loop in
// Go, as does generic; arm64's NEON and rvv divide vectors). Only the m×k
// elements of D are written. D may be X itself (the same slice and stride:
// standardising in place); otherwise it must not overlap X.
func (im *Impl) Standardize(m, k int, X []float32, ldx int, mean, scale []float32, D []float32, ldd int) {
	checkMatrix("Standardize", "X", X, m, k, ldx)
	checkMatrix("Standardize", "D", D, m, k, ldd)
	if len(mean) < k || len(scale) < k {
		panic(fmtlite.Sprintf("edgefit: Standardize: len(mean) = %d, len(scale) = %d, want at least k = %d", len(mean), len(scale), k))
	}
	if m == 0 || k == 0 {
		return
	}
	im.k.standardize(m, k, X, ldx, mean, scale, D, ldd)
}

// standardizeGeneric is the loop documented on Impl.Standardize, its rows
// sliced to one length so that the inner loop needs no bounds checks.
func standardizeGeneric(m, k int, x []float32, ldx int, mean, scale, d []float32, ldd int) {
	mean = mean[:k]
	scale = scale[:len(mean)]
	for i := 0; i < m; i++ {
		xi, di := x[i*ldx:][:len(mean)], d[i*ldd:][:len(mean)]
		for p, mu := range mean {
			di[p] = (xi[p] - mu) / scale[p]
		}
	}
}
