package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A model without bias is stored without a "bias" tensor and loads back as
// one, predicting W·x.
func TestModelFileWithoutBias(t *testing.T) {
	mf := sampleModel()
	mf.B = nil
	b := encode(t, mf)
	n := binary.LittleEndian.Uint64(b)
	var h map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	if _, ok := h["bias"]; ok || len(h) != 4 || uint64(len(b))-8-n != 4*(6+3+3) {
		t.Fatalf("header %s with %d data bytes: want weight, input_mean and input_scale alone", b[8:8+n], uint64(len(b))-8-n)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	mf.Source = SourceEdgefit
	if !reflect.DeepEqual(got, mf) || got.B != nil {
		t.Fatalf("loaded %+v\nwant %+v", got, mf)
	}
	x := []float32{80, 70, 60}
	y := make([]float32, 2)
	if err := got.Predict(y, x); err != nil {
		t.Fatal(err)
	}
	for j := range y {
		var want float64
		for p := range x {
			want += float64(mf.W[j*3+p]) * float64(x[p])
		}
		if math.Abs(float64(y[j])-want) > 1e-5*math.Abs(want) {
			t.Errorf("output %d: %v, want W·x = %v", j, y[j], want)
		}
	}
	// Empty is none too; a bias of the wrong length is still an error.
	for _, c := range []struct {
		b  []float32
		ok bool
	}{{[]float32{}, true}, {[]float32{1}, false}, {[]float32{1, 2, 3}, false}} {
		mf.B = c.b
		if err := mf.Check(); (err == nil) != c.ok {
			t.Errorf("bias %v: Check says %v", c.b, err)
		}
	}
}

// A file written before models without bias existed (by the code of the
// commit that preceded them) still loads, and a model with bias is still
// written byte for byte as then.
func TestModelFileWrittenBeforeNoBiasLoads(t *testing.T) {
	old, err := os.ReadFile("testdata/model_v1_bias.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load("testdata/model_v1_bias.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	want := sampleModel()
	want.Source = SourceEdgefit
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %+v\nwant %+v", got, want)
	}
	if b := encode(t, sampleModel()); !bytes.Equal(b, old) {
		t.Fatalf("a model with bias is now written as\n%q\nthen\n%q", b, old)
	}
}
