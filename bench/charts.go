package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Colours by contender, the same in every chart: edgefit in blues, the Go
// alternatives in orange and grey, the Python ones in green, red and purple.
func colorOf(name string) color.Color {
	switch {
	case strings.HasPrefix(name, "edgefit generic"):
		return color.RGBA{R: 0x6b, G: 0xae, B: 0xd6, A: 0xff}
	case strings.HasPrefix(name, "edgefit kernels"):
		return color.RGBA{R: 0x6b, G: 0xae, B: 0xd6, A: 0xff}
	case strings.HasPrefix(name, "edgefit"):
		return color.RGBA{R: 0x08, G: 0x51, B: 0x9c, A: 0xff}
	case strings.HasPrefix(name, "gonum"):
		return color.RGBA{R: 0xe6, G: 0x55, B: 0x0d, A: 0xff}
	case strings.HasPrefix(name, "plain"):
		return color.RGBA{R: 0x63, G: 0x63, B: 0x63, A: 0xff}
	case strings.HasPrefix(name, "numpy"):
		return color.RGBA{R: 0x31, G: 0xa3, B: 0x54, A: 0xff}
	case strings.HasPrefix(name, "torch-fit"):
		return color.RGBA{R: 0xcb, G: 0x18, B: 0x1d, A: 0xff}
	case strings.HasPrefix(name, "torch"):
		return color.RGBA{R: 0x75, G: 0x6b, B: 0xb1, A: 0xff}
	}
	return color.Black
}

// ticks125 labels a log axis at 1, 2 and 5 times each power of ten, which
// reads better than powers of ten alone over the two or three decades a
// chart here spans.
type ticks125 struct{}

func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)) - 1; e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= lo*0.999 && v <= hi*1.001 {
				ts = append(ts, plot.Tick{Value: v, Label: trimFloat(v)})
			}
		}
	}
	return ts
}

// labelTicks labels a log axis at the measured sizes, with their names.
type labelTicks []plot.Tick

func (t labelTicks) Ticks(lo, hi float64) []plot.Tick { return t }

