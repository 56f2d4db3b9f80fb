//go:build linux

package modelfile

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Save refuses a target that exists and is not a regular file (as root,
// the rename would otherwise replace /dev/null or a FIFO with a regular
// file), and leaves the target and the directory as they were.
func TestSaveModelRefusesSpecialTargets(t *testing.T) {
	dir := t.TempDir()
	targets := map[string]string{}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	targets["directory"] = sub
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	targets["FIFO"] = fifo
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	targets["socket"] = sock
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	targets["link to a FIFO"] = link
	if os.Geteuid() == 0 {
		dev := filepath.Join(dir, "null")
		if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil { // 1,3: /dev/null
			t.Fatal(err)
		}
		targets["character device"] = dev
	}
	before := listDir(t, dir)
	for kind, path := range targets {
		st0, _ := os.Lstat(path)
		err := Save(path, sampleModel())
		if err == nil || !strings.Contains(err.Error(), "not a regular file") || !strings.HasPrefix(err.Error(), "modelfile: ") {
			t.Errorf("Save over a %s: %v, want a refusal", kind, err)
		}
		if st1, err := os.Lstat(path); err != nil || st1.Mode() != st0.Mode() || !os.SameFile(st0, st1) {
			t.Errorf("Save over a %s changed it", kind)
		}
	}
	if after := listDir(t, dir); after != before {
		t.Errorf("directory held %s, now %s", before, after)
	}
	// A regular file, and a link to one, are replaced.
	reg := filepath.Join(dir, "m")
	os.WriteFile(reg, []byte("old"), 0o644)
	if err := Save(reg, sampleModel()); err != nil {
		t.Errorf("Save over a regular file: %v", err)
	}
}

// SaveIf puts the file in place only when commit succeeds.
func TestSaveModelIfCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m")
	fail := errors.New("stdout is full")
	if err := SaveIf(path, sampleModel(), func() error { return fail }); err != fail {
		t.Errorf("SaveIf with a failing commit: %v, want its error", err)
	}
	if got := listDir(t, dir); got != "" {
		t.Errorf("a failed commit left %s", got)
	}
	called := false
	if err := SaveIf(path, sampleModel(), func() error { called = true; return nil }); err != nil || !called {
		t.Fatalf("SaveIf: %v, commit called %v", err, called)
	}
	if _, err := Load(path); err != nil {
		t.Error(err)
	}
}

func listDir(t *testing.T, dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, ",")
}

// Load refuses a FIFO without opening it (the open would block).
func TestLoadModelFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Load(FIFO): %v", err)
	}
}
