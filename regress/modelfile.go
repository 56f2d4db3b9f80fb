package regress

import (
	"errors"
	"fmt"
	"slices"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// File returns m's model file: raw weights (Std folded in), Std, names.
func (m *Linear) File() (*modelfile.File, error) {
	if err := m.valid("Linear.File"); err != nil {
		return nil, err
	}
	in, out := m.In(), m.Out()
	mf := &modelfile.File{Inputs: slices.Clone(m.Inputs), Outputs: slices.Clone(m.Outputs), In: in, Out: out,
		W: make([]float32, out*in), Mean: make([]float32, in), Scale: make([]float32, in)}
	copy(mf.W, m.W.Data)
	if m.hasBias() {
		mf.B = append(make([]float32, 0, out), m.B...)
	}
	if std := m.Std; std == nil {
		for p := range mf.Scale {
			mf.Scale[p] = 1
		}
	} else {
		if err := std.check("Linear.File", in); err != nil {
			return nil, err
		}
		copy(mf.Mean, std.Mean)
		copy(mf.Scale, std.Scale)
		if err := std.fold(mf.W, mf.B, mf.W, mf.B); err != nil {
			return nil, err
		}
	}
	if err := mf.Check(); err != nil {
		return nil, fmt.Errorf("regress: Linear.File: %w", err)
	}
	if err := mf.CheckLimits(); err != nil {
		return nil, fmt.Errorf("regress: Linear.File: %w", err)
	}
	return mf, nil
}

// LinearFromFile returns the model mf holds, for raw inputs (Std nil), named.
func LinearFromFile(mf *modelfile.File) (*Linear, error) {
	if mf == nil {
		return nil, errors.New("regress: LinearFromFile: nil model")
	}
	if err := mf.Check(); err != nil {
		return nil, fmt.Errorf("regress: LinearFromFile: %w", err)
	}
	m := newLinear(mf.In, mf.Out, len(mf.B) > 0)
	copy(m.W.Data, mf.W)
	copy(m.B, mf.B)
	m.Inputs, m.Outputs = slices.Clone(mf.Inputs), slices.Clone(mf.Outputs)
	return m, nil
}
