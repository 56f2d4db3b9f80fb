package modelfile

import (
	"encoding/binary"
	"errors"
	"math"
	"sort"
	"strconv"

	"github.com/edgefit/edgefit/internal/fmtlite"
)

// dtypeSize is the bytes per element of the safetensors dtypes whose size
// the loader checks; a tensor of another dtype only has to fit the data.
var dtypeSize = map[string]int64{"F64": 8, "F32": 4, "F16": 2, "BF16": 2}

// modelSource tells an edgefit file (checking it is a version this program
// reads) from a plain safetensors file such as PyTorch writes: no
// "__metadata__", or one without "format" or with "format": "pt". Another
// format ("tf", "flax", …) may lay weight out otherwise and is refused.
func modelSource(meta map[string]string) (string, error) {
	format, ok := meta["format"]
	switch {
	case !ok || format == "pt":
		return SourcePyTorch, nil
	case format != "edgefit":
		return "", fmtlite.Errorf(`__metadata__ has "format": %q, want "edgefit" or "pt" (PyTorch)`, format)
	}
	ver, err := strconv.Atoi(meta["format_version"])
	if err != nil || ver < 1 {
		return "", fmtlite.Errorf("format_version %q, want a positive integer", meta["format_version"])
	}
	if ver > FormatVersion {
		return "", fmtlite.Errorf("format version %d is newer than this program reads (%d)", ver, FormatVersion)
	}
	return SourceEdgefit, nil
}

// tensorLayout checks that every tensor, known or not, lies in the data
// section of dataSize bytes, that a tensor of a dtype of known size has the
// bytes its shape needs, and that together they cover the data exactly, as
// the safetensors readers require.
func tensorLayout(infos map[string]tensorInfo, dataSize int64) (map[string]tensorInfo, error) {
	// The tensors are checked in name order and their spans sorted by both
	// ends, so that the outcome, and the error named, never depend on map
	// order: a zero-length tensor shares its begin offset with its
	// neighbour, and sorting by begin alone let either come first.
	names := make(byName, 0, len(infos))
	for name := range infos {
		names = append(names, name)
	}
	sort.Sort(names)
	spans := make(byEnds, 0, len(infos))
	for _, name := range names {
		ti := infos[name]
		b, e := ti.DataOffsets[0], ti.DataOffsets[1]
		if b < 0 || e < b || e > dataSize {
			return nil, fmtlite.Errorf("tensor %q: data offsets [%d, %d) outside the %d data bytes (file truncated?)", name, b, e, dataSize)
		}
		elems := int64(1)
		for _, d := range ti.Shape {
			if d < 0 || (d > 0 && elems > dataSize/d) {
				return nil, fmtlite.Errorf("tensor %q: shape %v does not fit the file", name, ti.Shape)
			}
			elems *= d
		}
		if sz, ok := dtypeSize[ti.Dtype]; ok && elems*sz != e-b {
			return nil, fmtlite.Errorf("tensor %q: shape %v needs %d bytes, offsets give %d", name, ti.Shape, elems*sz, e-b)
		}
		spans = append(spans, [2]int64{b, e})
	}
	sort.Sort(spans)
	end := int64(0)
	for _, s := range spans {
		if s[0] != end {
			return nil, fmtlite.Errorf("tensor data overlaps or leaves a gap at byte %d", end)
		}
		end = s[1]
	}
	if end != dataSize {
		return nil, fmtlite.Errorf("tensors cover %d of the %d data bytes", end, dataSize)
	}
	return infos, nil
}

// byName and byEnds sort with sort.Sort, which keeps reflection-based and
// generic sorting code out of a program that only loads models.
type byName []string

func (s byName) Len() int           { return len(s) }
func (s byName) Less(i, j int) bool { return s[i] < s[j] }
func (s byName) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }

// byEnds orders [begin, end) spans by begin, then end.
type byEnds [][2]int64

func (s byEnds) Len() int { return len(s) }
func (s byEnds) Less(i, j int) bool {
	return s[i][0] < s[j][0] || s[i][0] == s[j][0] && s[i][1] < s[j][1]
}
func (s byEnds) Swap(i, j int) { s[i], s[j] = s[j], s[i] }

