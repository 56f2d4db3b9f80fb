package regress

import (
	"errors"
	"fmt"
	"math"

	"github.com/edgefit/edgefit/linalg"
)

// QR is a streaming, mergeable float64 least-squares accumulator.
type QR struct {
	k, n      int
	intercept bool
	count     int64
	mean      []float64 // k+n column means, double-double: mean + meanLo
	meanLo    []float64
	shift     []float64 // k+n: subtracted from the rows as they are copied
	m2        []float64 // k+n: Σ (v − mean)² per column
	r         []float64 // p×p row-major, upper triangle; p = k+n
	buf       []float64 // column-major block, p columns of ld rows
	ld        int
}

// qrBlock is the number of rows reduced at a time: long enough for the
// Householder loops to run over contiguous columns, short enough to stay in
// the first-level cache.
const qrBlock = 64

// maxQRCols bounds k+n, so that R (and a decoded state) stays a reasonable size.
const maxQRCols = 4096

// NewQR returns an empty accumulator for y = W·x (+ b with intercept).
func NewQR(k, n int, intercept bool) (*QR, error) {
	if k < 1 || n < 1 || k > maxQRCols || n > maxQRCols-k {
		return nil, fmt.Errorf("regress: QR of %d inputs and %d targets, want k ≥ 1, n ≥ 1, k+n ≤ %d", k, n, maxQRCols)
	}
	p := k + n
	ld := max(qrBlock, p) + 1
	return &QR{k: k, n: n, intercept: intercept,
		mean: make([]float64, p), meanLo: make([]float64, p), shift: make([]float64, p), m2: make([]float64, p),
		r: make([]float64, p*p), buf: make([]float64, p*ld), ld: ld}, nil
}

// K returns the number of inputs.
func (a *QR) K() int { return a.k }

// N returns the number of targets.
func (a *QR) N() int { return a.n }

// Intercept reports whether the model has an intercept.
func (a *QR) Intercept() bool { return a.intercept }

// Count returns the number of rows added or merged.
func (a *QR) Count() int64 { return a.count }

// Moments returns copies of the columns' means and centred sums of squares.
func (a *QR) Moments() (mean, m2 []float64) {
	return append([]float64(nil), a.mean...), append([]float64(nil), a.m2...)
}

// reset empties the accumulator, keeping its shape.
func (a *QR) reset() {
	a.count = 0
	clear(a.mean)
	clear(a.meanLo)
	clear(a.shift)
	clear(a.m2)
	clear(a.r)
}

// qrCheckRows validates m rows of w values at stride ld in a slice of length l,
// without overflow.
func qrCheckRows(what string, m, w, ld, l int) error {
	if ld < w {
		return fmt.Errorf("regress: QR: %s stride %d < row length %d", what, ld, w)
	}
	if m > 0 && (m-1 > (l-w)/ld || l < w) {
		return fmt.Errorf("regress: QR: %s has %d values, too few for %d rows of stride %d", what, l, m, ld)
	}
	return nil
}

func (a *QR) checkArgs(m, ldx, lx, ldy, ly int) error {
	return checkRowArgs(a.k, a.n, a.count, m, ldx, lx, ldy, ly)
}

// checkRowArgs validates m rows of k inputs and n targets added to count
// rows.
func checkRowArgs(k, n int, count int64, m, ldx, lx, ldy, ly int) error {
	if m < 0 || int64(m) > math.MaxInt64-count {
		return fmt.Errorf("regress: QR: %d rows", m)
	}
	if err := qrCheckRows("X", m, k, ldx, lx); err != nil {
		return err
	}
	return qrCheckRows("Y", m, n, ldy, ly)
}

// qrNonFinite names the first row and column (0-based, inputs then targets)
// holding an infinity or NaN.
func qrNonFinite(i, c int, v float64) error {
	return fmt.Errorf("regress: QR: row %d, column %d: %v is not a finite number", i, c, v)
}

