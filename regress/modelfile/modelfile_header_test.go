package modelfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// jsonHeader is the loader's former header reading, with encoding/json.
func jsonHeader(h []byte) (map[string]tensorInfo, map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(h, &raw); err != nil {
		return nil, nil, err
	}
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, err
		}
		delete(raw, "__metadata__")
	}
	infos := map[string]tensorInfo{}
	for name, r := range raw {
		var ti tensorInfo
		if err := json.Unmarshal(r, &ti); err != nil {
			return nil, nil, err
		}
		infos[name] = ti
	}
	return infos, meta, nil
}

// FuzzHeaderAgainstJSON: on any bytes, the strict reader and encoding/json
// (each followed by the loader's layout checks) agree on acceptance and on
// the result, except where the strict reader is deliberately stricter (a
// headerError marked strict: the cases listed in modelfile_header.go).
func FuzzHeaderAgainstJSON(f *testing.F) {
	good := encode(f, sampleModel())
	f.Add(good[8:], int64(len(good)-8))
	for _, s := range []string{`{}`, `{"__metadata__":{"a":"\u00e9\ud83d\ude00\n"}} `, `{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`,
		`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`,
		`{"a":{"DTYPE":"F32","shape":[1],"data_offsets":[0,4]}}`, `{"a":{"dtype":"F32","shape":[-0],"data_offsets":[0,0]}}`,
		`{"a":null}`, `{"__metadata__":{"x":"\ud800"}}`, "{\"\xff\":1}", `{"a":{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}}`} {
		f.Add([]byte(s), int64(4))
	}
	f.Fuzz(func(t *testing.T, h []byte, dataSize int64) {
		if dataSize < 0 || dataSize > 1<<20 {
			return
		}
		ji, jm, jerr := jsonHeader(h)
		if jerr == nil {
			ji, jerr = tensorLayout(ji, dataSize)
		}
		si, sm, serr := parseHeader(h)
		if serr == nil {
			si, serr = tensorLayout(si, dataSize)
		}
		var he *headerError
		switch {
		case jerr == nil && serr == nil:
			if !reflect.DeepEqual(ji, si) || !reflect.DeepEqual(jm, sm) {
				t.Fatalf("%q: encoding/json reads %v %v, the strict reader %v %v", h, ji, jm, si, sm)
			}
		case jerr != nil && serr == nil:
			t.Fatalf("%q: the strict reader accepts what encoding/json refuses (%v)", h, jerr)
		case jerr == nil && serr != nil:
			if !errors.As(serr, &he) || !he.strict {
				t.Fatalf("%q: encoding/json accepts, the strict reader refuses and not as a deliberate case: %v", h, serr)
			}
		}
	})
}

// TestHeaderStrictCases: each deliberate difference from encoding/json is
// refused and marked so.
func TestHeaderStrictCases(t *testing.T) {
	ok := `"dtype":"F32","shape":[1],"data_offsets":[0,4]`
	for _, h := range []string{
		`{"a":{` + ok + `},"a":{` + ok + `}}`,
		`{"a":{` + ok + `,"dtype":"F32"}}`,
		`{"a":{"DType":"F32","shape":[1],"data_offsets":[0,4]}}`,
		`{"a":{` + ok + `,"x":1}}`,
		`{"a":{"dtype":"F32","shape":[1]}}`,
		`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,4]}}`,
		`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`,
		`{"a":null}`, `{"a":{"dtype":null,"shape":[1],"data_offsets":[0,4]}}`, `{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`,
		`{"a":{"dtype":"F32","shape":[null],"data_offsets":[0,4]}}`, `{"__metadata__":null}`, `{"__metadata__":{"k":null}}`,
		`{"a":{"dtype":"F32","shape":[-0],"data_offsets":[0,0]}}`, `{"a":{"dtype":"F32","shape":[1],"data_offsets":[-1,4]}}`,
		"{\"__metadata__\":{\"k\":\"\xff\"}}", `{"__metadata__":{"k":"\udc00"}}`, `{"__metadata__":{"k":"\ud800\u0041"}}`,
	} {
		if _, _, err := jsonHeader([]byte(h)); err != nil {
			t.Errorf("%s: encoding/json refuses it too (%v): not a deliberate case", h, err)
		}
		_, _, err := parseHeader([]byte(h))
		var he *headerError
		if !errors.As(err, &he) || !he.strict {
			t.Errorf("%s: error %v, want a deliberate refusal", h, err)
		}
	}
	if _, _, err := parseHeader([]byte(`{"a":{` + ok + `}}` + "  \n\t ")); err != nil {
		t.Errorf("padding refused: %v", err)
	}
	for _, h := range []string{`{"a":{` + ok + `}} x`, `{"a":{` + ok + `},}`, `{"a":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}`, `{"a":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]}}`} {
		if _, _, err := parseHeader([]byte(h)); err == nil {
			t.Errorf("%s: accepted", h)
		}
	}
}

// The header written without encoding/json is the bytes encoding/json wrote.
func FuzzHeaderWriterAgainstJSON(f *testing.F) {
	f.Add("temp", "a<b>&\u2028\"\\\x01\b\f\n\r\t\xffé", uint32(0xdeadbeef))
	f.Fuzz(func(t *testing.T, in, out string, crc uint32) {
		mf := sampleModel()
		mf.Inputs[0], mf.Outputs[1] = in, out
		got, err := mf.header(crc)
		if err != nil {
			t.Fatal(err)
		}
		inputs, _ := json.Marshal(mf.Inputs)
		outputs, _ := json.Marshal(mf.Outputs)
		hdr := map[string]any{"__metadata__": map[string]string{"format": "edgefit", "format_version": "1",
			"crc32": fmt.Sprintf("%08x", crc), "inputs": string(inputs), "outputs": string(outputs)}}
		end := int64(0)
		for _, tn := range []struct {
			name  string
			shape []int64
		}{{"weight", []int64{2, 3}}, {"bias", []int64{2}}, {"input_mean", []int64{3}}, {"input_scale", []int64{3}}} {
			n := 4 * tn.shape[0]
			if len(tn.shape) == 2 {
				n *= tn.shape[1]
			}
			hdr[tn.name] = tensorInfo{Dtype: "F32", Shape: tn.shape, DataOffsets: [2]int64{end, end + n}}
			end += n
		}
		want, _ := json.Marshal(hdr)
		if !bytes.Equal(bytes.TrimRight(got, " "), want) {
			t.Fatalf("header\n%s\nencoding/json\n%s", got, want)
		}
	})
}

// FuzzNamesAgainstJSON: the column names' metadata (a JSON array of strings)
// reads as with encoding/json, except the deliberate cases.
func FuzzNamesAgainstJSON(f *testing.F) {
	for _, s := range []string{`["a","b\u00e9"]`, `[]`, `null`, `[null]`, `["\ud800"]`, ` ["x"] `, `["a",]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var jn []string
		jerr := json.Unmarshal([]byte(s), &jn)
		sn, serr := parseNames(s)
		var he *headerError
		switch {
		case jerr == nil && serr == nil:
			if !reflect.DeepEqual(jn, sn) && (len(jn) != 0 || len(sn) != 0) {
				t.Fatalf("%q: encoding/json reads %q, the strict reader %q", s, jn, sn)
			}
		case jerr != nil && serr == nil:
			t.Fatalf("%q: the strict reader accepts what encoding/json refuses (%v)", s, jerr)
		case jerr == nil && serr != nil:
			if !errors.As(serr, &he) || !he.strict {
				t.Fatalf("%q: encoding/json accepts, the strict reader refuses and not as a deliberate case: %v", s, serr)
			}
		}
	})
}
