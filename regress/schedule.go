package regress

import (
	"math"
)

// Schedule gives the learning rate for each epoch from the initial one, as
// FitConfig.Schedule. Epochs count from 0.
type Schedule interface {
	LR(lr0 float64, epoch int) float64
}

// StepDecay multiplies the rate by Gamma every Every epochs, as PyTorch's
// StepLR(step_size=Every, gamma=Gamma) does when stepped once per epoch:
// lr = lr0 · Gamma^⌊epoch/Every⌋.
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

// InvScaling divides the rate by a power of the epoch count, like
// scikit-learn's learning_rate="invscaling" but per epoch rather than per
// sample: lr = lr0 / (epoch+1)^Power. Power 0.25 is scikit-learn's default;
// 1 gives the 1/t decay under which SGD provably converges.
type InvScaling struct {
	Power float64
}

// LR implements Schedule.
func (s InvScaling) LR(lr0 float64, epoch int) float64 {
	return lr0 / math.Pow(float64(epoch+1), s.Power)
}

// ScheduleUnderflow returns the first epoch (from 0) before epochs at which
// s, started at lr0, gives a rate below float32's normal range (the steps
// would lose it), or -1 when every rate is usable: a check before training.
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