// finiteRows returns an error naming the first infinity or NaN in m rows.
func finiteRows[T float32 | float64](m, k, n int, X []T, ldx int, Y []T, ldy int) error {
	for i := 0; i < m; i++ {
		for c, v := range X[i*ldx : i*ldx+k] {
			if f := float64(v); f-f != 0 {
				return qrNonFinite(i, c, f)
			}
		}
		for c, v := range Y[i*ldy : i*ldy+n] {
			if f := float64(v); f-f != 0 {
				return qrNonFinite(i, k+c, f)
			}
		}
	}
	return nil
}

// AddRows adds m rows (strides ldx, ldy): all or, on error, none.
func (a *QR) AddRows(m int, X []float64, ldx int, Y []float64, ldy int) error {
	return addRows(a, m, X, ldx, Y, ldy)
}

// AddRows32 is AddRows for float32 rows.
func (a *QR) AddRows32(X, Y linalg.Dense) error {
	if err := checkDense32("QR.AddRows32", a.k, a.n, X, Y); err != nil {
		return err
	}
	return addRows(a, X.Rows, X.Data, X.Stride, Y.Data, Y.Stride)
}

// checkDense32 returns an error unless X (k columns) and Y (n columns) are
// well-formed matrices (Dense.Check) of as many rows.
func checkDense32(op string, k, n int, X, Y linalg.Dense) error {
	if X.Cols != k || Y.Cols != n || X.Rows != Y.Rows {
		return fmt.Errorf("regress: %s: %d×%d inputs and %d×%d targets, want %d input and %d target columns and one target row per input row",
			op, X.Rows, X.Cols, Y.Rows, Y.Cols, k, n)
	}
	if err := X.Check(op, "X"); err != nil {
		return err
	}
	return Y.Check(op, "Y")
}

func addRows[T float32 | float64](a *QR, m int, X []T, ldx int, Y []T, ldy int) error {
	if err := a.checkArgs(m, ldx, len(X), ldy, len(Y)); err != nil {
		return err
	}
	k, n := a.k, a.n
	if err := finiteRows(m, k, n, X, ldx, Y, ldy); err != nil {
		return err
	}
	ld, sh := a.ld, a.shift
	for i0 := 0; i0 < m; i0 += qrBlock {
		b := min(qrBlock, m-i0)
		if a.intercept && a.count > 0 {
			copy(sh, a.mean) // centre near the running mean as we copy
		} else {
			clear(sh)
		}
		for i := 0; i < b; i++ {
			for c, v := range X[(i0+i)*ldx : (i0+i)*ldx+k] {
				a.buf[c*ld+i] = float64(v) - sh[c]
			}
			for c, v := range Y[(i0+i)*ldy : (i0+i)*ldy+n] {
				a.buf[(k+c)*ld+i] = float64(v) - sh[k+c]
			}
		}
		a.absorb(b)
	}
	return nil
}

// Rows are added in blocks of qrBlock: a block is centred on its own mean
// and its rows, with one more row √(nA·nB/(nA+nB))·(mean − block mean) that
// accounts for the shift between the two means, are stacked under R and
// reduced by Householder reflections. The same stacking merges two
// accumulators exactly (the square-root form of Chan's update of co-moments).
//
// absorb adds the b rows held in buf. With an intercept and rows before
// them, they hold the data minus shift (the running mean), so that the block
// mean and the centred values are computed on the scale of the spread;
// otherwise they hold the raw data, and the shift is applied on the fly.
func (a *QR) absorb(b int) {
	p, ld := a.k+a.n, a.ld
	nA, nB := float64(a.count), float64(b)
	corr := math.Sqrt(nA * nB / (nA + nB))
	for c := 0; c < p; c++ {
		col := a.buf[c*ld : c*ld+b]
		s, t := a.shift[c], 0.0
		if a.count == 0 {
			// The first block shifts by its own rounded mean: a first
			// row far from the rest must not set the scale.
			for _, v := range col {
				s += v
			}
			s /= nB
			t = s
		} else if !a.intercept {
			s, t = a.mean[c], a.mean[c]
		}
		var sum float64
		for _, v := range col {
			sum += v - t
		}
		mb := sum / nB
		var m2 float64
		for i, v := range col {
			d := (v - t) - mb
			m2 += float64(d * d)
			if a.intercept {
				col[i] = d
			}
		}
		delta := a.moveMean(c, s, mb, nA, nB)
		a.m2[c] += m2 + float64(delta*delta*(nA*nB/(nA+nB)))
		a.buf[c*ld+b] = -corr * delta
	}
	rows := b
	if a.intercept && a.count > 0 {
		rows++
	}
	a.count += int64(b)
	qrHouseholder(a.r, p, a.buf, ld, rows)
}

