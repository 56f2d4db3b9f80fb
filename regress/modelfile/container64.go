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

// Stats files and refinement files share a layout: the model file's
// container holding F64 tensors and an I64 row count "rows", with the
// metadata format, format_version, crc32, k, n, intercept and the column
// names inputs and outputs (statsMeta). decodeF64 and encodeF64 read and
// write it; the tensors of each kind are listed in data order.

// formatKind names what each "format" metadata is, for errors.
var formatKind = map[string]string{"edgefit": "model file", statsFormat: "stats file", refineFormat: "refinement file"}

// formatVersion is the newest version of each format this program reads.
var formatVersion = map[string]int{statsFormat: StatsFormatVersion, refineFormat: RefinementFormatVersion}

// decodeF64 reads a file of the given format of size bytes from r with the
// checks of Decode: every length checked against size before anything is
// allocated, the tensors exactly those tensors lists for the columns the
// metadata gives (their values are not used), the CRC-32. It returns the
// columns and row count, the metadata and the F64 tensors' values by name.
func decodeF64(r io.Reader, size int64, format string, tensors func(*Stats) []statsTensor) (*Stats, map[string]string, map[string][]float64, error) {
	if r == nil {
		return nil, nil, nil, errors.New("nil reader")
	}
	if err := checkModelSize(0, size); err != nil {
		return nil, nil, nil, err
	}
	if size < 8 {
		return nil, nil, nil, fmtlite.Errorf("%d bytes, too short for the 8-byte header length", size)
	}
	var nb [8]byte
	if _, err := io.ReadFull(r, nb[:]); err != nil {
		return nil, nil, nil, fmtlite.Errorf("reading the header length: %w", err)
	}
	hlen := binary.LittleEndian.Uint64(nb[:])
	if err := checkModelSize(hlen, size); err != nil {
		return nil, nil, nil, err
	}
	if int64(hlen) > size-8 {
		return nil, nil, nil, fmtlite.Errorf("header length %d does not fit the file's %d bytes", hlen, size)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, nil, nil, fmtlite.Errorf("reading the %d-byte header: %w", hlen, err)
	}
	raw, meta, err := parseHeader(h)
	if err != nil {
		return nil, nil, nil, fmtlite.Errorf("header is not JSON of a safetensors header's shape: %w", err)
	}
	s, err := statsMeta(meta, format)
	if err != nil {
		return nil, nil, nil, err
	}
	dataSize := size - 8 - int64(hlen)
	if int64(int(dataSize)) != dataSize {
		return nil, nil, nil, fmtlite.Errorf("%d data bytes: too large for this platform", dataSize)
	}
	if _, err := tensorLayout(raw, dataSize); err != nil {
		return nil, nil, nil, err
	}
	ts := tensors(s)
	if err := statsShape(raw, ts, formatKind[format]); err != nil {
		return nil, nil, nil, err
	}
	// Every size is now known to fit the file: read the data.
	data := make([]byte, dataSize)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, nil, nil, fmtlite.Errorf("reading %d data bytes: %w (file truncated?)", dataSize, err)
	}
	if err := checkCRC(meta["crc32"], data); err != nil {
		return nil, nil, nil, err
	}
	vals := make(map[string][]float64, len(ts))
	for _, t := range ts {
		ti := raw[t.name]
		b := data[ti.DataOffsets[0]:ti.DataOffsets[1]]
		if t.dtype == "I64" {
			s.Rows = int64(binary.LittleEndian.Uint64(b))
			continue
		}
		v := make([]float64, len(b)/8)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		vals[t.name] = v
	}
	return s, meta, vals, nil
}

// encodeF64 writes a file of the given format: the columns of cols, the
// metadata extra (besides the common keys), the tensors in data order and
// cols.Rows as the I64 tensor among them. A file over the limits is an
// error naming what was being saved, before anything is written.
func encodeF64(w io.Writer, format, what string, cols *Stats, extra [][2]string, tensors []statsTensor) error {
	n := 0
	for _, t := range tensors {
		n += max(len(t.v), 1)
	}
	data := make([]byte, 0, 8*n)
	offs := make([]int64, len(tensors)+1)
	for i, t := range tensors {
		if t.dtype == "I64" {
			data = binary.LittleEndian.AppendUint64(data, uint64(cols.Rows))
		}
		for _, x := range t.v {
			data = binary.LittleEndian.AppendUint64(data, math.Float64bits(x))
		}
		offs[i+1] = int64(len(data))
	}
	h, err := f64Header(format, cols, extra, tensors, offs, crc32.ChecksumIEEE(data))
	if err != nil {
		return fmtlite.Errorf("modelfile: saving %s: %w", what, err)
	}
	var nb [8]byte
	binary.LittleEndian.PutUint64(nb[:], uint64(len(h)))
	for _, b := range [][]byte{nb[:], h, data} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// f64Header returns the padded JSON header, keys in order as encoding/json
// would write them, after checking the limits.
func f64Header(format string, cols *Stats, extra [][2]string, tensors []statsTensor, offs []int64, crc uint32) ([]byte, error) {
	meta := append([][2]string{
		{"crc32", fmtlite.Sprintf("%08x", crc)},
		{"format", format},
		{"format_version", strconv.Itoa(formatVersion[format])},
		{"intercept", strconv.FormatBool(cols.Intercept)},
		{"k", strconv.Itoa(cols.K)},
		{"n", strconv.Itoa(cols.N)},
	}, extra...)
	if cols.Inputs != nil {
		meta = append(meta, [2]string{"inputs", string(appendNames(nil, cols.Inputs))})
	}
	if cols.Outputs != nil {
		meta = append(meta, [2]string{"outputs", string(appendNames(nil, cols.Outputs))})
	}
	for i := 1; i < len(meta); i++ { // by key, without reflection-based sorting (see byName)
		for j := i; j > 0 && meta[j][0] < meta[j-1][0]; j-- {
			meta[j], meta[j-1] = meta[j-1], meta[j]
		}
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
	order := make([]int, len(tensors))
	for i := range order {
		order[i] = i
		for j := i; j > 0 && tensors[order[j]].name < tensors[order[j-1]].name; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	for _, i := range order {
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
	if err := checkModelSize(uint64(len(h)), 8+int64(len(h))+offs[len(tensors)]); err != nil {
		return nil, err
	}
	return h, nil
}
