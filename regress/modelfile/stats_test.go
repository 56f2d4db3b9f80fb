package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// sampleStats is a consistent accumulator of k inputs and n targets: an
// upper triangular R, means as double-doubles, sums of squares.
func sampleStats(k, n int, intercept bool) *Stats {
	p := k + n
	s := &Stats{K: k, N: n, Intercept: intercept, Rows: 1000 + int64(p),
		Mean: make([]float64, p), MeanLo: make([]float64, p), M2: make([]float64, p), R: make([]float64, p*p)}
	for c := 0; c < p; c++ {
		s.Mean[c] = 1e6/3 + float64(c)
		s.MeanLo[c] = math.Nextafter(0, 1) * float64(c) // tiny, so normalised
		s.M2[c] = float64(c*c) / 7
		for i := 0; i <= c; i++ {
			s.R[i*p+c] = float64(i-c) / 3
		}
	}
	for i := 0; i < k; i++ {
		s.Inputs = append(s.Inputs, fmt.Sprintf("x<%d>", i))
	}
	for j := 0; j < n; j++ {
		s.Outputs = append(s.Outputs, fmt.Sprintf("y%d ☃", j))
	}
	return s
}

func encodeStats(t testing.TB, s *Stats) []byte {
	var buf bytes.Buffer
	if err := s.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestStatsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, s := range []*Stats{sampleStats(3, 2, true), sampleStats(1, 1, false), {K: 2, N: 1,
		Mean: make([]float64, 3), MeanLo: make([]float64, 3), M2: make([]float64, 3), R: make([]float64, 9)}} {
		path := filepath.Join(dir, fmt.Sprintf("s%d.stats", i))
		if err := SaveStats(path, s); err != nil {
			t.Fatal(err)
		}
		got, err := LoadStats(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("loaded %+v\nwant %+v", got, s)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("directory holds %d entries after saving, want the 3 stats files", len(entries))
	}
}

// A safetensors reader that knows nothing of edgefit finds R and the row
// count from the header alone.
func TestStatsFileIsSafetensors(t *testing.T) {
	s := sampleStats(3, 2, true)
	b := encodeStats(t, s)
	n := binary.LittleEndian.Uint64(b)
	var h map[string]json.RawMessage
	if n%8 != 0 || json.Unmarshal(b[8:8+n], &h) != nil {
		t.Fatalf("header of %d bytes is not JSON", n)
	}
	var r, rows tensorInfo
	var meta map[string]string
	if json.Unmarshal(h["r"], &r) != nil || json.Unmarshal(h["rows"], &rows) != nil || json.Unmarshal(h["__metadata__"], &meta) != nil {
		t.Fatalf("header %s", b[8:8+n])
	}
	data := b[8+n:]
	if r.Dtype != "F64" || fmt.Sprint(r.Shape) != "[5 5]" || rows.Dtype != "I64" || len(rows.Shape) != 0 {
		t.Errorf("r %+v, rows %+v", r, rows)
	}
	if got := math.Float64frombits(binary.LittleEndian.Uint64(data[r.DataOffsets[0]+8*(1*5+3):])); got != s.R[1*5+3] {
		t.Errorf("r[1][3] = %v, want %v", got, s.R[8])
	}
	if got := int64(binary.LittleEndian.Uint64(data[rows.DataOffsets[0]:])); got != s.Rows {
		t.Errorf("rows = %d, want %d", got, s.Rows)
	}
	if meta["format"] != "edgefit-stats" || meta["format_version"] != "1" || meta["k"] != "3" || meta["n"] != "2" || meta["intercept"] != "true" {
		t.Errorf("metadata %v", meta)
	}
}

// withData returns a copy of the file b whose data section f changed, with
// the CRC-32 made right again: damage that only the checks of values find.
func withData(b []byte, f func(data []byte)) []byte {
	b = append([]byte(nil), b...)
	n := binary.LittleEndian.Uint64(b)
	old := fmt.Sprintf("%08x", crc32.ChecksumIEEE(b[8+n:]))
	f(b[8+n:])
	h := strings.Replace(string(b[8:8+n]), old, fmt.Sprintf("%08x", crc32.ChecksumIEEE(b[8+n:])), 1)
	return append(append(b[:8:8], h...), b[8+n:]...)
}

// withHeader returns the file b with header h (padded).
func withHeader(b []byte, h string) []byte {
	n := binary.LittleEndian.Uint64(b)
	for len(h)%8 != 0 {
		h += " "
	}
	return append(append(binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h...), b[8+n:]...)
}

func TestStatsRejectsDamage(t *testing.T) {
	s := sampleStats(2, 1, true) // p = 3: mean at 0, mean_lo 24, m2 48, r 72, rows 144
	good := encodeStats(t, s)
	header := string(good[8 : 8+binary.LittleEndian.Uint64(good)])
	f64 := func(off int, v float64) []byte {
		return withData(good, func(d []byte) { binary.LittleEndian.PutUint64(d[off:], math.Float64bits(v)) })
	}
	model := encode(t, sampleModel())
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated", good[:len(good)-1], "outside the"},
		{"truncated header", good[:30], "does not fit"},
		{"flipped data bit", func() []byte { b := append([]byte(nil), good...); b[len(b)-20] ^= 1; return b }(), "CRC-32"},
		{"model file", model, `"format": "edgefit" (a model file), want "edgefit-stats"`},
		{"newer version", withHeader(good, strings.Replace(header, `"format_version":"1"`, `"format_version":"2"`, 1)), "newer than this program reads (1)"},
		{"version 0", withHeader(good, strings.Replace(header, `"format_version":"1"`, `"format_version":"0"`, 1)), "want a positive integer"},
		{"k", withHeader(good, strings.Replace(header, `"k":"2"`, `"k":"02"`, 1)), `"k" is "02"`},
		{"k and shapes", withHeader(good, strings.Replace(header, `"k":"2"`, `"k":"1"`, 1)), `"mean" has shape [3], want [2]`},
		{"intercept", withHeader(good, strings.Replace(header, `"intercept":"true"`, `"intercept":"yes"`, 1)), `"intercept" is "yes"`},
		{"dtype", withHeader(good, strings.Replace(header, `"rows":{"dtype":"I64"`, `"rows":{"dtype":"F64"`, 1)), `"rows" has dtype "F64", want I64`},
		{"negative rows", withData(good, func(d []byte) { binary.LittleEndian.PutUint64(d[144:], 1<<63) }), "row count -9223372036854775808"},
		{"NaN", f64(72, math.NaN()), "r[0] is NaN"},
		{"below the diagonal", f64(72+8*3, 1), "r[1][0] is 1 below the diagonal"},
		{"negative m2", f64(48+8, -1), "m2[1] is -1"},
		{"mean not normalised", f64(24, 1), "not a normalised double-double"},
		{"values without rows", withData(good, func(d []byte) { clear(d[144:]) }), "with no rows, want 0"},
	} {
		_, err := DecodeStats(bytes.NewReader(tc.b), int64(len(tc.b)))
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want a *FormatError containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := Decode(bytes.NewReader(good), int64(len(good))); err == nil || !strings.Contains(err.Error(), `"format": "edgefit-stats"`) {
		t.Errorf("a stats file read as a model: %v", err)
	}
	bad := sampleStats(2, 1, true)
	bad.R[3] = 1
	if err := SaveStats(filepath.Join(t.TempDir(), "s"), bad); err == nil {
		t.Error("saving stats with R not triangular: no error")
	}
}

// LoadStats names the file and says it is not a valid stats file.
func TestStatsFormatError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "part.stats")
	if err := os.WriteFile(path, encode(t, sampleModel()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadStats(path)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.File != path || !strings.HasPrefix(err.Error(), "modelfile: "+path+": not a valid edgefit stats file: ") {
		t.Errorf("LoadStats of a model file: %v", err)
	}
	if _, err := LoadStats(filepath.Dir(path)); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("LoadStats of a directory: %v", err)
	}
}

