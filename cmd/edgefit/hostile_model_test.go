//go:build linux

package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// craft is a model file made byte by byte: the tensors of a model of the
// crop columns (3 inputs, 2 outputs) laid out as the writer lays them, so
// that a case changes only what it means to break.
type craft struct {
	tensors map[string]map[string]any // name → dtype, shape, data_offsets
	meta    map[string]string         // "crc32" is computed unless set
	data    []byte
	hlen    uint64 // the header length written, 0: the header's own
}

func cropCraft() *craft {
	c := &craft{tensors: map[string]map[string]any{}, meta: map[string]string{
		"format": "edgefit", "format_version": "1",
		"inputs": `["temp","rainfall","humidity"]`, "outputs": `["apples","oranges"]`,
	}}
	add := func(name string, shape []int64, v ...float32) {
		begin := len(c.data)
		for _, x := range v {
			c.data = binary.LittleEndian.AppendUint32(c.data, math.Float32bits(x))
		}
		c.tensors[name] = map[string]any{"dtype": "F32", "shape": shape, "data_offsets": []int{begin, len(c.data)}}
	}
	add("weight", []int64{2, 3}, 0.5, 0.25, 0.125, -1, 2, 0.75)
	add("bias", []int64{2}, 1, -2)
	add("input_mean", []int64{3}, 0, 0, 0)
	add("input_scale", []int64{3}, 1, 1, 1)
	return c
}

func (c *craft) bytes() string {
	h := map[string]any{}
	for name, t := range c.tensors {
		h[name] = t
	}
	meta := maps(c.meta)
	if _, ok := meta["crc32"]; !ok {
		meta["crc32"] = fmt.Sprintf("%08x", crc32.ChecksumIEEE(c.data))
	}
	h["__metadata__"] = meta
	hb, _ := json.Marshal(h)
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	n := c.hlen
	if n == 0 {
		n = uint64(len(hb))
	}
	return string(slices.Concat(binary.LittleEndian.AppendUint64(nil, n), hb, c.data))
}

