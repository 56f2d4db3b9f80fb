package regress

import (
	"errors"
	"github.com/edgefit/edgefit/internal/emulator"
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
)

// bigModel is a model large enough (1 MB) that a save takes a while, filled
// with v so that the two models alternated below are told apart.
func bigModel(v float32) *ModelFile {
	const in, out = 500, 500
	mf := &ModelFile{In: in, Out: out, W: make([]float32, in*out), B: make([]float32, out),
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
// killed.
func TestSaveHelper(t *testing.T) {
	path := os.Getenv(saveHelperEnv)
	if path == "" {
		t.Skip("helper process for TestSaveSurvivesKill")
	}
	models := []*ModelFile{bigModel(2), bigModel(1)}
	os.WriteFile(path+".ready", nil, 0o644)
	for i := 0; ; i++ {
		if err := SaveModel(path, models[i%2]); err != nil {
			os.Exit(3)
		}
	}
}

// TestSaveSurvivesKill kills a process that is saving models at random
// moments: every time, the file must load and be one of the two models,
// never a mixture or a truncated file.
func TestSaveSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	old, new := bigModel(1), bigModel(2)
	if err := SaveModel(path, old); err != nil {
		t.Fatal(err)
	}
	seen := map[float32]int{}
	deadline := time.Now().Add(4 * time.Second)
	kills := 0
	for i := 0; i < 15 && time.Now().Before(deadline); i++ {
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
		for start := time.Now(); time.Since(start) < 2*time.Second; time.Sleep(time.Millisecond) {
			if _, err := os.Stat(path + ".ready"); err == nil {
				break
			}
		}
		// A random moment within a few saves.
		time.Sleep(time.Duration(rand.Int64N(int64(300 * time.Millisecond))))
		cmd.Process.Kill()
		cmd.Wait()
		kills++
		got, err := LoadModel(path)
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
	}
	// Temporary files of interrupted saves may remain; they never replace
	// the model.
	entries, _ := os.ReadDir(dir)
	tmp := 0
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			tmp++
		}
	}
	t.Logf("%d kills: old model %d times, new %d times; %d temporary files left by interrupted saves", kills, seen[1], seen[2], tmp)
	if kills < 5 || seen[2] == 0 {
		t.Errorf("%d kills, the new model seen %d times: the test did not exercise saving", kills, seen[2])
	}
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
