package edgefit

// peakChains is the number of multiply-add chains of the Go PeakFMA loop:
// six, which with their two constants fill 386's eight SSE registers.
const peakChains = 6