// FuzzStatsFile: any bytes decode as consistent stats or give a
// *FormatError, never a panic; decoding allocates in proportion to the
// input; decoded stats re-encode to a file that decodes equal, and whose
// encoding is the same bytes.
func FuzzStatsFile(f *testing.F) {
	good := encodeStats(f, sampleStats(2, 1, true))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(encodeStats(f, &Stats{K: 1, N: 1, Mean: make([]float64, 2), MeanLo: make([]float64, 2), M2: make([]float64, 2), R: make([]float64, 4)}))
	f.Add(encode(f, sampleModel()))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		s, err := DecodeStats(bytes.NewReader(b), int64(len(b)))
		runtime.ReadMemStats(&m1)
		if got := m1.TotalAlloc - m0.TotalAlloc; got > 8*uint64(len(b))+64<<10 {
			t.Fatalf("decoding %d bytes allocated %d", len(b), got)
		}
		if err != nil {
			if fe := (*FormatError)(nil); !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		if err := s.Check(); err != nil {
			t.Fatalf("decoded inconsistent stats: %v", err)
		}
		again := encodeStats(t, s)
		s2, err := DecodeStats(bytes.NewReader(again), int64(len(again)))
		if err != nil {
			t.Fatalf("re-encoded stats do not decode: %v", err)
		}
		if !reflect.DeepEqual(s, s2) {
			t.Fatalf("re-encoded stats decode as %+v, want %+v", s2, s)
		}
		if !bytes.Equal(encodeStats(t, s2), again) {
			t.Fatal("encoding the same stats twice gives different bytes")
		}
	})
}
