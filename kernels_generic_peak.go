//go:build !386

package edgefit

// peakChains is the number of multiply-add chains of the Go PeakFMA loop:
// twelve, which with their two constants fit in 16 floating-point registers.
const peakChains = 12
