package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"testing"
)

// craftTensor is one tensor of a hand-made model file.
type craftTensor struct {
	name  string
	shape []int64
	v     []float32
}

// craftModel lays the tensors out back to back in the given order, as a
// safetensors writer would, with a correct CRC, so that only what a test
// changes is wrong.
func craftModel(tensors []craftTensor) []byte {
	var data []byte
	header := map[string]any{}
	for _, t := range tensors {
		begin := len(data)
		for _, v := range t.v {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
		header[t.name] = tensorInfo{Dtype: "F32", Shape: t.shape, DataOffsets: [2]int64{int64(begin), int64(len(data))}}
	}
	header["__metadata__"] = map[string]string{"format": "edgefit", "format_version": "1", "crc32": fmt.Sprintf("%08x", crc32.ChecksumIEEE(data))}
	h, _ := json.Marshal(header)
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	return append(append(binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h...), data...)
}

// sampleTensors are sampleModel's tensors in the writer's order.
func sampleTensors() []craftTensor {
	mf := sampleModel()
	return []craftTensor{
		{"weight", []int64{2, 3}, mf.W},
		{"bias", []int64{2}, mf.B},
		{"input_mean", []int64{3}, mf.Mean},
		{"input_scale", []int64{3}, mf.Scale},
	}
}

// decodeOutcome is what loading b gives: the error's text, or the model.
func decodeOutcome(b []byte) string {
	mf, err := Decode(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("model %+v", *mf)
}

// A zero-length tensor shares its begin offset with the tensor after it: the
// loader sorted the spans by begin alone, over a map's random order, so such a
// file loaded on about half the runs. Every load of the same bytes must give
// the same outcome, whichever tensor is empty and wherever an extra empty
// tensor lies.
func TestDecodeModelZeroLengthTensorDeterministic(t *testing.T) {
	const runs = 200
	check := func(name string, b []byte, wantOK bool) {
		t.Helper()
		first := decodeOutcome(b)
		for i := 1; i < runs; i++ {
			if got := decodeOutcome(b); got != first {
				t.Fatalf("%s: load %d gave\n%s\nload 0 gave\n%s", name, i, got, first)
			}
		}
		if ok := first[:5] == "model"; ok != wantOK {
			t.Errorf("%s: %s, want success %v", name, first, wantOK)
		}
	}
	// Each of the model's own tensors made zero-length in turn (its shape
	// with a 0): a model file the loader must refuse, every time alike.
	for i := range sampleTensors() {
		ts := sampleTensors()
		ts[i].shape = append([]int64{0}, ts[i].shape[1:]...)
		ts[i].v = nil
		check("empty "+ts[i].name, craftModel(ts), false)
	}
	// An extra, unknown zero-length tensor before, between and after the
	// model's own: a valid file, loaded every time.
	for pos := 0; pos <= 4; pos++ {
		ts := sampleTensors()
		ts = append(ts[:pos], append([]craftTensor{{"extra", []int64{0}, nil}}, ts[pos:]...)...)
		check(fmt.Sprintf("extra empty tensor at %d", pos), craftModel(ts), true)
	}
	// Two empty tensors at the same offset.
	ts := sampleTensors()
	ts = append([]craftTensor{{"a", []int64{0, 4}, nil}, {"z", []int64{0}, nil}}, ts...)
	check("two empty tensors", craftModel(ts), true)
}