// modelShape checks that the model's tensors are there with the shapes of
// one model and dtypes its source allows (an edgefit file: all four, F32, or
// all but bias; a PyTorch file: weight and optionally bias, F32, F16, BF16 or
// F64, and nothing else), and returns the File to fill.
func modelShape(infos map[string]tensorInfo, src string) (*File, error) {
	w, ok := infos["weight"]
	if !ok || len(w.Shape) != 2 {
		return nil, errors.New(`no 2-D tensor "weight"`)
	}
	mf := &File{Out: int(w.Shape[0]), In: int(w.Shape[1]), Source: src}
	if int64(mf.Out) != w.Shape[0] || int64(mf.In) != w.Shape[1] {
		return nil, fmtlite.Errorf("tensor \"weight\" has shape %v: too large for this platform", w.Shape)
	}
	names := []string{"weight", "bias", "input_mean", "input_scale"}
	if src == SourcePyTorch {
		names = names[:2]
		extra, found := "", false
		for name := range infos { // the first by name, whatever the map's order
			if name != "weight" && name != "bias" && (!found || name < extra) {
				extra, found = name, true
			}
		}
		if found {
			return nil, fmtlite.Errorf(`tensor %q in a file without edgefit metadata (read as PyTorch's nn.Linear state_dict): want only "weight" and "bias"`, extra)
		}
	}
	for i, name := range names {
		ti, ok := infos[name]
		if !ok {
			if name == "bias" { // a model without bias, nn.Linear(bias=False)
				continue
			}
			return nil, fmtlite.Errorf("no tensor %q", name)
		}
		if _, known := dtypeSize[ti.Dtype]; ti.Dtype != "F32" && (src != SourcePyTorch || !known) {
			want := "F32"
			if src == SourcePyTorch {
				want = "F32, F16, BF16 or F64"
			}
			return nil, fmtlite.Errorf("tensor %q has dtype %q, want %s", name, ti.Dtype, want)
		}
		want := []int64{int64(mf.In)}
		switch i {
		case 0:
			want = []int64{int64(mf.Out), int64(mf.In)}
		case 1:
			want = []int64{int64(mf.Out)}
		}
		if !equalShape(ti.Shape, want) {
			return nil, fmtlite.Errorf("tensor %q has shape %v, want %v", name, ti.Shape, want)
		}
	}
	return mf, nil
}

func equalShape(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fill reads the tensors' values (converted to float32) and the column names
// from the data and metadata, which modelShape and tensorLayout checked, and
// checks the model.
func (mf *File) fill(infos map[string]tensorInfo, data []byte, meta map[string]string) error {
	get := func(name string, n int, def float32) []float32 {
		v := make([]float32, n)
		ti, ok := infos[name]
		if !ok {
			for i := range v {
				v[i] = def
			}
			return v
		}
		b := data[ti.DataOffsets[0]:ti.DataOffsets[1]]
		for i := range v {
			v[i] = toFloat32(ti.Dtype, b, i)
		}
		return v
	}
	mf.W = get("weight", mf.Out*mf.In, 0)
	if _, ok := infos["bias"]; ok { // else B stays nil: no bias
		mf.B = get("bias", mf.Out, 0)
	}
	mf.Mean, mf.Scale = get("input_mean", mf.In, 0), get("input_scale", mf.In, 1)
	if mf.Source == SourceEdgefit {
		for _, f := range []struct {
			key string
			dst *[]string
		}{{"inputs", &mf.Inputs}, {"outputs", &mf.Outputs}} {
			if s, ok := meta[f.key]; ok {
				names, err := parseNames(s)
				if err != nil {
					return fmtlite.Errorf("metadata %q is not a JSON array of strings: %w", f.key, err)
				}
				*f.dst = names
			}
		}
	}
	return mf.Check()
}

// toFloat32 is element i of little-endian data of the given dtype.
func toFloat32(dtype string, b []byte, i int) float32 {
	switch dtype {
	case "F64":
		return float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
	case "F16":
		return halfToFloat32(binary.LittleEndian.Uint16(b[2*i:]))
	case "BF16":
		return math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
}

// halfToFloat32 converts an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf, NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	}
	// Zero or subnormal: frac·2^-24, exact in float32.
	v := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		v = -v
	}
	return v
}
