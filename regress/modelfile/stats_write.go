package modelfile

import (
	"errors"
	"hash/crc32"
	"io"

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
	return encodeF64(w, statsFormat, "stats", s, nil, s.statsTensors())
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
