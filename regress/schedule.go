package regress

import (
	"math"
)

// Schedule gives the learning rate of each epoch (from 0).
type Schedule interface {
	LR(lr0 float64, epoch int) float64
}

// StepDecay is lr0·Gamma^⌊epoch/Every⌋, PyTorch's StepLR per epoch.
type StepDecay struct {
	Every int
	Gamma float64
}

// LR implements Schedule.
func (s StepDecay) LR(lr0 float64, epoch int) float64 {
	if s.Every <= 0 {
		return lr0
	}
	return lr0 * math.Pow(s.Gamma, float64(epoch/s.Every))
}

// InvScaling is lr0/(epoch+1)^Power, scikit-learn's "invscaling" per epoch.
type InvScaling struct {
	Power float64
}

// LR implements Schedule.
func (s InvScaling) LR(lr0 float64, epoch int) float64 {
	return lr0 / math.Pow(float64(epoch+1), s.Power)
}

// ScheduleUnderflow returns the first epoch of a rate below float32's, or -1.
func ScheduleUnderflow(s Schedule, lr0 float64, epochs int) int {
	if s == nil {
		return -1
	}
	for e := 0; e < epochs; e++ {
		if !(s.LR(lr0, e) >= minNormal32) {
			return e
		}
	}
	return -1
}

// minNormal32 is the smallest normal float32.
const minNormal32 = 0x1p-126
