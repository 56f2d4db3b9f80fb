//go:build linux

// Command launcher runs a program and reports its peak resident set, for the
// hostile suite's memory ceilings (cmd/edgefit/launcher_test.go): launcher
// PROGRAM ARGS... runs PROGRAM, passes SIGINT and SIGTERM on, writes the
// program's peak (KiB, from rusage) to file descriptor 3, and exits with the
// program's status. It is built on its own, small and without the race
// detector, because Linux records the parent's peak in the child's at exec:
// a launcher as large as a -race test binary would hide the command's peak.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() { os.Exit(launch()) }

func launch() int {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: launcher PROGRAM [ARG...]")
		return 125
	}
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
