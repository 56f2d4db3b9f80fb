package data

import (
	"errors"
	"fmt"

	"github.com/edgefit/edgefit/linalg"
)

// Source is the training data as regress's Fit goes over it: one epoch is
// one Pass, which calls fn with a loader over each part of the data in turn
// and stops at the first error fn returns, returning it. A Loader is a Source
// of one part, data in memory; a Stream reads its parts anew every pass,
// for data that does not fit in memory.
type Source interface {
	Pass(fn func(*Loader) error) error
}

// Pass calls fn(l): a loader is the one part of its data.
func (l *Loader) Pass(fn func(*Loader) error) error { return fn(l) }

// Chunks makes one pass over rows held or read elsewhere: it calls yield
// with each chunk of rows in turn (X and Y with one target row per input
// row), stops at the first error yield returns and returns it. The chunks
// may share storage: yield is done with a chunk when it returns.
type Chunks func(yield func(X, Y linalg.Dense) error) error

// Stream is a Source over chunks read anew every pass, as from a file larger
// than memory. Each chunk is one part, batched by a Loader of its own: with
// Shuffle, rows are mixed within a chunk, never across chunks; without, the
// pass's batches are those of the whole data in order when every chunk but
// the last holds a multiple of BatchSize rows. Empty chunks are skipped.
//
// A chunk in the same storage and of the same size as one of the last two
// loaders' reuses that loader (the usual case: chunks read into one buffer,
// all the same size but the last); otherwise a new loader is made, seeded
// with Seed plus the number made before it, so that the orders drawn are
// the same on every run.
type Stream struct {
	chunks  Chunks
	cfg     LoaderConfig
	loaders [2]*Loader
	made    uint64
	fn      func(*Loader) error // the pass's fn, while it runs
	yield   func(X, Y linalg.Dense) error
}

// NewStream returns a Stream over chunks, batched as cfg says (its Order, if
// any, is given to every chunk's loader).
func NewStream(chunks Chunks, cfg LoaderConfig) (*Stream, error) {
	if chunks == nil {
		return nil, errors.New("data: NewStream: nil chunks")
	}
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: NewStream: batch size %d: want at least 1", cfg.BatchSize)
	}
	s := &Stream{chunks: chunks, cfg: cfg}
	s.yield = s.chunk // made once: a pass allocates nothing for it
	return s, nil
}

// Pass implements Source: one pass over the chunks.
func (s *Stream) Pass(fn func(*Loader) error) error {
	if s == nil || s.chunks == nil || fn == nil {
		return errors.New("data: Stream.Pass: nil stream or function")
	}
	if s.fn != nil {
		return errors.New("data: Stream.Pass: called again during a pass")
	}
	s.fn = fn
	defer func() { s.fn = nil }()
	return s.chunks(s.yield)
}

// chunk passes one chunk's loader to the pass's fn.
func (s *Stream) chunk(X, Y linalg.Dense) error {
	if X.Rows == 0 && Y.Rows == 0 {
		return nil
	}
	l, err := s.loaderFor(X, Y)
	if err != nil {
		return err
	}
	return s.fn(l)
}

// loaderFor returns a loader over X and Y: one of the last two when it has
// the same storage and shape, else a new one.
func (s *Stream) loaderFor(X, Y linalg.Dense) (*Loader, error) {
	for _, l := range s.loaders {
		if l != nil && same(l.ds.X, X) && same(l.ds.Y, Y) {
			return l, nil
		}
	}
	ds, err := NewDataset(X, Y)
	if err != nil {
		return nil, err
	}
	cfg := s.cfg
	cfg.Seed += s.made
	l, err := NewLoader(ds, cfg)
	if err != nil {
		return nil, err
	}
	s.loaders[s.made%2] = l
	s.made++
	return l, nil
}

// same reports whether a and b are the same matrix in the same storage.
func same(a, b linalg.Dense) bool {
	return a.Rows == b.Rows && a.Cols == b.Cols && a.Stride == b.Stride &&
		len(a.Data) > 0 && len(b.Data) > 0 && &a.Data[0] == &b.Data[0]
}
