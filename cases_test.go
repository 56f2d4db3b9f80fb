package edgefit

// One test case per kernel: shapes, scalars, compact input data and the
// layout of every operand. run places the operands (heap or guard pages),
// calls the kernel of one implementation and checks every output cell
// against the float64 reference, every guard, and that inputs are unchanged.

import (
	"fmt"
	"math"
	"math/rand/v2"
)

type kcase interface {
	fmt.Stringer
	run(im *Impl, p placer) *errList
	// inputs lists the compact input data that feed the outputs, for the
	// tests that plant NaN and Inf in every element.
	inputs() []named
	// last is the outcome of the latest run, for comparing implementations.
	last() *result
}

// result is what a run produced, every output element (compact, row-major)
// and scalar return, with the reference for each.
type result struct {
	got []float32
	ws  []want
}

func (r *result) last() *result { return r }

type named struct {
	name string
	data []float32
}

// ld is a row stride for cols columns with pad extra elements: at least 1,
// as the kernels require.
func ld(cols, pad int) int { return max(cols+pad, 1) }

// vecLay is randLay for a vector whose length is the problem size (so no
// extended slice) and whose stride is irrelevant.
func vecLay(r *rand.Rand) lay { return lay{off: r.IntN(16)} }

// randLay draws a layout: any alignment, a padded stride two times in three,
// a slice longer than needed one time in three.
func randLay(r *rand.Rand) lay {
	l := lay{off: r.IntN(16)}
	if r.IntN(3) != 0 {
		l.pad = 1 + r.IntN(9)
	}
	if r.IntN(3) == 0 {
		l.extra = 1 + r.IntN(8)
	}
	return l
}

// MatMulBias.

type mmCase struct {
	m, n, k        int
	X, W, b        []float32 // compact; b nil for no bias
	lx, lw, lb, ly lay
	mode           dataMode
	result
}

func newMM(r *rand.Rand, m, n, k int, mode dataMode) *mmCase {
	c := &mmCase{m: m, n: n, k: k, mode: mode,
		X: mode.fill(r, m*k), W: mode.fill(r, n*k),
		lx: randLay(r), lw: randLay(r), lb: randLay(r), ly: randLay(r)}
	if r.IntN(3) != 0 {
		c.b = mode.fill(r, n)
	}
	return c
}

func (c *mmCase) String() string {
	return fmt.Sprintf("MatMulBias m=%d n=%d k=%d bias=%v %s X:%v W:%v b:%v Y:%v", c.m, c.n, c.k, c.b != nil, c.mode, c.lx, c.lw, c.lb, c.ly)
}

func (c *mmCase) inputs() []named {
	in := []named{{"X", c.X}, {"W", c.W}}
	if c.b != nil {
		in = append(in, named{"b", c.b})
	}
	return in
}

func (c *mmCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	X := newOperand("X", p, c.m, c.k, ld(c.k, c.lx.pad), c.lx, c.X, inGuardBits)
	W := newOperand("W", p, c.n, c.k, ld(c.k, c.lw.pad), c.lw, c.W, inGuardBits)
	ins := []*operand{X, W}
	var b []float32
	if c.b != nil {
		B := newVector("b", p, c.lb, c.b, inGuardBits)
		ins, b = append(ins, B), B.s
	}
	Y := newOperand("Y", p, c.m, c.n, ld(c.n, c.ly.pad), c.ly, nil, outGuardBits)
	if call(&errs, func() { im.MatMulBias(c.m, c.n, c.k, X.s, X.ld, W.s, W.ld, b, Y.s, Y.ld) }) {
		ws := refMatMulBias(c.m, c.n, c.k, c.X, c.W, c.b)
		Y.checkCells(&errs, ws, tolExact)
		c.result = result{Y.cells(), ws}
	}
	for _, o := range ins {
		o.checkUnchanged(&errs)
	}
	Y.checkGuards(&errs)
	return &errs
}

// GradW.

type gwCase struct {
	m, n, k     int
	alpha, beta float32
	R, X, G0    []float32 // compact; G0 is G before the call (unused when β = 0)
	lr, lx, lg  lay
	mode        dataMode
	result
}

func newGW(r *rand.Rand, m, n, k int, mode dataMode) *gwCase {
	c := &gwCase{m: m, n: n, k: k, mode: mode,
		alpha: mode.scalar(r, 8), beta: mode.scalar(r, 2),
		R: mode.fill(r, m*n), X: mode.fill(r, m*k), G0: mode.fill(r, n*k),
		lr: randLay(r), lx: randLay(r), lg: randLay(r)}
	return c
}

func (c *gwCase) String() string {
	return fmt.Sprintf("GradW m=%d n=%d k=%d α=%v β=%v %s R:%v X:%v G:%v", c.m, c.n, c.k, c.alpha, c.beta, c.mode, c.lr, c.lx, c.lg)
}

