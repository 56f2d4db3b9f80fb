package main

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Colours by contender, the same in every chart: edgefit in blues, the Go
// alternatives in orange and grey, the Python ones in green, red and purple.
func colorOf(name string) color.Color {
	switch {
	case strings.HasPrefix(name, "edgefit generic"), strings.HasPrefix(name, "edgefit kernels"):
		return color.RGBA{R: 0x6b, G: 0xae, B: 0xd6, A: 0xff}
	case strings.HasPrefix(name, "edgefit"):
		return color.RGBA{R: 0x08, G: 0x51, B: 0x9c, A: 0xff}
	case strings.HasPrefix(name, "gonum"):
		return color.RGBA{R: 0xe6, G: 0x55, B: 0x0d, A: 0xff}
	case strings.HasPrefix(name, "plain"):
		return color.RGBA{R: 0x63, G: 0x63, B: 0x63, A: 0xff}
	case strings.HasPrefix(name, "NumPy"):
		return color.RGBA{R: 0x31, G: 0xa3, B: 0x54, A: 0xff}
	case strings.HasPrefix(name, "PyTorch fit"):
		return color.RGBA{R: 0xcb, G: 0x18, B: 0x1d, A: 0xff}
	case strings.HasPrefix(name, "PyTorch"):
		return color.RGBA{R: 0x75, G: 0x6b, B: 0xb1, A: 0xff}
	}
	return color.Black
}

func init() {
	// Liberation Sans has the metrics of Arial and Helvetica, so the text
	// fits where gonum/plot measured it in any browser; see fixFonts.
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
}

// ticks125 labels a log axis at 1, 2 and 5 times each power of ten, which
// reads better than powers of ten alone over the two or three decades a
// chart here spans.
type ticks125 struct{}

func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	// Over less than a decade and a half, 1, 2 and 5 leave too few labels.
	for _, ms := range [][]float64{{1, 2, 5}, {1, 1.5, 2, 3, 5, 7}} {
		ts = ts[:0]
		for e := math.Floor(math.Log10(lo)) - 1; e <= math.Ceil(math.Log10(hi)); e++ {
			for _, m := range ms {
				v := m * math.Pow(10, e)
				if v >= lo*0.999 && v <= hi*1.001 {
					ts = append(ts, plot.Tick{Value: v, Label: trimFloat(v)})
				}
			}
		}
		if len(ts) >= 4 {
			break
		}
	}
	return ts
}

// powTicks labels a log axis at the powers of ten, as 10k, 1M and so on.
type powTicks struct{}

func (powTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Ceil(math.Log10(lo) - 1e-9); e <= math.Floor(math.Log10(hi)+1e-9); e++ {
		ts = append(ts, plot.Tick{Value: math.Pow(10, e), Label: trimFloat(math.Pow(10, e))})
	}
	return ts
}

// labelTicks labels a log axis at the measured sizes, with their names.
type labelTicks []plot.Tick

func (t labelTicks) Ticks(lo, hi float64) []plot.Tick { return t }

