package modelfile

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"strconv"

	"github.com/edgefit/edgefit/internal/fmtlite"
)

// Encode writes s as a stats file (see DecodeStats). It refuses, writing
// nothing, stats that DecodeStats would refuse: inconsistent, or over the
// limits on the header (MaxHeader: mostly column names) or the file
// (MaxFile).
func (s *Stats) Encode(w io.Writer) error {
	if w == nil {
		return errors.New("modelfile: saving stats: nil writer")
	}
	if err := s.Check(); err != nil {
		return fmtlite.Errorf("modelfile: saving stats: %w", err)
	}
	p := s.K + s.N
	data := make([]byte, 0, 8*(3*p+p*p+1))
	for _, t := range s.statsTensors() {
		for _, x := range t.v {
			data = binary.LittleEndian.AppendUint64(data, math.Float64bits(x))
		}
	}
	data = binary.LittleEndian.AppendUint64(data, uint64(s.Rows))
	h, err := s.header(crc32.ChecksumIEEE(data), int64(len(data)))
	if err != nil {
		return fmtlite.Errorf("modelfile: saving stats: %w", err)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(h)))
	for _, b := range [][]byte{n[:], h, data} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// header returns the padded JSON header of a stats file whose data of size
// bytes has the given CRC-32, with the keys in order as encoding/json would
// write them, after checking the limits.
func (s *Stats) header(crc uint32, size int64) ([]byte, error) {
	intercept := "false"
	if s.Intercept {
		intercept = "true"
	}
	meta := [][2]string{
		{"crc32", fmtlite.Sprintf("%08x", crc)},
		{"format", statsFormat},
		{"format_version", strconv.Itoa(StatsFormatVersion)},
	}
	if s.Inputs != nil {
		meta = append(meta, [2]string{"inputs", string(appendNames(nil, s.Inputs))})
	}
	meta = append(meta, [2]string{"intercept", intercept}, [2]string{"k", strconv.Itoa(s.K)}, [2]string{"n", strconv.Itoa(s.N)})
	if s.Outputs != nil {
		meta = append(meta, [2]string{"outputs", string(appendNames(nil, s.Outputs))})
	}
	h := []byte(`{"__metadata__":{`)
	for i, kv := range meta {
		if i > 0 {
			h = append(h, ',')
		}
		h = append(appendJSONString(h, kv[0]), ':')
		h = appendJSONString(h, kv[1])
	}
	h = append(h, '}')
	// Data order: mean, mean_lo, m2, r, rows; key order: m2, mean,
	// mean_lo, r, rows.
	tensors := s.statsTensors()
	offs := make([]int64, len(tensors)+1)
	for i, t := range tensors {
		offs[i+1] = offs[i] + 8*int64(max(len(t.v), 1))
	}
	for _, i := range []int{2, 0, 1, 3, 4} {
		t := tensors[i]
		h = append(appendJSONString(append(h, ','), t.name), ':')
		h = fmtlite.Appendf(h, `{"dtype":%q,"shape":[`, t.dtype)
		for j, d := range t.shape {
			if j > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, d, 10)
		}
		h = fmtlite.Appendf(h, `],"data_offsets":[%d,%d]}`, offs[i], offs[i+1])
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if err := checkModelSize(uint64(len(h)), 8+int64(len(h))+size); err != nil {
		return nil, err
	}
	return h, nil
}

// appendNames appends names as a JSON array of strings.
func appendNames(b []byte, names []string) []byte {
	b = append(b, '[')
	for i, s := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// checkCRC compares the CRC-32 of the data with the header's.
func checkCRC(want string, data []byte) error {
	if got := fmtlite.Sprintf("%08x", crc32.ChecksumIEEE(data)); want != got {
		return fmtlite.Errorf("CRC-32 of the data is %s, the header says %q: the file is corrupt", got, want)
	}
	return nil
}

// SaveStats writes s to path atomically, as Save writes a model file.
func SaveStats(path string, s *Stats) error {
	return SaveStatsIf(path, s, nil)
}

// SaveStatsIf is SaveStats with a last word, as SaveIf: the file goes in
// place only if commit (when not nil) returns nil.
func SaveStatsIf(path string, s *Stats, commit func() error) error {
	if s == nil {
		return errors.New("modelfile: saving stats: nil stats")
	}
	return saveAtomic(path, s.Encode, commit)
}
