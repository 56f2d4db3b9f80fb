package regress

import (
	"errors"
	"fmt"

	"github.com/edgefit/edgefit"
)

// Predict computes the outputs Y (m×Out) of m raw input rows X (m×In), one
// matmul with the active kernels. X must hold at least m·In values and Y
// m·Out; a shorter slice, a negative m or an inconsistent ModelFile is an
// error. It allocates nothing.
func (mf *ModelFile) Predict(m int, X, Y []float32) error {
	if mf == nil {
		return errors.New("regress: ModelFile.Predict: nil model")
	}
	in, out := mf.In, mf.Out
	if in <= 0 || out <= 0 || len(mf.W)/in != out || len(mf.W)%in != 0 || len(mf.B) != out {
		return fmt.Errorf("regress: ModelFile.Predict: model is %d×%d with %d weights and %d biases: not a consistent model", out, in, len(mf.W), len(mf.B))
	}
	if m < 0 {
		return fmt.Errorf("regress: ModelFile.Predict: %d rows: want at least 0", m)
	}
	if m > len(X)/in || m > len(Y)/out {
		return fmt.Errorf("regress: ModelFile.Predict: %d inputs and room for %d outputs, want %d×%d inputs and %d×%d outputs", len(X), len(Y), m, in, m, out)
	}
	edgefit.MatMulBias(m, out, in, X, in, mf.W, in, mf.B, Y, out)
	return nil
}

// NewModelFile makes the file contents for a model trained on inputs
// standardised by std (nil: raw inputs): the standardisation is folded into
// the weights, so the file's weight and bias apply to raw inputs. inputs and
// outputs name the columns (nil for none). A model that could not be saved
// (see Encode) is an error here already.
func NewModelFile(m *Linear, std *Standardizer, inputs, outputs []string) (*ModelFile, error) {
	if err := m.valid("NewModelFile"); err != nil {
		return nil, err
	}
	in, out := m.In(), m.Out()
	mf := &ModelFile{Inputs: inputs, Outputs: outputs, In: in, Out: out,
		W: make([]float32, out*in), B: make([]float32, out), Mean: make([]float32, in), Scale: make([]float32, in)}
	for j := 0; j < out; j++ {
		copy(mf.W[j*in:(j+1)*in], m.W.Row(j))
	}
	copy(mf.B, m.B)
	if std == nil {
		for p := range mf.Scale {
			mf.Scale[p] = 1
		}
	} else {
		if len(std.Mean) != in || len(std.Scale) != in {
			return nil, fmt.Errorf("regress: NewModelFile: standardisation of %d means and %d scales for a model of %d inputs", len(std.Mean), len(std.Scale), in)
		}
		copy(mf.Mean, std.Mean)
		copy(mf.Scale, std.Scale)
		if err := std.Fold(mf.W, mf.B, mf.W, mf.B); err != nil {
			return nil, err
		}
	}
	if err := mf.Check(); err != nil {
		return nil, fmt.Errorf("regress: NewModelFile: %v", err)
	}
	if _, err := mf.header(0); err != nil {
		return nil, fmt.Errorf("regress: NewModelFile: %w", err)
	}
	return mf, nil
}

// Linear returns the model for raw inputs that the file holds; an
// inconsistent ModelFile (see Check) is an error.
func (mf *ModelFile) Linear() (*Linear, error) {
	if mf == nil {
		return nil, errors.New("regress: ModelFile.Linear: nil model")
	}
	if err := mf.Check(); err != nil {
		return nil, fmt.Errorf("regress: ModelFile.Linear: %v", err)
	}
	rows := make([][]float32, mf.Out)
	for j := range rows {
		rows[j] = mf.W[j*mf.In : (j+1)*mf.In]
	}
	return NewLinearFrom(rows, mf.B)
}