func (c *gwCase) inputs() []named {
	in := []named{{"R", c.R}, {"X", c.X}}
	if c.beta != 0 {
		in = append(in, named{"G", c.G0})
	}
	return in
}

func (c *gwCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	R := newOperand("R", p, c.m, c.n, ld(c.n, c.lr.pad), c.lr, c.R, inGuardBits)
	X := newOperand("X", p, c.m, c.k, ld(c.k, c.lx.pad), c.lx, c.X, inGuardBits)
	g0 := c.G0
	if c.beta == 0 {
		g0 = nil // G holds the stale NaN: it must not be read
	}
	G := newOperand("G", p, c.n, c.k, ld(c.k, c.lg.pad), c.lg, g0, outGuardBits)
	if call(&errs, func() { im.GradW(c.m, c.n, c.k, c.alpha, R.s, R.ld, X.s, X.ld, c.beta, G.s, G.ld) }) {
		ws := refGradW(c.m, c.n, c.k, c.alpha, c.R, c.X, c.beta, c.G0)
		G.checkCells(&errs, ws, tolExact)
		c.result = result{G.cells(), ws}
	}
	R.checkUnchanged(&errs)
	X.checkUnchanged(&errs)
	G.checkGuards(&errs)
	return &errs
}

// ColSums.

type csCase struct {
	m, n        int
	alpha, beta float32
	R, g0       []float32
	lr, lg      lay
	mode        dataMode
	result
}

func newCS(r *rand.Rand, m, n int, mode dataMode) *csCase {
	return &csCase{m: m, n: n, mode: mode,
		alpha: mode.scalar(r, 8), beta: mode.scalar(r, 2),
		R: mode.fill(r, m*n), g0: mode.fill(r, n),
		lr: randLay(r), lg: randLay(r)}
}

func (c *csCase) String() string {
	return fmt.Sprintf("ColSums m=%d n=%d α=%v β=%v %s R:%v g:%v", c.m, c.n, c.alpha, c.beta, c.mode, c.lr, c.lg)
}

func (c *csCase) inputs() []named {
	in := []named{{"R", c.R}}
	if c.beta != 0 {
		in = append(in, named{"g", c.g0})
	}
	return in
}

func (c *csCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	R := newOperand("R", p, c.m, c.n, ld(c.n, c.lr.pad), c.lr, c.R, inGuardBits)
	g0 := c.g0
	if c.beta == 0 {
		g0 = make([]float32, c.n)
		for i := range g0 {
			g0[i] = stale
		}
	}
	g := newVector("g", p, c.lg, g0, outGuardBits)
	if call(&errs, func() { im.ColSums(c.m, c.n, c.alpha, R.s, R.ld, c.beta, g.s) }) {
		ws := refColSums(c.m, c.n, c.alpha, c.R, c.beta, c.g0)
		g.checkCells(&errs, ws, tolExact)
		c.result = result{g.cells(), ws}
	}
	R.checkUnchanged(&errs)
	g.checkGuards(&errs)
	return &errs
}

// SqErr and SqErrSum.

const (
	noAlias = iota
	aliasRP // R is P
	aliasRT // R is T
)

type seCase struct {
	sum        bool // SqErrSum instead of SqErr
	P, T       []float32
	alias      int
	lr, lp, lt lay
	mode       dataMode
	result
}

func newSE(r *rand.Rand, n int, sum bool, mode dataMode) *seCase {
	c := &seCase{sum: sum, P: mode.fill(r, n), T: mode.fill(r, n),
		lr: vecLay(r), lp: vecLay(r), lt: vecLay(r), mode: mode}
	if !sum {
		c.alias = r.IntN(3)
	}
	return c
}

func (c *seCase) String() string {
	if c.sum {
		return fmt.Sprintf("SqErrSum n=%d %s P:%v T:%v", len(c.P), c.mode, c.lp, c.lt)
	}
	alias := [...]string{"", " R=P", " R=T"}[c.alias]
	return fmt.Sprintf("SqErr n=%d%s %s R:%v P:%v T:%v", len(c.P), alias, c.mode, c.lr, c.lp, c.lt)
}

func (c *seCase) inputs() []named { return []named{{"P", c.P}, {"T", c.T}} }

