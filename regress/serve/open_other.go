//go:build !unix

package serve

// nonBlock is 0 where opening a FIFO does not wait for a writer, or where
// there are none.
const nonBlock = 0
