package modelfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// sampleRefinement is a consistent refinement of k inputs and n targets.
func sampleRefinement(k, n int, intercept bool, ridge float64) *Refinement {
	r := &Refinement{K: k, N: n, Intercept: intercept, Rows: 500, Ridge: ridge}
	for i := 0; i < k*n; i++ {
		r.W = append(r.W, float64(i)/3-1)
		r.SXR = append(r.SXR, float64(i)*1e-9/7)
		r.SXRLo = append(r.SXRLo, math.Nextafter(0, 1)*float64(i))
	}
	for j := 0; j < n; j++ {
		if intercept {
			r.B = append(r.B, float64(j)+0.5)
		}
		r.SR = append(r.SR, -float64(j)*1e-10)
		r.SRLo = append(r.SRLo, 0)
		r.SRR = append(r.SRR, 12.5+float64(j))
		r.SRRLo = append(r.SRRLo, 1e-300)
	}
	for i := 0; i < k; i++ {
		r.Inputs = append(r.Inputs, fmt.Sprintf("x%d", i))
	}
	for j := 0; j < n; j++ {
		r.Outputs = append(r.Outputs, fmt.Sprintf("y%d", j))
	}
	return r
}

func encodeRefinement(t testing.TB, r *Refinement) []byte {
	var buf bytes.Buffer
	if err := r.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRefinementRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, r := range []*Refinement{sampleRefinement(3, 2, true, 0), sampleRefinement(1, 1, false, 0.1), sampleRefinement(4, 1, true, 1e300)} {
		path := filepath.Join(dir, fmt.Sprintf("r%d.refine", i))
		if err := SaveRefinementIf(path, r, nil); err != nil {
			t.Fatal(err)
		}
		got, err := LoadRefinement(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("loaded %+v\nwant %+v", got, r)
		}
	}
}

func TestRefinementRejectsDamage(t *testing.T) {
	r := sampleRefinement(2, 1, true, 0.5)
	good := encodeRefinement(t, r)
	header := string(good[8 : 8+binary.LittleEndian.Uint64(good)])
	// Data order: weight 0, bias 16, sxr 24, sxr_lo 40, sr 56, sr_lo 64, srr 72, srr_lo 80, rows 88.
	f64 := func(off int, v float64) []byte {
		return withData(good, func(d []byte) { binary.LittleEndian.PutUint64(d[off:], math.Float64bits(v)) })
	}
	stats := encodeStats(t, sampleStats(2, 1, true))
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"truncated", good[:len(good)-1], "outside the"},
		{"flipped data bit", func() []byte { b := append([]byte(nil), good...); b[len(b)-20] ^= 1; return b }(), "CRC-32"},
		{"stats file", stats, `"format": "edgefit-stats" (a stats file), want "edgefit-refine"`},
		{"newer version", withHeader(good, strings.Replace(header, `"format_version":"1"`, `"format_version":"2"`, 1)), "newer than this program reads (1)"},
		{"ridge not shortest", withHeader(good, strings.Replace(header, `"ridge":"0.5"`, `"ridge":"0.50"`, 1)), `"ridge" is "0.50"`},
		{"ridge missing", withHeader(good, strings.Replace(header, `"ridge":"0.5"`, `"ridgd":"0.5"`, 1)), `"ridge" is ""`},
		{"negative ridge", withHeader(good, strings.Replace(header, `"ridge":"0.5"`, `"ridge":"-0.5"`, 1)), "ridge term -0.5"},
		{"no intercept", withHeader(good, strings.Replace(header, `"intercept":"true"`, `"intercept":"false"`, 1)), `tensor "bias": a refinement file holds only weight, sxr, sxr_lo, sr, sr_lo, srr, srr_lo and rows`},
		{"NaN weight", f64(8, math.NaN()), "weight[1] is NaN"},
		{"not double-double", f64(40, 1), "not a normalised double-double"},
		{"negative srr", withData(good, func(d []byte) {
			binary.LittleEndian.PutUint64(d[72:], math.Float64bits(-12.5))
		}), "srr[0] is -12.5"},
		{"sums without rows", withData(good, func(d []byte) { clear(d[88:]) }), "non-zero sums with no rows"},
	} {
		_, err := DecodeRefinement(bytes.NewReader(tc.b), int64(len(tc.b)))
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "not a valid edgefit refinement file") {
			t.Errorf("%s: error %v, want a *FormatError containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := DecodeStats(bytes.NewReader(good), int64(len(good))); err == nil || !strings.Contains(err.Error(), `"edgefit-refine" (a refinement file)`) {
		t.Errorf("a refinement file read as stats: %v", err)
	}
	bad := sampleRefinement(2, 1, false, 0)
	bad.B = []float64{1}
	if err := SaveRefinementIf(filepath.Join(t.TempDir(), "r"), bad, nil); err == nil {
		t.Error("saving a refinement with a bias but no intercept: no error")
	}
}

// FuzzRefinementFile: any bytes decode as a consistent refinement or give a
// *FormatError, never a panic; decoding allocates in proportion to the
// input; what decodes re-encodes to the same bytes.
func FuzzRefinementFile(f *testing.F) {
	good := encodeRefinement(f, sampleRefinement(2, 1, true, 0.5))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(encodeRefinement(f, sampleRefinement(1, 2, false, 0)))
	f.Add(encodeStats(f, sampleStats(2, 1, true)))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		r, err := DecodeRefinement(bytes.NewReader(b), int64(len(b)))
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
		if err := r.Check(); err != nil {
			t.Fatalf("decoded an inconsistent refinement: %v", err)
		}
		again := encodeRefinement(t, r)
		r2, err := DecodeRefinement(bytes.NewReader(again), int64(len(again)))
		if err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("the re-encoded refinement decodes as %+v (%v), want %+v", r2, err, r)
		}
		if !bytes.Equal(encodeRefinement(t, r2), again) {
			t.Fatal("encoding the same refinement twice gives different bytes")
		}
	})
}
