package regress

import (
	"fmt"
	"math/bits"

	"github.com/edgefit/edgefit/linalg"
)

// Every constructor here sizes its buffers from its arguments: a model's
// In×Out weights, a trainer's batch×Out predictions, the k×k normal
// equations. Each buffer may hold at most linalg.MaxElements values, and its
// size is computed without overflow, so that a size too large to allocate is
// an error naming the constructor, never a wrapped-round product, a panic
// or an out-of-memory crash.

// fits reports whether a buffer of a·b values, a and b non-negative, is
// within linalg.MaxElements.
func fits(a, b int) bool {
	hi, lo := bits.Mul(uint(a), uint(b))
	return a >= 0 && b >= 0 && hi == 0 && lo <= linalg.MaxElements
}

// tooLarge is the error for a buffer of a×b values over the limit; what
// says what the buffer holds.
func tooLarge(op, what string, a, b int) error {
	return fmt.Errorf("regress: %s: %s: %d×%d values, more than linalg.MaxElements (%d) in one buffer", op, what, a, b, linalg.MaxElements)
}

// checkCount returns an error unless n, the size of one buffer, is
// non-negative and within linalg.MaxElements.
func checkCount(op, what string, n int) error {
	if n < 0 {
		return fmt.Errorf("regress: %s: %s: %d: want at least 0", op, what, n)
	}
	if n > linalg.MaxElements {
		return fmt.Errorf("regress: %s: %s: %d values, more than linalg.MaxElements (%d) in one buffer", op, what, n, linalg.MaxElements)
	}
	return nil
}
