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
		rerr = <-done
		t.Fatal("Reload waited on a FIFO for a writer")
	}
	if rerr == nil || p.Current().Version() != v || p.Stats().LoadErrors != 1 {
		t.Errorf("Reload of a FIFO: %v, version %08x (want %08x kept), stats %+v", rerr, p.Current().Version(), v, p.Stats())
	}
}
