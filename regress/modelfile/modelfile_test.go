package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sampleModel() *File {
	return &File{
		Inputs: []string{"temp", "rainfall", "humidity"}, Outputs: []string{"apples", "oranges"},
		In: 3, Out: 2,
		W:    []float32{-0.4, 0.85, 0.69, -0.28, 0.81, 0.88},
		B:    []float32{0.5, -1.25},
		Mean: []float32{83, 82, 55}, Scale: []float32{12.5, 30, 11},
	}
}

func encode(t testing.TB, mf *File) []byte {
	var buf bytes.Buffer
	if err := mf.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestModelFileRoundTrip(t *testing.T) {
	mf := sampleModel()
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Save(path, mf); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	mf.Source = SourceEdgefit
	if !reflect.DeepEqual(got, mf) {
		t.Errorf("loaded %+v\nwant %+v", got, mf)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after saving, want only the model", len(entries))
	}
}

// The layout is safetensors': a reader that knows nothing of edgefit finds the
// tensors from the header alone.
func TestModelFileIsSafetensors(t *testing.T) {
	b := encode(t, sampleModel())
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	var w struct {
		Dtype       string
		Shape       []int
		DataOffsets []int `json:"data_offsets"`
	}
	if err := json.Unmarshal(h["weight"], &w); err != nil {
		t.Fatal(err)
	}
	if w.Dtype != "F32" || !reflect.DeepEqual(w.Shape, []int{2, 3}) || w.DataOffsets[1]-w.DataOffsets[0] != 24 {
		t.Errorf("weight header %+v", w)
	}
	data := b[8+n:]
	if got := binary.LittleEndian.Uint32(data[w.DataOffsets[0]+4:]); got != 0x3f59999a { // float32(0.85)
		t.Errorf("weight[0][1] bits %#x, want %#x", got, 0x3f59999a)
	}
	var meta map[string]string
	if err := json.Unmarshal(h["__metadata__"], &meta); err != nil {
		t.Fatal(err)
	}
	if meta["format_version"] != "1" || len(meta["crc32"]) != 8 || meta["inputs"] != `["temp","rainfall","humidity"]` {
		t.Errorf("metadata %v", meta)
	}
}

func TestModelFileRejectsDamage(t *testing.T) {
	good := encode(t, sampleModel())
	hlen := int(binary.LittleEndian.Uint64(good))
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	setHeader := func(h string) []byte {
		for len(h)%8 != 0 {
			h += " "
		}
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(append(b, h...), good[8+hlen:]...)
	}
	header := string(good[8 : 8+hlen])
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated data", good[:len(good)-1], "outside the"},
		{"truncated header", good[:20], "does not fit"},
		{"huge header length", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint64(b, 1<<62); return b }), "does not fit"},
		{"flipped data bit", mutate(func(b []byte) []byte { b[len(b)-5] ^= 1; return b }), "CRC-32"},
		{"extra bytes", append(append([]byte(nil), good...), 0, 0, 0, 0), "cover"},
		{"not json", mutate(func(b []byte) []byte { b[8] = 'x'; return b }), "not JSON"},
		{"other format", setHeader(strings.Replace(header, `"edgefit"`, `"other"`, 1)), `"format": "other", want "edgefit" or "pt"`},
		{"newer version", setHeader(strings.Replace(header, `"format_version":"1"`, `"format_version":"9"`, 1)), "newer"},
		{"dtype", setHeader(strings.Replace(header, `"bias":{"dtype":"F32"`, `"bias":{"dtype":"I32"`, 1)), `"bias" has dtype "I32", want F32`},
		{"shape", setHeader(strings.Replace(header, `"shape":[2,3]`, `"shape":[3,2]`, 1)), `"bias" has shape [2], want [3]`},
		{"huge shape", setHeader(strings.Replace(header, `"shape":[2,3]`, `"shape":[4611686018427387904,4]`, 1)), "does not fit"},
	} {
		_, err := Decode(bytes.NewReader(tc.b), int64(len(tc.b)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := Decode(bytes.NewReader(good), MaxFile+1); err == nil || !strings.Contains(err.Error(), "over the") {
		t.Errorf("oversized file: error %v", err)
	}
	bad := sampleModel()
	bad.Scale[1] = 0
	if err := Save(filepath.Join(t.TempDir(), "m"), bad); err == nil {
		t.Error("saving a model with scale 0: no error")
	}
}

// FuzzModelFile: any bytes load as a consistent model or give an error; never
// a panic or an allocation beyond the input's size.
func FuzzModelFile(f *testing.F) {
	good := encode(f, sampleModel())
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '})
	for _, name := range []string{"linear_f16_nobias", "linear_bf16_bias", "linear_f64_bias", "linear_f32_bias_pt"} {
		b, err := os.ReadFile("../../fixtures/torch/" + name + ".safetensors")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		mf, err := Decode(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if err := mf.Check(); err != nil {
			t.Fatalf("loaded an inconsistent model: %v", err)
		}
		limit := len(b) + 64
		if mf.Source == SourcePyTorch {
			// Each weight of 2 bytes or more becomes 4, and a mean, scale
			// and bias are added: 4(In·Out+Out+2In) ≤ 16·In·Out ≤ 8·len(b),
			// plus the edgefit header's fixed part.
			limit = 8*len(b) + 512
		}
		if again := encode(t, mf); len(again) > limit {
			t.Fatalf("re-encoded model is %d bytes from %d", len(again), len(b))
		}
	})
}

// A file in the wrong format is a *FormatError naming the file, whose text
// is the one the command shows once its prefix is dropped, and which wraps
// the cause (ErrTooLarge for a header over the limit).
func TestFormatError(t *testing.T) {
	b := encode(t, sampleModel())
	binary.LittleEndian.PutUint64(b, MaxHeader+1)
	path := filepath.Join(t.TempDir(), "big.st")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.File != path || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Load: %v (%T), want a *FormatError for %s wrapping ErrTooLarge", err, err, path)
	}
	if want := "modelfile: " + path + ": not a valid edgefit model file: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load: %q, want it to start %q", err, want)
	}
	_, err = Decode(bytes.NewReader(b[:5]), 5)
	if !errors.As(err, &fe) || fe.File != "" || !strings.HasPrefix(err.Error(), "modelfile: not a valid edgefit model file: ") {
		t.Errorf("Decode of 5 bytes: %v, want a *FormatError without a file", err)
	}
}
