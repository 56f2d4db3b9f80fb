package main

import (
	"math"
	"strings"
	"testing"
)

// TestSample: a small sample's figures are finite and positive (at this
// size, timing noise decides their values).
func TestSample(t *testing.T) {
	p := newProbe(2, size{fmaIters: 2000, rows: 2000, bufRows: 1024, passes: 100})
	s := p.sample()
	for name, r := range map[string]float64{"fma": s.fma, "rows": s.rows} {
		if !(r > 0) || math.IsInf(r, 0) {
			t.Errorf("%s ratio %v, want finite and positive", name, r)
		}
	}
	if !(s.handover > 0) || math.IsInf(s.handover, 0) {
		t.Errorf("hand-over %v ns, want finite and positive", s.handover)
	}
}

// TestReadRowsStaysInBuffer: rows drawn for any thread lie in the buffer
// (a row past its end would panic).
func TestReadRowsStaysInBuffer(t *testing.T) {
	p := newProbe(2, size{rows: 10_000, bufRows: 3})
	for thread := range 70 {
		p.readRows(thread)
	}
}

func TestSummary(t *testing.T) {
	got := summary([]sample{{2, 1.9, 40}, {1.0, 1.8, 30}, {1.9, 1.2, 190}, {2.1, 2.0, 35}}, 2)
	want := "4 samples: median fma 1.95, rows 1.85, hand-over 38 ns (30–190); 2 (50 %) with a ratio under 1.5\n"
	if got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if s := summary(nil, 2); !strings.HasPrefix(s, "no samples") {
		t.Errorf("summary(nil) = %q", s)
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