func trimFloat(v float64) string {
	switch {
	case v >= 1e6 && math.Mod(v, 1e6) == 0:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3 && math.Mod(v, 1e3) == 0:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

func fmtElems(n float64) string {
	switch {
	case n >= 1<<20 && math.Mod(n, 1<<20) == 0:
		return fmt.Sprintf("%gMi", n/(1<<20))
	case n >= 1<<10 && math.Mod(n, 1<<10) == 0:
		return fmt.Sprintf("%gKi", n/(1<<10))
	}
	return fmt.Sprintf("%g", n)
}

// kernelChart plots the rate of every contender against size on log–log
// axes, with the ceilings dashed.
func kernelChart(cases []caseResult, title, xlabel string, fmaCeil []timing, quick bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	if quick {
		p.Title.Text += " (quick run)"
	}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = cases[0].c.unit + " (log scale)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.Y.Tick.Marker = ticks125{}
	var xt labelTicks
	for _, cr := range cases {
		xt = append(xt, plot.Tick{Value: cr.c.size, Label: cr.c.label})
		if cr.c.kernel == "sqerr" {
			xt[len(xt)-1].Label = fmtElems(cr.c.size)
		}
	}
	p.X.Tick.Marker = xt
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.Padding = vg.Points(2)

	for i, t := range cases[0].timings {
		xys := make(plotter.XYs, len(cases))
		for j, cr := range cases {
			xys[j] = plotter.XY{X: cr.c.size, Y: rate(cr.c.work, cr.timings[i].perOp)}
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color, s.Color = colorOf(t.name), colorOf(t.name)
		l.Width = vg.Points(1.5)
		s.Shape = draw.CircleGlyph{}
		s.Radius = vg.Points(2.5)
		p.Add(l, s)
		p.Legend.Add(t.name, l, s)
	}
	dashed := func(name string, xys plotter.XYs) error {
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.Color = colorOf("edgefit " + strings.Fields(name)[len(strings.Fields(name))-1])
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		l.Width = vg.Points(1)
		p.Add(l)
		p.Legend.Add(name, l)
		return nil
	}
	lo, hi := cases[0].c.size, cases[len(cases)-1].c.size
	for _, t := range fmaCeil {
		g := rate(fmaWork(), t.perOp)
		if err := dashed(t.name, plotter.XYs{{X: lo, Y: g}, {X: hi, Y: g}}); err != nil {
			return nil, err
		}
	}
	for i, t := range cases[0].ceilings {
		xys := make(plotter.XYs, len(cases))
		for j, cr := range cases {
			xys[j] = plotter.XY{X: cr.c.size, Y: rate(cr.c.ceilWork, cr.ceilings[i].perOp)}
		}
		if err := dashed(t.name, xys); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// hbars draws horizontal bars on a log axis, starting from the axis' left
// end, each labelled with its value and its ratio to edgefit.
type hbars struct {
	names  []string
	vals   []float64
	labels []string
	floor  float64 // where bars start: the left end of the axis
	ceil   float64 // the right end, leaving room for the labels
}

func (h *hbars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	sty := draw.TextStyle{Color: color.Black, Font: plot.DefaultFont, Handler: plot.DefaultTextHandler, XAlign: draw.XLeft, YAlign: draw.YCenter}
	sty.Font.Size = vg.Points(9)
	for i, v := range h.vals {
		y := trY(float64(i))
		half := vg.Points(7)
		x0, x1 := trX(h.floor), trX(v)
		c.FillPolygon(colorOf(h.names[i]), []vg.Point{{X: x0, Y: y - half}, {X: x1, Y: y - half}, {X: x1, Y: y + half}, {X: x0, Y: y + half}})
		c.FillText(sty, vg.Point{X: x1 + vg.Points(3), Y: y}, h.labels[i])
	}
}

func (h *hbars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return h.floor, h.ceil, -0.6, float64(len(h.vals)) - 0.4
}

// trainingPlot is one task's panel: rows per second per library.
func trainingPlot(tr trainResult, quick bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = tr.task.label
	if quick {
		p.Title.Text += " (quick run)"
	}
	p.X.Label.Text = "training throughput, rows per second (log scale; longer is faster)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	ref := 0.0
	for _, r := range tr.rows {
		if r.lib == trainRef(tr) {
			ref = r.seconds
		}
	}
	h := &hbars{floor: math.Inf(1)}
	var yt labelTicks
	// Fastest at the top: the y axis grows upwards, so add slowest first.
	rows := append([]trainRow(nil), tr.rows...)
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].seconds > rows[j-1].seconds; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	hi := 0.0
	for i, r := range rows {
		v := r.rowsPerSec(tr.task)
		h.names = append(h.names, r.lib)
		h.vals = append(h.vals, v)
		h.labels = append(h.labels, fmt.Sprintf("%s rows/s  (%s the time)", fmtRows(v), fmtRatio(r.seconds/ref)))
		h.floor = min(h.floor, v)
		hi = max(hi, v)
		yt = append(yt, plot.Tick{Value: float64(i), Label: r.lib})
	}
	// Start a decade below the slowest (rounded down to a power of ten) so
	// its bar is visible; end far enough right for the labels.
	h.floor = math.Pow(10, math.Floor(math.Log10(h.floor))-0.0)
	if h.floor >= rows[0].rowsPerSec(tr.task)*0.5 {
		h.floor /= 10
	}
	h.ceil = hi * math.Pow(hi/h.floor, 0.6)
	p.Add(h)
	p.Y.Tick.Marker = yt
	p.Y.Tick.Length = 0
	p.Y.LineStyle.Width = 0
	return p
}

// saveSVG writes a plot of the given size to path.
func saveSVG(p *plot.Plot, w, h vg.Length, path string) error {
	return p.Save(w, h, path)
}

// saveTrainingSVG stacks one panel per task into one SVG.
func saveTrainingSVG(trs []trainResult, quick bool, path string) error {
	if len(trs) == 0 {
		return nil
	}
	w, hPer := 20*vg.Centimeter, 7*vg.Centimeter
	cv := vgsvg.New(w, hPer*vg.Length(len(trs)))
	dc := draw.New(cv)
	plots := make([][]*plot.Plot, len(trs))
	for i, tr := range trs {
		plots[i] = []*plot.Plot{trainingPlot(tr, quick)}
	}
	tiles := draw.Tiles{Rows: len(trs), Cols: 1, PadY: vg.Centimeter / 2, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := cv.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
