//go:build unix

package serve

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// A FIFO put in the model file's place between readModel's Stat and its
// Open is refused at once: the open does not wait for a writer, which would
// hold the watcher and Reload (p.mu) for good.
func TestReloadFIFORace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	if err := modelfile.Save(path, modelFile(t, 0)); err != nil {
		t.Fatal(err)
	}
	p, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := p.Current().Version()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	beforeOpen = func() {
		if err := os.Rename(fifo, path); err != nil {
			t.Error(err)
		}
	}
	defer func() { beforeOpen = nil }()
	done := make(chan error, 1)
	go func() { _, err := p.Reload(); done <- err }()
	var rerr error
	select {
	case rerr = <-done:
	case <-time.After(time.Minute): // a guard against a hang, not a measure
		w, _ := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		w.Close()
		t.Fatalf("Reload waited on a FIFO for a writer (then returned %v)", <-done)
	}
	if rerr == nil || p.Current().Version() != v || p.Stats().LoadErrors != 1 {
		t.Errorf("Reload of a FIFO: %v, version %08x (want %08x kept), stats %+v", rerr, p.Current().Version(), v, p.Stats())
	}
}

// A model file replaced by a directory is one load error, not one at every
// tick of Watch: the directory is remembered as the file last read, and a
// file put back in its place is read again.
func TestWatchDirectoryOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := modelfile.Save(path, modelFile(t, 0)); err != nil {
		t.Fatal(err)
	}
	p, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := p.Current().Version()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	tick := func() { // what Watch does at a tick
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.changed() {
			p.reload()
		}
	}
	for range 3 {
		tick()
	}
	if s := p.Stats(); s.LoadErrors != 1 || s.Version != v {
		t.Errorf("after 3 ticks on a directory: %+v, want 1 load error and version %08x kept", s, v)
	}
	os.Remove(path)
	if err := modelfile.Save(path, modelFile(t, 2)); err != nil {
		t.Fatal(err)
	}
	tick()
	if s := p.Stats(); s.Swaps != 1 || s.Version == v {
		t.Errorf("after a new file in the directory's place: %+v, want it served", s)
	}
}
