package serve

import (
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"sync/atomic"
	"time"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// Model is one immutable version of the served model: once published by a
// Predictor nothing changes it, so any number of goroutines may predict with
// it at once, and a caller that must see one model for a whole request (its
// column names and its predictions) takes it once with Predictor.Current.
type Model struct {
	lin      *regress.Linear
	inputs   []string
	outputs  []string
	version  uint32
	source   string
	loadedAt time.Time
	loadTime time.Duration

	predictions *atomic.Uint64 // the publishing Predictor's count
}

// newModel makes a Model from a checked copy of mf, with version the CRC-32
// of its file (or of its encoding).
func newModel(mf *modelfile.File, version uint32, loadTime time.Duration) (*Model, error) {
	lin, err := regress.LinearFromFile(mf)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return &Model{lin: lin, inputs: slices.Clone(mf.Inputs), outputs: slices.Clone(mf.Outputs),
		version: version, source: mf.Source, loadedAt: time.Now(), loadTime: loadTime}, nil
}

// encodedCRC is the CRC-32 of mf as an edgefit model file: the version of a
// model that comes from memory, not from a file.
func encodedCRC(mf *modelfile.File) (uint32, error) {
	h := crc32.NewIEEE()
	if err := mf.Encode(h); err != nil {
		return 0, err
	}
	return h.Sum32(), nil
}

// In is the number of inputs.
func (m *Model) In() int { return m.lin.In() }

// Out is the number of outputs.
func (m *Model) Out() int { return m.lin.Out() }

// Inputs returns a copy of the input column names (nil: unnamed).
func (m *Model) Inputs() []string { return slices.Clone(m.inputs) }

// Outputs returns a copy of the output column names (nil: unnamed).
func (m *Model) Outputs() []string { return slices.Clone(m.outputs) }

// Input returns input i's name ("" when unnamed) without copying the list.
func (m *Model) Input(i int) string {
	if m.inputs == nil {
		return ""
	}
	return m.inputs[i]
}

// Output returns output j's name ("" when unnamed).
func (m *Model) Output(j int) string {
	if m.outputs == nil {
		return ""
	}
	return m.outputs[j]
}

// Version is the CRC-32 (IEEE) of the model file the model was loaded from,
// or of its encoding as an edgefit file when it came from memory.
func (m *Model) Version() uint32 { return m.version }

// Source says where the model came from (modelfile.SourceEdgefit,
// modelfile.SourcePyTorch, or "" for a model made in memory).
func (m *Model) Source() string { return m.source }

// LoadedAt is when the model was made ready; LoadTime how long loading its
// file and checking it took (0 for a model from memory).
func (m *Model) LoadedAt() time.Time { return m.loadedAt }

// LoadTime is how long reading, decoding and checking the model took.
func (m *Model) LoadTime() time.Duration { return m.loadTime }

// Predict writes Y = X·Wᵀ + b into the caller's Y (X.Rows×Out) for the rows
// of X (X.Rows×In). It allocates nothing.
func (m *Model) Predict(Y, X linalg.Dense) error {
	if m == nil {
		return errNoModel
	}
	if err := m.lin.Predict(Y, X); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	m.count(X.Rows)
	return nil
}

// PredictRow predicts one row x and appends the Out outputs to dst[:0]: with
// a dst of enough capacity it allocates nothing.
func (m *Model) PredictRow(dst, x []float32) ([]float32, error) {
	if m == nil {
		return dst[:0], errNoModel
	}
	y, err := m.lin.PredictRow(dst, x)
	if err != nil {
		return y, fmt.Errorf("serve: %w", err)
	}
	m.count(1)
	return y, nil
}

func (m *Model) count(rows int) {
	if m.predictions != nil {
		m.predictions.Add(uint64(rows))
	}
}

var errNoModel = errors.New("serve: no model")

// ChangeError is the error of a swap refused because the new model does not
// take the same inputs or give the same outputs as the one served (see
// Options.AllowChange).
type ChangeError struct {
	What string // what differs
}

func (e *ChangeError) Error() string {
	return "serve: the new model " + e.What + ": refused (Options.AllowChange accepts it)"
}

// compatible returns a *ChangeError unless next has cur's shape and names.
func compatible(cur, next *Model) error {
	switch {
	case cur.In() != next.In() || cur.Out() != next.Out():
		return &ChangeError{What: fmt.Sprintf("is %d→%d, the model served %d→%d", next.In(), next.Out(), cur.In(), cur.Out())}
	case !slices.Equal(cur.inputs, next.inputs):
		return &ChangeError{What: "has other input names than the model served"}
	case !slices.Equal(cur.outputs, next.outputs):
		return &ChangeError{What: "has other output names than the model served"}
	}
	return nil
}
