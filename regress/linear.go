package regress

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/edgefit/edgefit/linalg"
)

// Linear is the model y = W·x + b (nn.Linear; B nil: no bias) of raw inputs x.
// With Std set, W and B apply to (x − Mean)/Scale: Predict and the Trainer
// standardise raw rows as they go.
type Linear struct {
	W               linalg.Dense  // Out×In, views of Params: write in place
	B               []float32     // Out, or nil: no bias
	Std             *Standardizer // nil: W and B apply to raw inputs
	Inputs, Outputs []string      // column names (nil: unnamed)

	params []float32 // W.Data followed by B
}

// NewLinear returns nn.Linear(in, out): uniform in ±1/√in, from seed.
func NewLinear(in, out int, seed uint64) (*Linear, error) {
	return newLinearSeeded("NewLinear", in, out, seed, true)
}

// NewLinearNoBias is NewLinear without a bias (bias=False).
func NewLinearNoBias(in, out int, seed uint64) (*Linear, error) {
	return newLinearSeeded("NewLinearNoBias", in, out, seed, false)
}

func newLinearSeeded(op string, in, out int, seed uint64, bias bool) (*Linear, error) {
	if in <= 0 || out <= 0 {
		return nil, fmt.Errorf("regress: %s(%d, %d): want at least one input and one output", op, in, out)
	}
	// out·(in+1) ≤ MaxElements once out·in is, as in ≥ 1 and out ≤ out·in.
	if !fits(out, in) || out*in+out > linalg.MaxElements {
		return nil, tooLarge(fmt.Sprintf("%s(%d, %d)", op, in, out), "weights and biases", out, in+1)
	}
	m := newLinear(in, out, bias)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	// kaiming_uniform_(a=√5) on the weight and the bias rule both reduce to
	// this bound; torch draws from + (to − from)·U[0,1).
	bound := 1 / math.Sqrt(float64(in))
	for i := range m.params {
		m.params[i] = float32(-bound + 2*bound*rng.Float64())
	}
	return m, nil
}

// NewLinearFrom copies W (a row per output) and b (nil: zeros) into a model.
func NewLinearFrom(W [][]float32, b []float32) (*Linear, error) {
	return newLinearFrom("NewLinearFrom", W, b, true)
}

// NewLinearNoBiasFrom is NewLinearFrom for a model without bias.
func NewLinearNoBiasFrom(W [][]float32) (*Linear, error) {
	return newLinearFrom("NewLinearNoBiasFrom", W, nil, false)
}

func newLinearFrom(op string, W [][]float32, b []float32, bias bool) (*Linear, error) {
	w, err := linalg.FromRows(W)
	if err != nil {
		return nil, fmt.Errorf("regress: %s: weights: %w", op, err)
	}
	if w.Rows == 0 || w.Cols == 0 {
		return nil, fmt.Errorf("regress: %s: weights are %d×%d, want at least one output row and one input column", op, w.Rows, w.Cols)
	}
	if b != nil && len(b) != w.Rows {
		return nil, fmt.Errorf("regress: %s: bias has %d values, want %d (one per weight row)", op, len(b), w.Rows)
	}
	if err := linalg.CheckFinite("regress: "+op+": weights", w); err != nil {
		return nil, err
	}
	for j, v := range b {
		if !finite(v) {
			return nil, fmt.Errorf("regress: %s: bias %d is %v: want a finite number", op, j, v)
		}
	}
	m := newLinear(w.Cols, w.Rows, bias)
	copy(m.W.Data, w.Data)
	copy(m.B, b)
	return m, nil
}

// newLinear returns a zero model, with a bias or without (B nil).
func newLinear(in, out int, bias bool) *Linear {
	nb := 0
	if bias {
		nb = out
	}
	p := make([]float32, out*in+nb)
	m := &Linear{W: linalg.Dense{Rows: out, Cols: in, Stride: in, Data: p[: out*in : out*in]}, params: p}
	if bias {
		m.B = p[out*in:]
	}
	return m
}

// hasBias reports whether the model has a bias (B non-nil).
func (m *Linear) hasBias() bool { return m.B != nil }

// In is the number of inputs.
func (m *Linear) In() int { return m.W.Cols }

// Out is the number of outputs.
func (m *Linear) Out() int { return m.W.Rows }

// Params returns the parameter vector (not a copy): W's rows, then B.
func (m *Linear) Params() []float32 { return m.params }

// Clone returns a deep copy of m, its Std and names included.
func (m *Linear) Clone() *Linear {
	c := newLinear(m.In(), m.Out(), m.B != nil)
	copy(c.params, m.params)
	if m.Std != nil {
		c.Std = &Standardizer{Mean: slices.Clone(m.Std.Mean), Scale: slices.Clone(m.Std.Scale)}
	}
	c.Inputs, c.Outputs = slices.Clone(m.Inputs), slices.Clone(m.Outputs)
	return c
}

