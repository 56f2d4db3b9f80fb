//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
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
// command is started by a launcher, this test binary run afresh and small,
// which reports the command's peak on file descriptor 3, passes signals on,
// and exits with the command's status.

func init() { launcher = launch }

// launch is the launcher's main: it runs os.Args[1:], which dies with it.
func launch() int {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		return 125
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Fprint(os.NewFile(3, "peak"), int64(ru.Maxrss))
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

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
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	peak, err := os.CreateTemp(t.TempDir(), "peak")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Args = append([]string{self}, append([]string{cmd.Path}, cmd.Args[1:]...)...)
	cmd.Path = self
	cmd.Env = append(cmd.Env, launcherEnv+"=1")
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
