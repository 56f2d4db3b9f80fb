package regress

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strconv"

	"github.com/edgefit/edgefit"
)

// Encode writes mf in the safetensors layout. It refuses, writing nothing, a
// model that DecodeModel would refuse: inconsistent, or over the limits on the
// header (MaxModelHeader: mostly column names) or the file (MaxModelFile).
func (mf *ModelFile) Encode(w io.Writer) error {
	if w == nil {
		return errors.New("regress: saving model: nil writer")
	}
	if err := mf.Check(); err != nil {
		return fmt.Errorf("regress: saving model: %v", err)
	}
	var data []byte
	for _, v := range [][]float32{mf.W, mf.B, mf.Mean, mf.Scale} {
		for _, x := range v {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(x))
		}
	}
	h, err := mf.header(crc32.ChecksumIEEE(data))
	if err != nil {
		return fmt.Errorf("regress: saving model: %w", err)
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
func (mf *ModelFile) header(crc uint32) ([]byte, error) {
	tensors := []struct {
		name  string
		shape []int64
	}{
		{"weight", []int64{int64(mf.Out), int64(mf.In)}},
		{"bias", []int64{int64(mf.Out)}},
		{"input_mean", []int64{int64(mf.In)}},
		{"input_scale", []int64{int64(mf.In)}},
	}
	header := map[string]any{}
	end := int64(0)
	for _, t := range tensors {
		n := int64(4)
		for _, d := range t.shape {
			n *= d
		}
		header[t.name] = tensorInfo{Dtype: "F32", Shape: t.shape, DataOffsets: [2]int64{end, end + n}}
		end += n
	}
	meta := map[string]string{
		"format":         "edgefit",
		"format_version": strconv.Itoa(ModelFormatVersion),
		"crc32":          fmt.Sprintf("%08x", crc),
	}
	names := 0
	if mf.Inputs != nil {
		b, _ := json.Marshal(mf.Inputs)
		meta["inputs"] = string(b)
		names += len(b)
	}
	if mf.Outputs != nil {
		b, _ := json.Marshal(mf.Outputs)
		meta["outputs"] = string(b)
		names += len(b)
	}
	header["__metadata__"] = meta
	h, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if err := checkModelSize(uint64(len(h)), 8+int64(len(h))+end); err != nil {
		return nil, fmt.Errorf("%w; the column names take %d bytes of it", err, names)
	}
	return h, nil
}

// ErrModelTooLarge is in the error of a model file, read or to be written,
// over MaxModelFile or MaxModelHeader (errors.Is finds it).
var ErrModelTooLarge = errors.New("model file too large")

// checkModelSize applies the limits on a model file of size bytes with a
// header of hlen bytes: the reader refuses a file over them, and the writer
// refuses to write one.
func checkModelSize(hlen uint64, size int64) error {
	if size > MaxModelFile {
		return fmt.Errorf("%d bytes, over the %d-byte limit for a model file (%w)", size, MaxModelFile, ErrModelTooLarge)
	}
	if hlen > MaxModelHeader {
		return fmt.Errorf("header of %d bytes does not fit the %d-byte limit for a model file's header (%w)", hlen, MaxModelHeader, ErrModelTooLarge)
	}
	return nil
}

// Predict computes the outputs Y (m×Out) of m raw input rows X (m×In), one
// matmul with the active kernels. X must hold at least m·In values and Y
// m·Out; a shorter slice, a negative m or an inconsistent ModelFile is an
// error. It allocates nothing.
func (mf *ModelFile) Predict(m int, X, Y []float32) error {
	if mf == nil {
		return errors.New("regress: ModelFile.Predict: nil model")
	}
	in, out := mf.In, mf.Out
	if in <= 0 || out <= 0 || len(mf.W)/in != out || len(mf.W)%in != 0 || len(mf.B) != out {
		return fmt.Errorf("regress: ModelFile.Predict: model is %d×%d with %d weights and %d biases: not a consistent model", out, in, len(mf.W), len(mf.B))
	}
	if m < 0 {
		return fmt.Errorf("regress: ModelFile.Predict: %d rows: want at least 0", m)
	}
	if m > len(X)/in || m > len(Y)/out {
		return fmt.Errorf("regress: ModelFile.Predict: %d inputs and room for %d outputs, want %d×%d inputs and %d×%d outputs", len(X), len(Y), m, in, m, out)
	}
	edgefit.MatMulBias(m, out, in, X, in, mf.W, in, mf.B, Y, out)
	return nil
}

// NewModelFile makes the file contents for a model trained on inputs
// standardised by std (nil: raw inputs): the standardisation is folded into
// the weights, so the file's weight and bias apply to raw inputs. inputs and
// outputs name the columns (nil for none). A model that could not be saved
// (see Encode) is an error here already.
func NewModelFile(m *Linear, std *Standardizer, inputs, outputs []string) (*ModelFile, error) {
	if err := m.valid("NewModelFile"); err != nil {
		return nil, err
	}
	in, out := m.In(), m.Out()
	mf := &ModelFile{Inputs: inputs, Outputs: outputs, In: in, Out: out,
		W: make([]float32, out*in), B: make([]float32, out), Mean: make([]float32, in), Scale: make([]float32, in)}
	for j := 0; j < out; j++ {
		copy(mf.W[j*in:(j+1)*in], m.W.Row(j))
	}
	copy(mf.B, m.B)
	if std == nil {
		for p := range mf.Scale {
			mf.Scale[p] = 1
		}
	} else {
		if len(std.Mean) != in || len(std.Scale) != in {
			return nil, fmt.Errorf("regress: NewModelFile: standardisation of %d means and %d scales for a model of %d inputs", len(std.Mean), len(std.Scale), in)
		}
		copy(mf.Mean, std.Mean)
		copy(mf.Scale, std.Scale)
		if err := std.Fold(mf.W, mf.B, mf.W, mf.B); err != nil {
			return nil, err
		}
	}
	if err := mf.Check(); err != nil {
		return nil, fmt.Errorf("regress: NewModelFile: %v", err)
	}
	if _, err := mf.header(0); err != nil {
		return nil, fmt.Errorf("regress: NewModelFile: %w", err)
	}
	return mf, nil
}

// Linear returns the model for raw inputs that the file holds; an
// inconsistent ModelFile (see Check) is an error.
func (mf *ModelFile) Linear() (*Linear, error) {
	if mf == nil {
		return nil, errors.New("regress: ModelFile.Linear: nil model")
	}
	if err := mf.Check(); err != nil {
		return nil, fmt.Errorf("regress: ModelFile.Linear: %v", err)
	}
	rows := make([][]float32, mf.Out)
	for j := range rows {
		rows[j] = mf.W[j*mf.In : (j+1)*mf.In]
	}
	return NewLinearFrom(rows, mf.B)
}
