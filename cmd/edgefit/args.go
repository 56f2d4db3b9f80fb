package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit/regress"
)

// splitNames splits a comma-separated list of column names, as given on a
// command line, dropping empty entries.
func splitNames(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseSchedule reads a schedule from its command-line spelling: "" or
// "constant", "step:EVERY:GAMMA" (e.g. step:30:0.1) or "invscaling:POWER".
// Every character must belong to a number: "step:30:0.1x" is an error.
func parseSchedule(s string) (regress.Schedule, error) {
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
		return regress.StepDecay{Every: every, Gamma: gamma}, nil
	case parts[0] == "invscaling":
		var powr float64
		err := errors.New("want one number")
		if len(parts) == 2 {
			powr, err = strconv.ParseFloat(parts[1], 64)
		}
		if err != nil || !(powr >= 0) || math.IsInf(powr, 0) {
			return nil, fmt.Errorf("schedule %q: want invscaling:POWER with POWER ≥ 0, e.g. invscaling:0.25", s)
		}
		return regress.InvScaling{Power: powr}, nil
	}
	return nil, fmt.Errorf("schedule %q: want constant, step:EVERY:GAMMA or invscaling:POWER", s)
}
