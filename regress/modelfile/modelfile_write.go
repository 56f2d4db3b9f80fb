package modelfile

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/edgefit/edgefit"
	"github.com/edgefit/edgefit/internal/fmtlite"
)

// Encode writes mf in the safetensors layout. It refuses, writing nothing, a
// model that Decode would refuse: inconsistent, or over the limits on the
// header (MaxHeader: mostly column names) or the file (MaxFile).
func (mf *File) Encode(w io.Writer) error {
	if w == nil {
		return errors.New("modelfile: saving model: nil writer")
	}
	if err := mf.Check(); err != nil {
		return fmtlite.Errorf("modelfile: saving model: %w", err)
	}
	var data []byte
	for _, v := range [][]float32{mf.W, mf.B, mf.Mean, mf.Scale} {
		for _, x := range v {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(x))
		}
	}
	h, err := mf.header(crc32.ChecksumIEEE(data))
	if err != nil {
		return fmtlite.Errorf("modelfile: saving model: %w", err)
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

// header returns the JSON header, padded, for a model whose data has the given
// CRC-32, after checking that the file fits the reader's limits. Its length
// does not depend on the CRC. mf must have passed Check.
func (mf *File) header(crc uint32) ([]byte, error) {
	// In data order; a model without bias has no "bias" tensor.
	tensors := []struct {
		name  string
		shape []int64
	}{
		{"weight", []int64{int64(mf.Out), int64(mf.In)}},
		{"bias", []int64{int64(mf.Out)}},
		{"input_mean", []int64{int64(mf.In)}},
		{"input_scale", []int64{int64(mf.In)}},
	}
	// The bytes encoding/json wrote for the same header (keys sorted, HTML
	// characters escaped), written here without it: see modelfile_header.go.
	var infos [4][]byte
	end := int64(0)
	for i, t := range tensors {
		if i == 1 && len(mf.B) == 0 {
			continue
		}
		n := int64(4)
		for _, d := range t.shape {
			n *= d
		}
		b := fmtlite.Appendf(nil, `{"dtype":"F32","shape":[`)
		for k, d := range t.shape {
			if k > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, d, 10)
		}
		infos[i] = fmtlite.Appendf(b, `],"data_offsets":[%d,%d]}`, end, end+n)
		end += n
	}
	meta := [][2]string{
		{"crc32", fmtlite.Sprintf("%08x", crc)},
		{"format", "edgefit"},
		{"format_version", strconv.Itoa(FormatVersion)},
	}
	names := 0
	for _, c := range []struct {
		key string
		v   []string
	}{{"inputs", mf.Inputs}, {"outputs", mf.Outputs}} {
		if c.v != nil {
			b := appendJSONStrings(nil, c.v)
			meta = append(meta, [2]string{c.key, string(b)})
			names += len(b)
		}
	}
	h := []byte(`{"__metadata__":{`)
	for k, kv := range meta {
		if k > 0 {
			h = append(h, ',')
		}
		h = append(appendJSONString(h, kv[0]), ':')
		h = appendJSONString(h, kv[1])
	}
	h = append(h, '}')
	// In key order: bias, input_mean, input_scale, weight.
	for _, i := range []int{1, 2, 3, 0} {
		if infos[i] == nil {
			continue
		}
		h = append(appendJSONString(append(h, ','), tensors[i].name), ':')
		h = append(h, infos[i]...)
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if err := checkModelSize(uint64(len(h)), 8+int64(len(h))+end); err != nil {
		return nil, fmtlite.Errorf("%w; the column names take %d bytes of it", err, names)
	}
	return h, nil
}

// appendJSONStrings appends v as encoding/json writes a []string: a JSON
// array of appendJSONString's strings, without spaces.
func appendJSONStrings(b []byte, v []string) []byte {
	b = append(b, '[')
	for k, s := range v {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString appends s as encoding/json writes a string: ", \\ and
// control characters escaped, <, > and & as \u escapes, U+2028 and U+2029
// escaped, invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&15])
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// ErrTooLarge is in the error of a model file, read or to be written,
// over MaxFile or MaxHeader (errors.Is finds it).
var ErrTooLarge = errors.New("model file too large")

// checkModelSize applies the limits on a model file of size bytes with a
// header of hlen bytes: the reader refuses a file over them, and the writer
// refuses to write one.
func checkModelSize(hlen uint64, size int64) error {
	if size > MaxFile {
		return fmtlite.Errorf("%d bytes, over the %d-byte limit for a model file (%w)", size, MaxFile, ErrTooLarge)
	}
	if hlen > MaxHeader {
		return fmtlite.Errorf("header of %d bytes does not fit the %d-byte limit for a model file's header (%w)", hlen, MaxHeader, ErrTooLarge)
	}
	return nil
}

// Predict computes the outputs Y of the raw input rows X, destination first
// as in regress.Linear.Predict: X holds m rows of In values and Y m rows of
// Out, both contiguous (m = len(X)/In), one matmul with the active kernels.
// The rows are raw slices, not linalg.Dense: linalg imports fmt, which a
// program that only loads and predicts (regress/example/predictonly) must
// not pay for. Lengths that are not whole rows, or do not match, or an
// inconsistent File are an error. It allocates nothing.
func (mf *File) Predict(Y, X []float32) error {
	if mf == nil {
		return errors.New("modelfile: File.Predict: nil model")
	}
	in, out := mf.In, mf.Out
	if in <= 0 || out <= 0 || len(mf.W)/in != out || len(mf.W)%in != 0 || (len(mf.B) != out && len(mf.B) != 0) {
		return fmtlite.Errorf("modelfile: File.Predict: model is %d×%d with %d weights and %d biases: not a consistent model", out, in, len(mf.W), len(mf.B))
	}
	m := len(X) / in
	if len(X)%in != 0 || len(Y)%out != 0 || len(Y)/out != m {
		return fmtlite.Errorf("modelfile: File.Predict: %d inputs and %d outputs, want whole rows of %d inputs and %d outputs, as many of each", len(X), len(Y), in, out)
	}
	var b []float32 // nil: no bias
	if len(mf.B) != 0 {
		b = mf.B
	}
	edgefit.MatMulBias(m, out, in, X, in, mf.W, in, b, Y, out)
	return nil
}

// CheckLimits reports whether mf, which must have passed Check, can be
// written: whether its header fits MaxHeader (errors.Is finds ErrTooLarge
// when it does not).
func (mf *File) CheckLimits() error {
	_, err := mf.header(0)
	return err
}
