//go:build unix

package serve

import "syscall"

// nonBlock opens a FIFO at once rather than waiting for a writer.
const nonBlock = syscall.O_NONBLOCK