// moveMean merges the mean hi + lo (|lo| may exceed hi's rounding) of nB
// rows into column c's mean of nA rows and returns the difference of the two
// means. Means are kept as double-double, so that the difference is exact to
// rounding on its own scale even when the means are far larger than the
// spread.
func (a *QR) moveMean(c int, hi, lo, nA, nB float64) float64 {
	dh, de := twoSum(hi, -a.mean[c])
	de += lo - a.meanLo[c]
	f := nB / (nA + nB)
	t := float64(dh * f)
	te := math.FMA(dh, f, -t) + float64(de*f)
	s, se := twoSum(a.mean[c], t)
	a.mean[c], a.meanLo[c] = twoSum(s, se+te+a.meanLo[c])
	return dh + de
}

// twoSum returns s = fl(x + y) and the rounding error e: x + y = s + e exactly.
func twoSum(x, y float64) (s, e float64) {
	s = x + y
	z := s - x
	e = (x - (s - z)) + (y - z)
	return s, e
}

// Merge adds the rows other (same shape) accumulated.
func (a *QR) Merge(other *QR) error {
	if other == nil {
		return errors.New("regress: QR.Merge: nil accumulator")
	}
	if other.k != a.k || other.n != a.n || other.intercept != a.intercept {
		return fmt.Errorf("regress: QR.Merge: %d inputs, %d targets, intercept %v into %d, %d, %v",
			other.k, other.n, other.intercept, a.k, a.n, a.intercept)
	}
	if other.count > math.MaxInt64-a.count {
		return errors.New("regress: QR.Merge: row count overflows")
	}
	if other == a {
		return errors.New("regress: QR.Merge: an accumulator cannot merge itself")
	}
	if other.count == 0 {
		return nil
	}
	p, ld := a.k+a.n, a.ld
	nA, nB := float64(a.count), float64(other.count)
	corr := math.Sqrt(nA * nB / (nA + nB))
	for c := 0; c < p; c++ {
		col := a.buf[c*ld : c*ld+p+1]
		for i := 0; i < p; i++ {
			col[i] = other.r[i*p+c]
		}
		delta := a.moveMean(c, other.mean[c], other.meanLo[c], nA, nB)
		a.m2[c] += other.m2[c] + float64(delta*delta*(nA*nB/(nA+nB)))
		col[p] = -corr * delta
	}
	rows := p
	if a.intercept && a.count > 0 {
		rows++
	}
	a.count += other.count
	qrHouseholder(a.r, p, a.buf, ld, rows)
	if !a.finite() {
		return errors.New("regress: QR.Merge: the merged sums overflow float64 (rescale the data); the accumulator cannot be solved")
	}
	return nil
}

// finite reports whether the means and R are finite: sums that overflowed
// (inputs near float64's range) are no least-squares state. The sums of
// squares may overflow where R, scaled, does not: they are not checked.
func (a *QR) finite() bool {
	for _, v := range [][]float64{a.mean, a.meanLo, a.r} {
		for _, x := range v {
			if x-x != 0 {
				return false
			}
		}
	}
	return true
}
