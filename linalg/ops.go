package linalg

import (
	"fmt"

	"github.com/edgefit/edgefit"
)

// MatMulBias computes Y = X·Wᵀ + b, torch's x @ w.t() + b and the forward
// pass of nn.Linear: X is m×k (one input per row), W is n×k (one output's
// weights per row, the nn.Linear layout), b has n elements or is nil for no
// bias, and Y is m×n. Y must not overlap X or W.
func MatMulBias(Y, X, W Dense, b []float32) error {
	if err := X.Check("MatMulBias", "X"); err != nil {
		return err
	}
	if err := W.Check("MatMulBias", "W"); err != nil {
		return err
	}
	if err := Y.Check("MatMulBias", "Y"); err != nil {
		return err
	}
	if X.Cols != W.Cols {
		return fmt.Errorf("linalg: MatMulBias: X is %d×%d but W is %d×%d: want as many columns in W as in X", X.Rows, X.Cols, W.Rows, W.Cols)
	}
	if Y.Rows != X.Rows || Y.Cols != W.Rows {
		return fmt.Errorf("linalg: MatMulBias: Y is %d×%d, want %d×%d (rows of X × rows of W)", Y.Rows, Y.Cols, X.Rows, W.Rows)
	}
	if b != nil && len(b) != W.Rows {
		return fmt.Errorf("linalg: MatMulBias: b has %d elements, want %d (one per row of W)", len(b), W.Rows)
	}
	edgefit.MatMulBias(X.Rows, W.Rows, X.Cols, X.Data, X.Stride, W.Data, W.Stride, b, Y.Data, Y.Stride)
	return nil
}

// SqErr writes the residuals R = P − T and returns Σ R², the numerator of
// F.mse_loss(P, T). R may be P or T itself.
func SqErr(R, P, T Dense) (float32, error) {
	if err := sameShape("SqErr", "P", P, "T", T); err != nil {
		return 0, err
	}
	if err := sameShape("SqErr", "R", R, "P", P); err != nil {
		return 0, err
	}
	n := P.Rows * P.Cols
	if R.Contiguous() && P.Contiguous() && T.Contiguous() {
		return edgefit.SqErr(R.Data[:n], P.Data[:n], T.Data[:n]), nil
	}
	var s float32
	for i := 0; i < P.Rows; i++ {
		s += edgefit.SqErr(R.Row(i), P.Row(i), T.Row(i))
	}
	return s, nil
}

// SqErrSum returns Σ (P − T)², writing nothing.
func SqErrSum(P, T Dense) (float32, error) {
	if err := sameShape("SqErrSum", "P", P, "T", T); err != nil {
		return 0, err
	}
	n := P.Rows * P.Cols
	if P.Contiguous() && T.Contiguous() {
		return edgefit.SqErrSum(P.Data[:n], T.Data[:n]), nil
	}
	var s float32
	for i := 0; i < P.Rows; i++ {
		s += edgefit.SqErrSum(P.Row(i), T.Row(i))
	}
	return s, nil
}

// GradW computes G = α·Rᵀ·X + β·G: with R = ∂L/∂Y of a batch (m×n) and X its
// inputs (m×k), α = 1 and β = 0 give ∂L/∂W of Y = X·Wᵀ + b in the nn.Linear
// layout (G is n×k). As in the BLAS, G is not read when β = 0.
func GradW(G Dense, alpha float32, R, X Dense, beta float32) error {
	if err := R.Check("GradW", "R"); err != nil {
		return err
	}
	if err := X.Check("GradW", "X"); err != nil {
		return err
	}
	if err := G.Check("GradW", "G"); err != nil {
		return err
	}
	if R.Rows != X.Rows {
		return fmt.Errorf("linalg: GradW: R is %d×%d but X is %d×%d: want the same number of rows", R.Rows, R.Cols, X.Rows, X.Cols)
	}
	if G.Rows != R.Cols || G.Cols != X.Cols {
		return fmt.Errorf("linalg: GradW: G is %d×%d, want %d×%d (columns of R × columns of X)", G.Rows, G.Cols, R.Cols, X.Cols)
	}
	edgefit.GradW(R.Rows, R.Cols, X.Cols, alpha, R.Data, R.Stride, X.Data, X.Stride, beta, G.Data, G.Stride)
	return nil
}

// ColSums computes g = α·(column sums of R) + β·g: ∂L/∂b from R = ∂L/∂Y. g
// must have exactly R.Cols elements; it is not read when β = 0.
func ColSums(g []float32, alpha float32, R Dense, beta float32) error {
	if err := R.Check("ColSums", "R"); err != nil {
		return err
	}
	if len(g) != R.Cols {
		return fmt.Errorf("linalg: ColSums: g has %d elements, want %d (one per column of R)", len(g), R.Cols)
	}
	edgefit.ColSums(R.Rows, R.Cols, alpha, R.Data, R.Stride, beta, g)
	return nil
}

// Standardize writes D = (X − mean)/scale column by column, scikit-learn's
// StandardScaler.transform: D(i, p) = (X(i, p) − mean[p]) / scale[p] in
// float32, bit for bit as that Go expression gives it. mean and scale have
// one element per column of X; D has X's shape and may be X itself (in
// place), but must not otherwise overlap it.
func Standardize(D, X Dense, mean, scale []float32) error {
	if err := sameShape("Standardize", "D", D, "X", X); err != nil {
		return err
	}
	if len(mean) != X.Cols || len(scale) != X.Cols {
		return fmt.Errorf("linalg: Standardize: %d means and %d scales, want %d (one per column of X)", len(mean), len(scale), X.Cols)
	}
	edgefit.Standardize(X.Rows, X.Cols, X.Data, X.Stride, mean, scale, D.Data, D.Stride)
	return nil
}
