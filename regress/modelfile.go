package regress

import (
	"errors"
	"fmt"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// NewModelFile makes the model file of m, trained on inputs standardised by
// std (nil: raw inputs; folded into the file's weights, which apply to raw
// inputs), with column names (nil: none). A file Encode would refuse is an
// error here already.
func NewModelFile(m *Linear, std *Standardizer, inputs, outputs []string) (*modelfile.File, error) {
	if err := m.valid("NewModelFile"); err != nil {
		return nil, err
	}
	in, out := m.In(), m.Out()
	mf := &modelfile.File{Inputs: inputs, Outputs: outputs, In: in, Out: out,
		W: make([]float32, out*in), Mean: make([]float32, in), Scale: make([]float32, in)}
	for j := 0; j < out; j++ {
		copy(mf.W[j*in:(j+1)*in], m.W.Row(j))
	}
	if m.HasBias() {
		mf.B = append(make([]float32, 0, out), m.B...)
	}
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
		return nil, fmt.Errorf("regress: NewModelFile: %w", err)
	}
	if err := mf.CheckLimits(); err != nil {
		return nil, fmt.Errorf("regress: NewModelFile: %w", err)
	}
	return mf, nil
}

// LinearFromFile returns the model for raw inputs that mf holds.
func LinearFromFile(mf *modelfile.File) (*Linear, error) {
	if mf == nil {
		return nil, errors.New("regress: LinearFromFile: nil model")
	}
	if err := mf.Check(); err != nil {
		return nil, fmt.Errorf("regress: LinearFromFile: %w", err)
	}
	rows := make([][]float32, mf.Out)
	for j := range rows {
		rows[j] = mf.W[j*mf.In : (j+1)*mf.In]
	}
	if len(mf.B) == 0 {
		return NewLinearNoBiasFrom(rows)
	}
	return NewLinearFrom(rows, mf.B)
}
