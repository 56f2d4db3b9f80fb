package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Many stats files on the command line are each looked at once (the check
// for a file named twice compared every pair by two stat calls: millions of
// calls for a few thousand files), and the output is checked once.
func TestCheckStatsPathsLinear(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 300 {
		p := filepath.Join(dir, fmt.Sprintf("%d.stats", i))
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	calls := 0
	statPath = func(p string) (os.FileInfo, error) { calls++; return os.Stat(p) }
	defer func() { statPath = os.Stat }()
	if err := checkStatsPaths(filepath.Join(dir, "m.st"), "-stats", paths); err != nil {
		t.Fatal(err)
	}
	if calls > len(paths)+1 {
		t.Errorf("%d stat calls for %d files and -o, want at most %d", calls, len(paths), len(paths)+1)
	}
	if err := os.Link(paths[7], filepath.Join(dir, "h.stats")); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("-stats names %s and %s, the same file: its rows would count twice", paths[7], filepath.Join(dir, "h.stats"))
	if err := checkStatsPaths("", "-stats", append(paths, filepath.Join(dir, "h.stats"))); err == nil || err.Error() != want {
		t.Errorf("a hard link among them: %v, want %s", err, want)
	}
	want = fmt.Sprintf("-o %s is the same file as -stats %s: refusing to overwrite an input", paths[9], paths[9])
	if err := checkStatsPaths(paths[9], "-stats", paths); err == nil || err.Error() != want {
		t.Errorf("-o one of them: %v, want %s", err, want)
	}
}
