package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"time"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// Reload reads the model file again and serves it if its content changed
// (its CRC-32 differs from the served model's version) and it is valid and
// compatible (see Swap). It reports whether the model was replaced. A file
// that cannot be read or is refused is an error, counted, and the model
// served stays. A Predictor made by New has no file: an error.
func (p *Predictor) Reload() (bool, error) {
	if p.path == "" {
		return false, errors.New("serve: Reload: the Predictor has no model file (made by New)")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reload()
}

// Watch checks the model file every interval until ctx is done, and
// reloads it (see Reload) when it changed: another file renamed over it, or
// its size or modification time changed. Errors go to Options.OnLoad and the
// counts. It returns ctx's error; an interval ≤ 0 or a Predictor without a
// file returns at once with an error.
func (p *Predictor) Watch(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("serve: Watch: interval %v: want > 0", interval)
	}
	if p.path == "" {
		return errors.New("serve: Watch: the Predictor has no model file (made by New)")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			p.mu.Lock()
			if p.changed() {
				p.reload()
			}
			p.mu.Unlock()
		}
	}
}

// changed reports whether the file at p.path differs from the one last read
// by name, size or time; p.mu is held.
func (p *Predictor) changed() bool {
	st, err := os.Stat(p.path)
	if err != nil || p.stamp == nil {
		return err == nil || p.stamp != nil // a file gone is reported once
	}
	return !os.SameFile(st, p.stamp) || st.Size() != p.stamp.Size() || !st.ModTime().Equal(p.stamp.ModTime())
}

// reload loads p.path and serves it if it changed; p.mu is held.
func (p *Predictor) reload() (swapped bool, err error) {
	t0 := time.Now()
	defer func() {
		if err != nil {
			p.loadErrors.Add(1)
		}
		if p.opts.OnLoad != nil {
			p.opts.OnLoad(p.cur.Load(), err)
		}
	}()
	b, st, err := readModel(p.path)
	p.stamp = st
	if err != nil {
		return false, err
	}
	crc := crc32.ChecksumIEEE(b)
	if cur := p.cur.Load(); cur != nil && cur.version == crc {
		return false, nil
	}
	mf, err := modelfile.Decode(bytes.NewReader(b), int64(len(b)))
	if err == nil {
		err = p.name(mf)
	}
	if err != nil {
		return false, fmt.Errorf("serve: %s: %w", p.path, err)
	}
	m, err := newModel(mf, crc, since(t0))
	if err != nil {
		return false, err
	}
	if err := p.accept(m); err != nil {
		return false, fmt.Errorf("%w (%s)", err, p.path)
	}
	return true, nil
}

// beforeOpen, when set by a test, runs between readModel's Stat and Open.
var beforeOpen func()

// readModel reads a model file whole, with its file information taken from
// the file read, so that the two agree whatever replaces the file meanwhile.
func readModel(path string) ([]byte, os.FileInfo, error) {
	// Checked before opening too: opening a FIFO blocks until a writer comes.
	// Its information is returned with the error, as for a file refused,
	// so that Watch reports it once, not at every tick.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, st, fmt.Errorf("serve: %s: not a regular file", path)
	}
	if beforeOpen != nil {
		beforeOpen()
	}
	// Non-blocking all the same: a FIFO renamed over the file after the
	// Stat must not hold the watcher, and Reload, until a writer comes.
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, st, fmt.Errorf("serve: %s: not a regular file", path)
	}
	if st.Size() > modelfile.MaxFile {
		return nil, st, fmt.Errorf("serve: %s: %d bytes, over the %d-byte limit of a model file", path, st.Size(), int64(modelfile.MaxFile))
	}
	b, err := io.ReadAll(io.LimitReader(f, modelfile.MaxFile+1))
	if err != nil {
		return nil, st, fmt.Errorf("serve: %s: %w", path, err)
	}
	if len(b) > modelfile.MaxFile {
		return nil, st, fmt.Errorf("serve: %s: over the %d-byte limit of a model file", path, int64(modelfile.MaxFile))
	}
	return b, st, nil
}