// Standardize re-expresses m for inputs standardised by a copy of std (nil:
// raw inputs): all or, on error (a bad Std or std, weights float32 cannot
// hold), nothing.
func (m *Linear) Standardize(std *Standardizer) error {
	if err := m.valid("Standardize"); err != nil {
		return err
	}
	p := slices.Clone(m.params)
	w, b := p[:len(m.W.Data)], p[len(m.W.Data):]
	if !m.hasBias() {
		b = nil
	}
	if m.Std != nil {
		if err := m.Std.check("Standardize", m.In()); err != nil {
			return err
		}
		if err := m.Std.fold(w, b, w, b); err != nil {
			return err
		}
	}
	var c *Standardizer
	if std != nil {
		if err := std.check("Standardize", m.In()); err != nil {
			return err
		}
		c = &Standardizer{Mean: slices.Clone(std.Mean), Scale: slices.Clone(std.Scale)}
		if err := c.unfold(w, b, w, b); err != nil {
			return err
		}
	}
	copy(m.params, p)
	m.Std = c
	return nil
}

// Predict writes the outputs for the raw rows X into Y, allocating nothing.
func (m *Linear) Predict(Y, X linalg.Dense) error {
	if err := m.checkPredict(Y, X); err != nil {
		return err
	}
	return m.predict(Y, X)
}

// predict is Predict on checked arguments.
func (m *Linear) predict(Y, X linalg.Dense) error {
	if m.Std == nil {
		return linalg.MatMulBias(Y, X, m.W, m.B)
	}
	in := m.In()
	rows := max(1, stdBlock/in/chunkAlign*chunkAlign)
	buf := scratch.Get().(*[]float32)
	defer scratch.Put(buf)
	if n := min(rows, X.Rows) * in; cap(*buf) < n {
		*buf = make([]float32, n)
	}
	for lo := 0; lo < X.Rows; lo += rows {
		hi := min(lo+rows, X.Rows)
		S := linalg.Dense{Rows: hi - lo, Cols: in, Stride: in, Data: (*buf)[:(hi-lo)*in]}
		if err := m.Std.apply(S, X.Slice(lo, hi)); err != nil {
			return err
		}
		if err := linalg.MatMulBias(Y.Slice(lo, hi), S, m.W, m.B); err != nil {
			return err
		}
	}
	return nil
}

// stdBlock is how many input values Predict standardises at a time, in a
// buffer from scratch, which concurrent predictions share without
// allocating once warm.
const stdBlock = 4096

var scratch = sync.Pool{New: func() any { return new([]float32) }}

// checkPredict returns an error unless Y (outputs) and X (inputs) fit m.
func (m *Linear) checkPredict(Y, X linalg.Dense) error {
	if X.Cols != m.In() {
		return fmt.Errorf("regress: Predict: inputs have %d columns, the model takes %d", X.Cols, m.In())
	}
	if s := m.Std; s != nil {
		if err := s.check("Predict", m.In()); err != nil {
			return err
		}
	}
	if Y.Rows != X.Rows || Y.Cols != m.Out() {
		return fmt.Errorf("regress: Predict: output is %d×%d, want %d×%d (one row per input row, one column per model output)", Y.Rows, Y.Cols, X.Rows, m.Out())
	}
	// Std's blocks slice X and Y before MatMulBias would check them.
	if err := X.Check("Predict", "X"); err != nil {
		return err
	}
	return Y.Check("Predict", "Y")
}

// PredictRow predicts one raw row x into dst[:0] (nil: allocated).
func (m *Linear) PredictRow(dst, x []float32) ([]float32, error) {
	if len(x) != m.In() {
		return dst[:0], fmt.Errorf("regress: PredictRow: %d inputs, the model takes %d", len(x), m.In())
	}
	n := m.Out()
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	X := linalg.Dense{Rows: 1, Cols: len(x), Stride: len(x), Data: x}
	Y := linalg.Dense{Rows: 1, Cols: n, Stride: n, Data: dst}
	if err := m.checkPredict(Y, X); err != nil {
		return dst[:0], err
	}
	return dst, m.predict(Y, X)
}

// valid returns an error unless m is a model made by NewLinear or
// NewLinearFrom (or their NoBias forms) whose W and B still share its
// parameter vector.
func (m *Linear) valid(op string) error {
	if m == nil {
		return fmt.Errorf("regress: %s: nil model", op)
	}
	in, out := m.W.Cols, m.W.Rows
	p := m.params
	nb := 0
	if m.B != nil {
		nb = out
	}
	// out·in + out cannot overflow once fits(out, in) holds.
	if in <= 0 || out <= 0 || !fits(out, in) || len(p) != out*in+nb || m.W.Stride != in ||
		len(m.W.Data) != out*in || len(m.B) != nb || &m.W.Data[0] != &p[0] || (nb > 0 && &m.B[0] != &p[out*in]) {
		return fmt.Errorf("regress: %s: the model was not made by NewLinear or NewLinearFrom (or its W or B was replaced)", op)
	}
	return nil
}

func finite(v float32) bool {
	f := float64(v)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}