func maps(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// crafted returns cropCraft's file changed by edit.
func crafted(edit func(c *craft)) string {
	c := cropCraft()
	edit(c)
	return c.bytes()
}

// The loader's checks, one crafted file each (items 12, 13 and the model
// file's layout), through predict -model and through train -init.
var modelFaults = []struct {
	what, file, want string
}{
	{"header length beyond the file", crafted(func(c *craft) { c.hlen = 4096 }), `header length 4096 does not fit the file's \d+ bytes$`},
	{"overlapping tensors", crafted(func(c *craft) { c.tensors["bias"]["data_offsets"] = []int{16, 24} }), `tensor "bias": shape \[2\] needs 8 bytes, offsets give 8|tensor data overlaps or leaves a gap at byte 24$`},
	{"a tensor of the wrong dtype", crafted(func(c *craft) { c.tensors["bias"]["dtype"] = "I64" }), `tensor "bias" has dtype "I64", want F32$`},
	{"a NaN weight", crafted(func(c *craft) { binary.LittleEndian.PutUint32(c.data[4:], math.Float32bits(float32(math.NaN()))) }), `weight\[1\] is NaN, want a finite number$`},
	{"a bad CRC", crafted(func(c *craft) {
		c.meta["crc32"] = fmt.Sprintf("%08x", crc32.ChecksumIEEE(c.data))
		c.data[0] ^= 1
	}), `CRC-32 of the data is [0-9a-f]{8}, the header says "[0-9a-f]{8}": the file is corrupt$`},
	{"a zero-length weight tensor", crafted(func(c *craft) {
		c.data = c.data[24:]
		c.tensors["weight"] = map[string]any{"dtype": "F32", "shape": []int64{0, 3}, "data_offsets": []int{0, 0}}
		for _, name := range []string{"bias", "input_mean", "input_scale"} {
			o := c.tensors[name]["data_offsets"].([]int)
			c.tensors[name]["data_offsets"] = []int{o[0] - 24, o[1] - 24}
		}
	}), `tensor "bias" has shape \[2\], want \[0\]$`},
	{"a header over 16 MiB", crafted(func(c *craft) { c.hlen = 16<<20 + 8 }), `header of 16777224 bytes does not fit the 16777216-byte limit for a model file's header \(model file too large\)$`},
	{"a safetensors file from elsewhere", crafted(func(c *craft) { c.meta["format"] = "tf" }), `__metadata__ has "format": "tf", want "edgefit" or "pt" \(PyTorch\)$`},
	{"a safetensors file with more than nn.Linear's tensors", crafted(func(c *craft) { delete(c.meta, "format") }), `tensor "input_mean" in a file without edgefit metadata \(read as PyTorch's nn.Linear state_dict\): want only "weight" and "bias"$`},
	{"a truncated model file", crafted(func(c *craft) { c.data = c.data[:50] }), `tensor "input_scale": data offsets \[44, 56\) outside the 50 data bytes \(file truncated\?\)$`},
}

// modelCases run every fault through predict -model and train -init.
var modelCases = func() []hostileCase {
	var cases []hostileCase
	for i, f := range modelFaults {
		files := map[string]string{"x.st": f.file}
		cases = append(cases,
			hostileCase{name: "predict -model: " + f.what, args: args("predict -model x.st 1,2,3"), files: files, memMB: 64,
				want: `^edgefit predict: x\.st: not a valid edgefit model file: (` + f.want + `)`, readme: i == 0},
			hostileCase{name: "train -init: " + f.what, args: args("train -data d.csv -y apples,oranges -init x.st -o m2.st"), files: files, memMB: 64,
				want: `^edgefit train: -init x\.st: a model file, but not a valid edgefit model file: (` + f.want + `)`})
	}
	return cases
}()

// signalCases interrupt a run: the first SIGINT or SIGTERM ends it at the
// next chunk of rows or batch, with no model and no temporary file.
var signalCases = []hostileCase{
	{name: "SIGINT while reading the data", args: args("train -quiet -data /dev/stdin -y y -o m2.st"), stdinGen: stream("a,b,y\n", "1,2,3\n4,6,5\n2,9,1\n", huge), signal: syscall.SIGINT, sigAfter: 1 << 20, memMB: 200, want: `^edgefit train: interrupted: no model written$`, readme: true},
	{name: "SIGTERM while reading the data", args: args("train -quiet -data /dev/stdin -y y -o m2.st"), stdinGen: stream("a,b,y\n", "1,2,3\n4,6,5\n2,9,1\n", huge), signal: syscall.SIGTERM, sigAfter: 1 << 20, memMB: 200, want: `^edgefit train: interrupted: no model written$`},
	{name: "SIGTERM during training", args: args("train -quiet -data /dev/stdin -y y -epochs 100000000 -o m.st"), stdinGen: stream("a,b,y\n", "1,2,3\n4,6,5\n2,9,1\n", 6+18*20000), signal: syscall.SIGTERM, sigAfter: 6 + 18*20000, memMB: 200, want: `^edgefit train: interrupted: no model written$`},
}

// A model file with an extra zero-length tensor is valid: it loads, every
// time alike, and predicts as the same file without it.
func TestModelExtraEmptyTensor(t *testing.T) {
	dir := t.TempDir()
	plain, extra := filepath.Join(dir, "plain.st"), filepath.Join(dir, "extra.st")
	writeFile(t, plain, []byte(cropCraft().bytes()))
	writeFile(t, extra, []byte(crafted(func(c *craft) {
		c.tensors["empty"] = map[string]any{"dtype": "F32", "shape": []int64{0}, "data_offsets": []int{24, 24}}
	})))
	want := ok(t, runCmd(t, "", "predict", "-model", plain, "1,2,3")).stdout
	for i := 0; i < 5; i++ {
		if got := ok(t, runCmd(t, "", "predict", "-model", extra, "1,2,3")).stdout; got != want || strings.TrimSpace(got) == "" {
			t.Fatalf("run %d: %q, want %q", i, got, want)
		}
	}
}

// eval's buffers shrink with a wide model (4096 rows of 60,000 inputs took
// 983 MB): at most 16 MiB, and a row of it is evaluated in bounded memory.
func TestEvalWideModelBounded(t *testing.T) {
	const in = 60000
	c := &craft{tensors: map[string]map[string]any{}, meta: map[string]string{"format": "edgefit", "format_version": "1", "outputs": `["y"]`}}
	names := make([]string, in)
	var row strings.Builder
	for i := range names {
		names[i] = fmt.Sprintf("c%d", i)
		row.WriteString("1,")
	}
	nb, _ := json.Marshal(names)
	c.meta["inputs"] = string(nb)
	add := func(name string, shape []int64, n int, v float32) {
		begin := len(c.data)
		for i := 0; i < n; i++ {
			c.data = binary.LittleEndian.AppendUint32(c.data, math.Float32bits(v))
		}
		c.tensors[name] = map[string]any{"dtype": "F32", "shape": shape, "data_offsets": []int{begin, len(c.data)}}
	}
	add("weight", []int64{1, in}, in, 1)
	add("bias", []int64{1}, 1, 0)
	add("input_mean", []int64{in}, in, 0)
	add("input_scale", []int64{in}, in, 1)
	csv := strings.Join(names, ",") + ",y\n" + row.String() + "60000\n"
	if rows := evalChunk(in, 1); rows < 1 || int64(rows)*4*(in+2) > 16<<20 {
		t.Errorf("eval reads %d rows of a %d-input model at a time: buffers over 16 MiB", rows, in)
	}
	r := runHostile(t, hostileCase{args: args("eval -json -model w.st -data w.csv"), files: map[string]string{"w.st": c.bytes(), "w.csv": csv}, memMB: 100}, nil)
	if r.code != 0 || !strings.Contains(r.stdout, `"rows":1,`) || !strings.Contains(r.stdout, `"mse":0,`) {
		t.Errorf("eval of a 60000-input model: status %d, stdout %.200q, stderr %.300q; want 0 and one row predicted exactly", r.code, r.stdout, r.stderr)
	}
}
