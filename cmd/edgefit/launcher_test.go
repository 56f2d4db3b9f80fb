//go:build linux

package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The memory ceiling of a hostile case is the command's peak resident set,
// from rusage: what it touched, measured. (A limit such as RLIMIT_DATA does
// not serve: Linux counts only the growth of a mapping, and the Go heap is
// mapped over address space it reserved without access, so most of it is
// missed; and the runtime crashes unpredictably near a limit.)
//
// os/exec starts a child by vfork, and Linux records the parent's peak in
// the child's at exec: a command started by this test process, which may be
// large (under -race above all), would report this process's peak. So the
// command is started by a launcher (testdata/launcher), a small program built
// on its own without the race detector, which reports the command's peak on
// file descriptor 3, passes signals on, and exits with the command's status.

// launched makes cmd start its program through the launcher and returns a
// function that gives, once cmd has ended, the program's peak resident set
// in MiB and the peak below which it cannot be told (0: always told).
//
// Under an emulator the program is started directly: the launcher would
// fork inside the emulator, where a fork of a threaded process can hang.
// There the peak is rusage's, and this process's own peak masks it.
func launched(t *testing.T, cmd *exec.Cmd) func() (peak, masked int64) {
	t.Helper()
	if qemu != "" {
		self := peakMiB(syscall.RUSAGE_SELF)
		return func() (int64, int64) {
			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			if !ok {
				t.Fatal("no rusage for the command")
			}
			return int64(ru.Maxrss) >> 10, self
		}
	}
	peak, err := os.CreateTemp(t.TempDir(), "peak")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Args = append([]string{launcherBin}, append([]string{cmd.Path}, cmd.Args[1:]...)...)
	cmd.Path = launcherBin
	cmd.ExtraFiles = []*os.File{peak}
	return func() (int64, int64) {
		defer peak.Close()
		b, err := os.ReadFile(peak.Name())
		kib, perr := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || perr != nil {
			t.Fatalf("the launcher reported no peak (%q)", b)
		}
		return kib >> 10, 0
	}
}

// peakMiB is the peak resident set of who (RUSAGE_SELF or RUSAGE_CHILDREN).
func peakMiB(who int) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) >> 10 // KiB on Linux
}

// qemuMiB is what the emulator itself may take beside the guest program.
const qemuMiB = 256

func checkPeak(t *testing.T, c hostileCase, peak, masked int64) {
	t.Helper()
	ceiling := int64(c.memMB)
	if qemu != "" {
		ceiling += qemuMiB
	}
	switch {
	case peak <= ceiling:
	case peak <= masked:
		t.Errorf("edgefit %s: cannot tell the command's peak resident set: this test process's own, %d MiB, is over the ceiling of %d MiB", strings.Join(c.args, " "), masked, ceiling)
	default:
		t.Errorf("edgefit %s: peak resident set %d MiB, over the ceiling of %d MiB", strings.Join(c.args, " "), peak, ceiling)
	}
}
