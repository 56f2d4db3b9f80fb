// Package emulator finds the user-mode emulator that tests need to start a
// child process when they themselves run under one.
//
// Under GOARCH=arm64 go test -exec qemu-aarch64-static, with no binfmt_misc
// registration, the kernel cannot start a program built for the tests'
// GOARCH (exec fails with ENOEXEC), so a test that runs the built command or
// re-executes itself must start the child under the same emulator.
package emulator

import (
	"fmt"
	"os/exec"
)

var names = map[string]string{
	"arm64":   "qemu-aarch64-static",
	"arm":     "qemu-arm-static",
	"riscv64": "qemu-riscv64-static",
	"386":     "qemu-i386-static",
}

// For returns the path of qemu's user-mode emulator for goarch, or an error
// that says what to install.
func For(goarch string) (string, error) {
	name, ok := names[goarch]
	if !ok {
		return "", fmt.Errorf("no user-mode emulator known for GOARCH=%s", goarch)
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("no %s on PATH (install qemu-user-static): %v", name, err)
	}
	return path, nil
}
