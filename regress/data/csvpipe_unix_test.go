//go:build unix

package data

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/edgefit/edgefit/linalg"
)

// A pipe (here a FIFO) is opened once and read once: no rows are lost to a
// second opening, and a second pass is an error, not a hang.
func TestCSVFilePipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	const rows = 20000 // more than a pipe's buffer
	done := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			done <- err
			return
		}
		_, err = io.WriteString(w, "x,y\n"+strings.Repeat("1,2\n", rows))
		w.Close()
		// Were the FIFO opened again for reading, it would read nothing.
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		done <- err
	}()
	f, err := OpenCSVFile(path, []string{"y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Rereadable() {
		t.Error("a FIFO is rereadable")
	}
	X, Y := make([]float32, 64), make([]float32, 64)
	got := 0
	err = f.Pass(X, Y, func(X, Y linalg.Dense) error { got += X.Rows; return nil })
	if err != nil || got != rows {
		t.Errorf("pass: %d rows, %v; want %d", got, err, rows)
	}
	if err := f.Pass(X, Y, func(linalg.Dense, linalg.Dense) error { return nil }); err == nil || !strings.Contains(err.Error(), "read only once") {
		t.Errorf("second pass: %v", err)
	}
	// Release the writer's second opening: a reader held open until the
	// writer is done lets that opening through whether it began before this
	// one or after (opened and closed at once, it could miss a late one).
	if r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		defer r.Close()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
