package main

import (
	"testing"

	"github.com/edgefit/edgefit/regress"
)

func TestParseSchedule(t *testing.T) {
	for _, s := range []string{"", "constant", "step:30:0.1", "invscaling:0.25"} {
		if _, err := parseSchedule(s); err != nil {
			t.Errorf("parseSchedule(%q): %v", s, err)
		}
	}
	if s, _ := parseSchedule("step:10:0.5"); s != (regress.StepDecay{Every: 10, Gamma: 0.5}) {
		t.Errorf("parseSchedule(step:10:0.5) = %v", s)
	}
	for _, s := range []string{"step", "step:0:0.1", "step:10:-1", "invscaling:-1", "invscaling:x", "cosine",
		"step:30:0.1x", "step:30x:0.1", "step:30:0.1:2", "invscaling:0.25 junk", "invscaling:0.25:1", "step:30:inf"} {
		if _, err := parseSchedule(s); err == nil {
			t.Errorf("parseSchedule(%q): no error", s)
		}
	}
}
