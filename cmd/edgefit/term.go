package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// progress reports training on stderr: on a terminal, a bar redrawn in place
// at most ten times a second once the run has lasted half a second (short
// runs stay quiet); elsewhere, a plain line at most every five seconds.
type progress struct {
	w     io.Writer
	tty   bool
	total int // epochs
	start time.Time
	last  time.Time
	drawn bool
	quiet bool
}

func newProgress(w io.Writer, tty bool, epochs int, quiet bool) *progress {
	now := time.Now()
	return &progress{w: w, tty: tty, total: epochs, start: now, last: now, quiet: quiet}
}

// update is called after each chunk of work with the epoch in progress (from
// 1), the fraction of it done, the latest loss and the training rate.
func (p *progress) update(epoch int, frac float64, loss float64, rowsPerSec float64) {
	if p.quiet {
		return
	}
	now := time.Now()
	if p.tty {
		if now.Sub(p.start) < 500*time.Millisecond || now.Sub(p.last) < 100*time.Millisecond {
			return
		}
	} else if now.Sub(p.last) < 5*time.Second {
		return
	}
	p.last = now
	done := (float64(epoch-1) + frac) / float64(p.total)
	if p.tty {
		const width = 30
		n := int(done * width)
		bar := strings.Repeat("█", n) + strings.Repeat("░", width-n)
		fmt.Fprintf(p.w, "\r\033[Kepoch %d/%d %s %3.0f%%  loss %-10.4g %s rows/s", epoch, p.total, bar, 100*done, loss, si(rowsPerSec))
		p.drawn = true
	} else {
		fmt.Fprintf(p.w, "epoch %d/%d (%.0f%%)  loss %.4g  %s rows/s\n", epoch, p.total, 100*done, loss, si(rowsPerSec))
	}
}

// reading reports the first pass over the data, before training starts.
func (p *progress) reading(name string, rows int64) {
	if p.quiet {
		return
	}
	now := time.Now()
	if p.tty {
		if now.Sub(p.start) < 500*time.Millisecond || now.Sub(p.last) < 100*time.Millisecond {
			return
		}
	} else if now.Sub(p.last) < 5*time.Second {
		return
	}
	p.last = now
	rate := float64(rows) / now.Sub(p.start).Seconds()
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[Kreading %s: %d rows, %s rows/s (statistics, exact solution)", name, rows, si(rate))
		p.drawn = true
	} else {
		fmt.Fprintf(p.w, "reading %s: %d rows, %s rows/s\n", name, rows, si(rate))
	}
}

// done clears the bar.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// si writes a rate with a k, M or G suffix.
func si(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// chart draws a line chart of ys (one value per epoch) in width×height
// character cells, with the y axis labelled, on a log scale when the values
// span more than two decades (as a loss curve usually does).
func chart(w io.Writer, title string, ys []float64, width, height int) {
	var vals []float64
	for _, y := range ys {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			vals = append(vals, y)
		}
	}
	if len(vals) == 0 {
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	logScale := lo > 0 && hi/lo > 100
	f := func(v float64) float64 { return v }
	inv := f
	if logScale {
		f, inv = math.Log10, func(v float64) float64 { return math.Pow(10, v) }
	}
	flo, fhi := f(lo), f(hi)
	if fhi == flo {
		fhi = flo + 1
	}
	if len(vals) < width { // a few epochs: as many columns each
		width = len(vals) * (width / len(vals))
	}
	// Each column shows the mean of its share of the epochs.
	row := make([]int, width)
	for c := 0; c < width; c++ {
		a := c * len(vals) / width
		b := max(a+1, (c+1)*len(vals)/width)
		var s float64
		for _, v := range vals[a:b] {
			s += f(v)
		}
		s /= float64(b - a)
		row[c] = int(math.Round((s - flo) / (fhi - flo) * float64(height-1)))
	}
	grid := make([][]rune, height)
	for r := range grid {
		grid[r] = []rune(strings.Repeat(" ", width))
	}
	for c := 0; c < width; c++ {
		grid[height-1-row[c]][c] = '•'
		if c > 0 { // join steps so the curve reads as a line
			a, b := row[c-1], row[c]
			if a > b {
				a, b = b, a
			}
			for r := a + 1; r < b; r++ {
				grid[height-1-r][c] = '│'
			}
		}
	}
	scale := ""
	if logScale {
		scale = " (log scale)"
	}
	fmt.Fprintf(w, "%s%s\n", title, scale)
	for r := 0; r < height; r++ {
		label := ""
		if r == 0 || r == height-1 || r == height/2 {
			label = fmt.Sprintf("%.4g", inv(fhi-(fhi-flo)*float64(r)/float64(height-1)))
		}
		fmt.Fprintf(w, "%10s ┤%s\n", label, string(grid[r]))
	}
	fmt.Fprintf(w, "%10s └%s\n", "", strings.Repeat("─", width))
	fmt.Fprintf(w, "%11s1%*d epochs\n", "", width-1, len(ys))
}
