package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestChart(t *testing.T) {
	var ys []float64
	for i := 0; i < 100; i++ {
		ys = append(ys, 1000/float64(i+1)) // 1000 down to 10: two decades
	}
	var b bytes.Buffer
	chart(&b, "loss", ys, 60, 10)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 1+10+2 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	if lines[0] != "loss" {
		t.Errorf("title %q: a span of 100× is not log scale", lines[0])
	}
	// The curve starts in the top row and ends in the bottom one.
	if top := lines[1]; !strings.HasPrefix(top, "      1000 ┤•") {
		t.Errorf("top row %q", top)
	}
	if bottom := lines[10]; !strings.HasSuffix(bottom, "•") || !strings.HasPrefix(bottom, "        10 ┤") {
		t.Errorf("bottom row %q", bottom)
	}
	if !strings.HasSuffix(lines[12], "100 epochs") {
		t.Errorf("axis %q", lines[12])
	}
	b.Reset()
	chart(&b, "loss", append(ys, 0.5), 60, 10) // three decades
	if !strings.Contains(b.String(), "(log scale)") {
		t.Error("three decades: no log scale")
	}
	b.Reset()
	chart(&b, "loss", []float64{3, 2}, 60, 5) // two epochs spread over the width
	if rows := strings.Split(b.String(), "\n"); len([]rune(rows[1])) != len([]rune("           ┤"))+60 {
		t.Errorf("two epochs: row %q, want 60 columns", rows[1])
	}
}

func TestProgressQuietAndRates(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, false, 10, false)
	p.update(1, 0.5, 3, 1e6) // too soon after the start for a line
	if b.Len() != 0 {
		t.Errorf("a line within 5 s of the start: %q", b.String())
	}
	p.last = time.Now().Add(-6 * time.Second)
	p.update(2, 0.5, 3, 2.5e6)
	if got := b.String(); got != "epoch 2/10 (15%)  loss 3  2.50M rows/s\n" {
		t.Errorf("progress line %q", got)
	}
	q := newProgress(&b, true, 10, true)
	q.last = time.Now().Add(-time.Hour)
	q.start = q.last
	b.Reset()
	q.update(1, 1, 1, 1)
	q.done()
	if b.Len() != 0 {
		t.Errorf("quiet progress wrote %q", b.String())
	}
	for v, want := range map[float64]string{999: "999", 1500: "1.5k", 2.5e6: "2.50M", 3e9: "3.00G"} {
		if got := si(v); got != want {
			t.Errorf("si(%v) = %q, want %q", v, got, want)
		}
	}
}
