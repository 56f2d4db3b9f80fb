//go:build riscv64 && linux && gc && !purego

package edgefit

import (
	"encoding/binary"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

// hasVFromHWCAP reports the V extension from the auxiliary vector's
// AT_HWCAP, for kernels without the riscv_hwprobe system call (before Linux
// 6.4, and qemu-user before 8.1), where golang.org/x/sys/cpu sees nothing.
// Where hwprobe answers, its answer stands and this returns false; so does
// GODEBUG=cpu.v=off (or cpu.all=off), which golang.org/x/sys/cpu obeys.
func hasVFromHWCAP() bool {
	for _, o := range strings.Split(os.Getenv("GODEBUG"), ",") {
		if o == "cpu.v=off" || o == "cpu.all=off" {
			return false
		}
	}
	if hwprobeAnswers() {
		return false
	}
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return false
	}
	const atHWCAP, isaV = 16, 1 << ('V' - 'A')
	for i := 0; i+16 <= len(b); i += 16 {
		if binary.LittleEndian.Uint64(b[i:]) == atHWCAP {
			return binary.LittleEndian.Uint64(b[i+8:])&isaV != 0
		}
	}
	return false
}

// hwprobeAnswers reports whether the riscv_hwprobe system call exists.
func hwprobeAnswers() bool {
	const sysRISCVHWProbe, keyIMAExt0 = 258, 4
	pair := [2]int64{keyIMAExt0, 0}
	_, _, errno := syscall.Syscall6(sysRISCVHWProbe, uintptr(unsafe.Pointer(&pair)), 1, 0, 0, 0, 0)
	return errno == 0
}
