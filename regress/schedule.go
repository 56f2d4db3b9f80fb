package regress

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// ParseSchedule reads a schedule from its command-line spelling: "" or
// "constant", "step:EVERY:GAMMA" (e.g. step:30:0.1) or "invscaling:POWER".
// Every character must belong to a number: "step:30:0.1x" is an error.
func ParseSchedule(s string) (Schedule, error) {
	parts := strings.Split(s, ":")
	switch {
	case s == "" || s == "constant":
		return nil, nil
	case parts[0] == "step":
		var every int
		var gamma float64
		err := errors.New("want two numbers")
		if len(parts) == 3 {
			if every, err = strconv.Atoi(parts[1]); err == nil {
				gamma, err = strconv.ParseFloat(parts[2], 64)
			}
		}
		if err != nil || every <= 0 || !(gamma > 0) || math.IsInf(gamma, 0) {
			return nil, fmt.Errorf("schedule %q: want step:EVERY:GAMMA with EVERY > 0 epochs and GAMMA > 0, e.g. step:30:0.1", s)
		}
		return StepDecay{Every: every, Gamma: gamma}, nil
	case parts[0] == "invscaling":
		var powr float64
		err := errors.New("want one number")
		if len(parts) == 2 {
			powr, err = strconv.ParseFloat(parts[1], 64)
		}
		if err != nil || !(powr >= 0) || math.IsInf(powr, 0) {
			return nil, fmt.Errorf("schedule %q: want invscaling:POWER with POWER ≥ 0, e.g. invscaling:0.25", s)
		}
		return InvScaling{Power: powr}, nil
	}
	return nil, fmt.Errorf("schedule %q: want constant, step:EVERY:GAMMA or invscaling:POWER", s)
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
