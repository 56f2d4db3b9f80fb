package data

import (
	"fmt"
	"math/bits"

	"github.com/edgefit/edgefit/linalg"
)

// fits reports whether a buffer of a·b values, a and b non-negative, is
// within linalg.MaxElements: a size too large to allocate is an error naming
// the constructor, never a wrapped-round product, a panic or an
// out-of-memory crash.
func fits(a, b int) bool {
	hi, lo := bits.Mul(uint(a), uint(b))
	return a >= 0 && b >= 0 && hi == 0 && lo <= linalg.MaxElements
}

// tooLarge is the error for a buffer of a×b values over the limit; what
// says what the buffer holds.
func tooLarge(op, what string, a, b int) error {
	return fmt.Errorf("data: %s: %s: %d×%d values, more than linalg.MaxElements (%d) in one buffer", op, what, a, b, linalg.MaxElements)
}
