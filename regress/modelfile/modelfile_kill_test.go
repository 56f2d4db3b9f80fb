package modelfile

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgefit/edgefit/internal/emulator"
)

// bigModel is a model large enough (1 MB) that a save takes a while, filled
// with v so that the two models alternated below are told apart.
func bigModel(v float32) *File {
	const in, out = 500, 500
	mf := &File{In: in, Out: out, W: make([]float32, in*out), B: make([]float32, out),
		Mean: make([]float32, in), Scale: make([]float32, in)}
	for i := range mf.W {
		mf.W[i] = v + float32(i%7)
	}
	for i := range mf.B {
		mf.B[i] = v
	}
	for i := range mf.Scale {
		mf.Scale[i] = 1
	}
	return mf
}

const saveHelperEnv = "EDGEFIT_SAVE_HELPER"

// TestSaveHelper is not a test: run by TestSaveSurvivesKill in a child
// process, it saves the two models alternately to the named file until it is
// killed, saying it is ready after its first save.
func TestSaveHelper(t *testing.T) {
	path := os.Getenv(saveHelperEnv)
	if path == "" {
		t.Skip("helper process for TestSaveSurvivesKill")
	}
	models := []*File{bigModel(2), bigModel(1)}
	for i := 0; ; i++ {
		if err := Save(path, models[i%2]); err != nil {
			os.Exit(3)
		}
		if i == 0 {
			// Ready once a save has run: the first is slow under an
			// emulator (its code is translated as it first runs),
			// and kills timed by a warm save would all land in it.
			os.WriteFile(path+".ready", nil, 0o644)
		}
	}
}

// TestSaveSurvivesKill kills a process that is saving models at random
// moments: every time, the file must load and be one of the two models,
// never a mixture or a truncated file.
//
// It proves that only if the kills landed where they matter, so it goes on
// killing (within a time budget, which emulation and a loaded machine need)
// until it has seen both outcomes, the old model (killed before the child's
// save renamed its file into place) and the new one (after), and at least
// one save interrupted mid-write (its temporary file left behind), and then
// requires them. The moment of each kill is random within the time of a few
// saves, as measured here, so that it scales with the machine's speed.
func TestSaveSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	old, new := bigModel(1), bigModel(2)
	save := time.Duration(math.MaxInt64)
	for range 3 {
		t0 := time.Now()
		if err := Save(path, old); err != nil {
			t.Fatal(err)
		}
		save = min(save, time.Since(t0))
	}
	old.Source, new.Source = SourceEdgefit, SourceEdgefit // as loaded
	const minKills, maxKills, budget = 5, 200, 2 * time.Minute
	seen := map[float32]int{}
	kills, interrupted := 0, 0
	deadline := time.Now().Add(budget)
	for kills < maxKills && time.Now().Before(deadline) &&
		(kills < minKills || seen[1] == 0 || seen[2] == 0 || interrupted == 0) {
		killSaver(t, path, time.Duration(rand.Int64N(int64(4*save)+1)), deadline)
		kills++
		got, err := Load(path)
		if err != nil {
			t.Fatalf("after kill %d the model does not load: %v", kills, err)
		}
		switch {
		case reflect.DeepEqual(got, old):
			seen[1]++
		case reflect.DeepEqual(got, new):
			seen[2]++
		default:
			t.Fatalf("after kill %d the file holds neither model", kills)
		}
		// Temporary files of interrupted saves remain; they never replace
		// the model.
		interrupted = tempFiles(t, dir)
	}
	t.Logf("%d kills (a save takes %v here): old model %d times, new %d times; %d saves interrupted mid-write", kills, save, seen[1], seen[2], interrupted)
	if kills < minKills || seen[1] == 0 || seen[2] == 0 || interrupted == 0 {
		t.Errorf("in %v: %d kills, the old model seen %d times, the new %d times, %d saves interrupted mid-write; "+
			"want at least %d kills, both models seen and a save interrupted", budget, kills, seen[1], seen[2], interrupted, minKills)
	}
}

// killSaver starts TestSaveHelper saving to path in a child process, waits
// until it is about to save (or deadline), lets it save for wait and kills it.
func killSaver(t *testing.T, path string, wait time.Duration, deadline time.Time) {
	t.Helper()
	start := func() (*exec.Cmd, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSaveHelper$")
		if qemu != "" {
			cmd = exec.Command(qemu, os.Args[0], "-test.run=^TestSaveHelper$")
		}
		cmd.Env = append(os.Environ(), saveHelperEnv+"="+path)
		return cmd, cmd.Start()
	}
	os.Remove(path + ".ready")
	cmd, err := start()
	if errors.Is(err, syscall.ENOEXEC) && qemu == "" {
		// Under a user-mode emulator without binfmt_misc (GOARCH=arm64
		// go test -exec qemu-aarch64-static) the kernel cannot start this
		// test binary again: start it under the same emulator.
		qemu = mustEmulator(t, err)
		cmd, err = start()
	}
	if err != nil {
		t.Fatal(err)
	}
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path + ".ready"); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(wait)
	cmd.Process.Kill()
	if err := cmd.Wait(); cmd.ProcessState.Exited() {
		t.Fatalf("the saving child ended by itself (%v) instead of being killed: a save failed", err)
	}
}

// tempFiles counts the temporary files of interrupted saves in dir.
func tempFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			n++
		}
	}
	return n
}

// qemu, when set, is the user-mode emulator that runs child processes.
var qemu string

// mustEmulator returns the emulator for this GOARCH, or fails the test with
// why the child could not start and what to install.
func mustEmulator(t *testing.T, cause error) string {
	t.Helper()
	path, err := emulator.For(runtime.GOARCH)
	if err != nil {
		t.Fatalf("cannot start a %s child process (%v): %v", runtime.GOARCH, cause, err)
	}
	return path
}