func trimFloat(v float64) string {
	switch {
	case v >= 1e9 && math.Mod(v, 1e9) == 0:
		return fmt.Sprintf("%gG", v/1e9)
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
// axes, with the ceilings dashed, and returns the legend apart, to be drawn
// beside the plot rather than over the data.
func kernelChart(cases []caseResult, title, xlabel string, fmaCeil []timing, quick bool) (p *plot.Plot, leg plot.Legend, names []string, err error) {
	p = plot.New()
	leg = plot.NewLegend()
	leg.Top = true
	leg.Left = true
	leg.Padding = vg.Points(4)
	p.Title.Text = title
	if quick {
		p.Title.Text += " (quick run)"
	}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = cases[0].c.unit + ", log scale"
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

	for i, t := range cases[0].timings {
		xys := make(plotter.XYs, len(cases))
		for j, cr := range cases {
			xys[j] = plotter.XY{X: cr.c.size, Y: rate(cr.c.work, cr.timings[i].perOp)}
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, leg, nil, err
		}
		l.Color, s.Color = colorOf(t.name), colorOf(t.name)
		l.Width = vg.Points(1.5)
		s.Shape = draw.CircleGlyph{}
		s.Radius = vg.Points(2.5)
		p.Add(l, s)
		leg.Add(t.name, l, s)
		names = append(names, t.name)
	}
	// A ceiling is named "<kind> ceiling <implementation>" and drawn in
	// the colour of that implementation.
	dashed := func(name, legend string, xys plotter.XYs) error {
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		f := strings.Fields(name)
		l.Color = colorOf("edgefit " + f[len(f)-1])
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		l.Width = vg.Points(1.2)
		p.Add(l)
		leg.Add(legend, l)
		names = append(names, legend)
		return nil
	}
	lo, hi := cases[0].c.size, cases[len(cases)-1].c.size
	for _, t := range fmaCeil {
		g := rate(fmaWork(), t.perOp)
		if err := dashed(t.name, t.name, plotter.XYs{{X: lo, Y: g}, {X: hi, Y: g}}); err != nil {
			return nil, leg, nil, err
		}
	}
	for i, t := range cases[0].ceilings {
		xys := make(plotter.XYs, len(cases))
		for j, cr := range cases {
			xys[j] = plotter.XY{X: cr.c.size, Y: rate(cr.c.ceilWork, cr.ceilings[i].perOp)}
		}
		if err := dashed(t.name, t.name+" (reads only)", xys); err != nil {
			return nil, leg, nil, err
		}
	}
	return p, leg, names, nil
}

// saveWithLegend draws p with its legend in a column on the right and writes
// the SVG to path.
func saveWithLegend(p *plot.Plot, leg plot.Legend, names []string, w, h vg.Length, path string) error {
	cv := vgsvg.New(w, h)
	dc := draw.New(cv)
	var legW vg.Length
	for _, n := range names {
		legW = max(legW, leg.TextStyle.Width(n))
	}
	legW += leg.ThumbnailWidth + leg.Padding + vg.Points(16)
	area := draw.Crop(dc, 0, -legW, 0, 0)
	// gonum/plot keeps room on the right for the last x tick label as if it
	// were not rotated; rotated labels hang to the left of their tick, so
	// give that room back to the data.
	if gap := area.Max.X - p.DataCanvas(area).Max.X - vg.Points(6); gap > 0 {
		area = draw.Crop(dc, 0, -legW+gap, 0, 0)
	}
	p.Draw(draw.Crop(area, 0, 0, 0, -vg.Points(4)))
	leg.Draw(draw.Crop(dc, w-legW+vg.Points(10), 0, 0, -vg.Points(30)))
	return writeSVG(cv, path)
}

// writeSVG writes cv to path, naming fonts with the metric-compatible
// fallbacks a browser has when Liberation Sans is not installed.
func writeSVG(cv *vgsvg.Canvas, path string) error {
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return err
	}
	out := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
	return os.WriteFile(path, out, 0o644)
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

// trainingPlot is one task's panel: rows per second per library, fastest on
// top.
func trainingPlot(tr trainResult, quick bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = tr.task.label
	if quick {
		p.Title.Text += " (quick run)"
	}
	p.X.Label.Text = "rows per second, log scale (longer bar: faster)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = powTicks{}
	ref := trainRef(tr)
	var refSec float64
	for _, r := range tr.rows {
		if r.lib == ref {
			refSec = r.seconds
		}
	}
	rows := append([]trainRow(nil), tr.rows...)
	// The y axis grows upwards: slowest first puts the fastest on top.
	slices.SortStableFunc(rows, func(a, b trainRow) int { return cmp.Compare(b.seconds, a.seconds) })
	h := &hbars{floor: math.Inf(1)}
	var yt labelTicks
	hi := 0.0
	for i, r := range rows {
		v := r.rowsPerSec(tr.task)
		h.names = append(h.names, r.lib)
		h.vals = append(h.vals, v)
		lab := fmtRows(v) + " rows/s"
		if r.lib == ref {
			lab += "  (the reference)"
		} else {
			lab += fmt.Sprintf("  (%s edgefit's time)", fmtRatio(r.seconds/refSec))
		}
		h.labels = append(h.labels, lab)
		h.floor = min(h.floor, v)
		hi = max(hi, v)
		yt = append(yt, plot.Tick{Value: float64(i), Label: r.lib})
	}
	// Bars start at the power of ten below the slowest, so that even the
	// slowest has a visible bar, and the axis goes far enough right for the
	// labels.
	h.floor = math.Pow(10, math.Floor(math.Log10(h.floor)))
	h.ceil = hi * math.Pow(hi/h.floor, 0.45)
	p.Add(h)
	p.Y.Tick.Marker = yt
	p.Y.Tick.Length = 0
	p.Y.LineStyle.Width = 0
	return p
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
	return writeSVG(cv, path)
}
