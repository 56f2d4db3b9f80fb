package serve

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// Options are a Predictor's settings; the zero value is the default.
type Options struct {
	// AllowChange accepts a new model with other input or output names or
	// another shape than the model served. Without it such a model is
	// refused with a *ChangeError and the model served stays.
	AllowChange bool

	// Inputs and Outputs, when not nil, name the columns of every model
	// the Predictor takes, replacing the names in its file: for a file
	// without names, such as a PyTorch one. Their lengths must match the
	// model's.
	Inputs, Outputs []string

	// OnLoad, when not nil, is called after every attempt to load the
	// model file (Open, Reload, Watch) with the model now served and the
	// error, if any: a log's hook. It runs in the loading goroutine, with
	// the Predictor's loads held off: it must not call Reload, Swap or
	// Publish.
	OnLoad func(m *Model, err error)
}

// Predictor serves the current model to any number of goroutines: the
// predictions take the model with one atomic load and no lock, and a new
// model replaces it with one atomic store, after which new predictions use
// it while those under way finish with the old one. The zero value has no
// model (predictions are errors) until Swap or Publish gives it one.
type Predictor struct {
	cur  atomic.Pointer[Model]
	opts Options
	path string // the model file ("" for New)

	mu    sync.Mutex  // serialises loads and swaps, never predictions
	stamp os.FileInfo // the model file as last read (nil: not read)

	predictions, swaps, loadErrors atomic.Uint64
}

// Stats are a Predictor's counts.
type Stats struct {
	Predictions uint64 // rows predicted, by every model served
	Swaps       uint64 // models that replaced the one served
	LoadErrors  uint64 // models refused: unreadable, invalid or incompatible
	Version     uint32 // the model served (Model.Version)
}

// New returns a Predictor serving a copy of mf. Reload and Watch need a file:
// use Open for one.
func New(mf *modelfile.File, opts Options) (*Predictor, error) {
	p := &Predictor{opts: opts}
	m, err := p.fromMemory(mf)
	if err != nil {
		return nil, err
	}
	p.publish(m)
	return p, nil
}

// Open returns a Predictor serving the model file at path, which Reload and
// Watch read again.
func Open(path string, opts Options) (*Predictor, error) {
	p := &Predictor{opts: opts, path: path}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.reload(); err != nil {
		return nil, err
	}
	return p, nil
}

// Current returns the model served now: nil only for a zero Predictor that
// has not been given one.
func (p *Predictor) Current() *Model { return p.cur.Load() }

// Predict predicts the rows of X into Y (X.Rows×Out) with the current model.
// It takes no lock and allocates nothing.
func (p *Predictor) Predict(Y, X linalg.Dense) error { return p.cur.Load().Predict(Y, X) }

// PredictRow predicts one row x with the current model and appends the
// outputs to dst[:0]; with a dst of enough capacity it allocates nothing.
func (p *Predictor) PredictRow(dst, x []float32) ([]float32, error) {
	return p.cur.Load().PredictRow(dst, x)
}

// Stats returns the counts so far.
func (p *Predictor) Stats() Stats {
	s := Stats{Predictions: p.predictions.Load(), Swaps: p.swaps.Load(), LoadErrors: p.loadErrors.Load()}
	if m := p.cur.Load(); m != nil {
		s.Version = m.version
	}
	return s
}

// Swap validates a copy of mf (a consistent model, and unless AllowChange
// the names and shape of the model served) and serves it. A model refused is
// counted as a load error and the model served stays.
func (p *Predictor) Swap(mf *modelfile.File) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, err := p.fromMemory(mf)
	if err == nil {
		err = p.accept(m)
	}
	if err != nil {
		p.loadErrors.Add(1)
		return err
	}
	return nil
}

// Publish serves a copy of m (its Std folded in, as in its file), under its
// names or, for a model without, those of the model served: it makes
// Predictor a regress.Publisher, so that online learning (regress.Online's
// PublishTo) trains its own model and serves copies of it.
func (p *Predictor) Publish(m *regress.Linear) error {
	mf, err := m.File()
	if err != nil {
		p.loadErrors.Add(1)
		return fmt.Errorf("serve: Publish: %w", err)
	}
	if cur := p.cur.Load(); cur != nil {
		if mf.Inputs == nil {
			mf.Inputs = cur.inputs
		}
		if mf.Outputs == nil {
			mf.Outputs = cur.outputs
		}
	}
	return p.Swap(mf)
}

// fromMemory makes a Model of a model file made in memory.
func (p *Predictor) fromMemory(mf *modelfile.File) (*Model, error) {
	if mf == nil {
		return nil, errors.New("serve: nil model")
	}
	c := *mf
	if err := p.name(&c); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	crc, err := encodedCRC(&c)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return newModel(&c, crc, 0)
}

// name applies Options.Inputs and Outputs to mf (an error without prefix).
func (p *Predictor) name(mf *modelfile.File) error {
	if p.opts.Inputs != nil {
		if len(p.opts.Inputs) != mf.In {
			return fmt.Errorf("%d input names for a model of %d inputs", len(p.opts.Inputs), mf.In)
		}
		mf.Inputs = p.opts.Inputs
	}
	if p.opts.Outputs != nil {
		if len(p.opts.Outputs) != mf.Out {
			return fmt.Errorf("%d output names for a model of %d outputs", len(p.opts.Outputs), mf.Out)
		}
		mf.Outputs = p.opts.Outputs
	}
	return nil
}

// accept serves m if it may replace the model served; p.mu is held.
func (p *Predictor) accept(m *Model) error {
	cur := p.cur.Load()
	if cur != nil && !p.opts.AllowChange {
		if err := compatible(cur, m); err != nil {
			return err
		}
	}
	if cur != nil {
		p.swaps.Add(1)
	}
	p.publish(m)
	return nil
}

func (p *Predictor) publish(m *Model) {
	m.predictions = &p.predictions
	p.cur.Store(m)
}

// since returns the time elapsed from t0, at least a nanosecond.
func since(t0 time.Time) time.Duration { return max(time.Since(t0), 1) }