func (c *seCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	P := newVector("P", p, c.lp, c.P, inGuardBits)
	T := newVector("T", p, c.lt, c.T, inGuardBits)
	Rw, sum := refSqErr(c.P, c.T)
	var got float32
	if c.sum {
		if call(&errs, func() { got = im.SqErrSum(P.s, T.s) }) {
			if !sum.check(got, sum.tolExact()) {
				errs.add("SqErrSum = %v, want %v ± %.3g", got, sum.v, sum.tolExact())
			}
			c.result = result{[]float32{got}, []want{sum}}
		}
		P.checkUnchanged(&errs)
		T.checkUnchanged(&errs)
		return &errs
	}
	var R *operand
	switch c.alias {
	case noAlias:
		R = newOperand("R", p, 1, len(c.P), max(len(c.P), 1), c.lr, nil, outGuardBits) // stale cells
	case aliasRP:
		R = P
	case aliasRT:
		R = T
	}
	if call(&errs, func() { got = im.SqErr(R.s, P.s, T.s) }) {
		if !sum.check(got, sum.tolExact()) {
			errs.add("SqErr = %v, want %v ± %.3g", got, sum.v, sum.tolExact())
		}
		for i, w := range Rw {
			if v := R.at(0, i); math.Float32bits(v) == staleBits || !w.check(v, 0) {
				errs.add("R[%d] = %v, want exactly P−T = %v", i, v, w.v)
			}
		}
		c.result = result{append(R.cells(), got), append(Rw, sum)}
	}
	for _, o := range []*operand{P, T} {
		if o != R {
			o.checkUnchanged(&errs)
		}
	}
	R.checkGuards(&errs)
	return &errs
}

// Dot and Axpy.

type vecCase struct {
	kernel string // "Dot" or "Axpy"
	alpha  float32
	x, y   []float32
	lx, ly lay
	mode   dataMode
	result
}

func newVec(r *rand.Rand, kernel string, n int, mode dataMode) *vecCase {
	return &vecCase{kernel: kernel, alpha: mode.scalar(r, 16), x: mode.fill(r, n), y: mode.fill(r, n),
		lx: vecLay(r), ly: vecLay(r), mode: mode}
}

func (c *vecCase) String() string {
	a := ""
	if c.kernel == "Axpy" {
		a = fmt.Sprintf(" α=%v", c.alpha)
	}
	return fmt.Sprintf("%s n=%d%s %s x:%v y:%v", c.kernel, len(c.x), a, c.mode, c.lx, c.ly)
}

func (c *vecCase) inputs() []named { return []named{{"x", c.x}, {"y", c.y}} }

func (c *vecCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	x := newVector("x", p, c.lx, c.x, inGuardBits)
	switch c.kernel {
	case "Dot":
		y := newVector("y", p, c.ly, c.y, inGuardBits)
		var got float32
		w := refDot(c.x, c.y)
		if call(&errs, func() { got = im.Dot(x.s, y.s) }) {
			if !w.check(got, w.tolExact()) {
				errs.add("Dot = %v, want %v ± %.3g", got, w.v, w.tolExact())
			}
			c.result = result{[]float32{got}, []want{w}}
		}
		y.checkUnchanged(&errs)
	case "Axpy":
		y := newVector("y", p, c.ly, c.y, outGuardBits)
		if call(&errs, func() { im.Axpy(c.alpha, x.s, y.s) }) {
			ws := refAxpy(c.alpha, c.x, c.y)
			y.checkCells(&errs, ws, tolExact)
			c.result = result{y.cells(), ws}
		}
		y.checkGuards(&errs)
	default:
		panic("unknown kernel " + c.kernel)
	}
	x.checkUnchanged(&errs)
	return &errs
}

// PeakLoad promises only a result that depends on every element read. The
// testable form: finite inputs give a finite result, a NaN anywhere gives
// NaN, and nothing outside x and y is read.
type plCase struct {
	x, y   []float32
	lx, ly lay
	result // stays empty: PeakLoad's value is not specified
}

func newPL(r *rand.Rand, n int) *plCase {
	return &plCase{x: realData.fill(r, n), y: realData.fill(r, n), lx: vecLay(r), ly: vecLay(r)}
}

func (c *plCase) String() string {
	return fmt.Sprintf("PeakLoad n=%d x:%v y:%v", len(c.x), c.lx, c.ly)
}

func (c *plCase) inputs() []named { return []named{{"x", c.x}, {"y", c.y}} }

func (c *plCase) run(im *Impl, p placer) *errList {
	var errs errList
	c.result = result{}
	x := newVector("x", p, c.lx, c.x, inGuardBits)
	y := newVector("y", p, c.ly, c.y, inGuardBits)
	hasNaN, hasInf := false, false
	for _, v := range append(append([]float32(nil), c.x...), c.y...) {
		hasNaN = hasNaN || v != v
		hasInf = hasInf || math.IsInf(float64(v), 0)
	}
	var got float32
	if call(&errs, func() { got = im.PeakLoad(x.s, y.s) }) {
		switch {
		case hasNaN && got == got:
			errs.add("PeakLoad = %v with a NaN among its inputs: an element was not used", got)
		case !hasNaN && !hasInf && (got != got || math.IsInf(float64(got), 0)):
			errs.add("PeakLoad = %v for finite inputs of modest size", got)
		}
	}
	x.checkUnchanged(&errs)
	y.checkUnchanged(&errs)
	return &errs
}
