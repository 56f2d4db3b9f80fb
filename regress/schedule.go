package regress

import (
	"math"
)

// Schedule gives the learning rate for each epoch from the initial one.
// Epochs count from 0. A nil Schedule keeps the rate constant.
type Schedule interface {
	LR(lr0 float32, epoch int) float32
}

// StepDecay multiplies the rate by Gamma every Every epochs, as PyTorch's
// StepLR(step_size=Every, gamma=Gamma) does when stepped once per epoch:
// lr = lr0 · Gamma^⌊epoch/Every⌋.
type StepDecay struct {
	Every int
	Gamma float64
}

// LR implements Schedule.
func (s StepDecay) LR(lr0 float32, epoch int) float32 {
	if s.Every <= 0 {
		return lr0
	}
	return float32(float64(lr0) * math.Pow(s.Gamma, float64(epoch/s.Every)))
}

// InvScaling divides the rate by a power of the epoch count, like
// scikit-learn's learning_rate="invscaling" but per epoch rather than per
// sample: lr = lr0 / (epoch+1)^Power. Power 0.25 is scikit-learn's default;
// 1 gives the 1/t decay under which SGD provably converges.
type InvScaling struct {
	Power float64
}

// LR implements Schedule.
func (s InvScaling) LR(lr0 float32, epoch int) float32 {
	return float32(float64(lr0) / math.Pow(float64(epoch+1), s.Power))
}

// ScheduleUnderflow returns the first epoch (from 0) before epochs at which
// s, started at lr0, gives a rate that is not a normal float32 (it rounds to
// 0 or loses precision), or -1 when every epoch's rate is usable. A trainer
// checks it up front rather than failing mid-run.
func ScheduleUnderflow(s Schedule, lr0 float32, epochs int) int {
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
