package modelfile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/edgefit/edgefit/internal/fmtlite"
)

// A model file is in the safetensors layout, so that other ecosystems'
// readers (Python's safetensors, candle, …) open it as they are:
//
//	8 bytes     N, the header's length, unsigned little-endian
//	N bytes     a JSON header: for each tensor its dtype, shape and the
//	            [begin, end) byte offsets of its data, plus "__metadata__",
//	            a map of strings; padded with spaces to a multiple of 8
//	the data    every tensor's raw little-endian values, back to back
//
// The tensors, all F32, are
//
//	weight       [out, in]  W for raw inputs (the folded standardisation)
//	bias         [out]      b for raw inputs; absent for a model without bias
//	input_mean   [in]       the standardisation the model was trained with:
//	input_scale  [in]       x' = (x − mean)/scale (0 and 1 when none)
//
// weight and bias are the names and layout of nn.Linear's state_dict, so
// torch's load_state_dict takes them as they are, a file without bias into
// nn.Linear(bias=False). A file without bias is otherwise the same layout
// and format version; a file with one is byte for byte what earlier
// versions wrote. The metadata holds
// "format": "edgefit", "format_version": "1", "crc32" (IEEE, 8 hex digits, of
// the data section) and the input and output column names as JSON arrays of
// strings ("inputs", "outputs").
//
// Decode also reads a plain safetensors file of nn.Linear's state_dict
// as PyTorch saves it (SourcePyTorch). The header is read by the strict
// reader in modelfile_header.go, not encoding/json.

// FormatVersion is the version of the model file layout written.
const FormatVersion = 1

// MaxHeader bounds a model file's JSON header, so that a corrupt length
// cannot make the loader allocate gigabytes: 16 MiB, mostly column names.
// Decode refuses a longer header and Encode, Save and regress.Linear.File
// refuse a model whose header would be longer.
const MaxHeader = 16 << 20

// MaxFile is the largest model file Decode reads, and writers
// write: 1 GiB holds a quarter of a billion weights, far beyond any linear
// model for an edge device, so a larger file is a mistake (the wrong file)
// rather than a model.
const MaxFile = 1 << 30

// File is everything a model file holds.
type File struct {
	Inputs  []string  // input column names, In of them (or none)
	Outputs []string  // output column names, Out of them (or none)
	In, Out int       // the model's shape
	W       []float32 // Out×In, row-major: weights for raw inputs
	B       []float32 // Out, or none (nil): a model without bias, y = W·x
	Mean    []float32 // In: the standardisation used in training
	Scale   []float32 // In

	// Source says where the file came from: SourceEdgefit, SourcePyTorch,
	// or "" for a model made in memory. Encode writes an edgefit file
	// whatever it is.
	Source string
}

// The sources of a loaded model (File.Source).
const (
	SourceEdgefit = "edgefit"
	// A plain safetensors file as PyTorch's safetensors.torch.save_file
	// writes nn.Linear's state_dict: "weight" [out, in] and optionally
	// "bias" [out], in F32, F16, BF16 or F64, no column names, no CRC.
	SourcePyTorch = "safetensors (PyTorch)"
)

// Check reports whether mf is a consistent model: shapes that agree (B of
// Out values, or none for a model without bias), finite numbers, positive
// scales, UTF-8 names.
func (mf *File) Check() error {
	if mf == nil {
		return errors.New("nil model")
	}
	if mf.In <= 0 || mf.Out <= 0 {
		return fmtlite.Errorf("model is %d×%d, want at least one input and one output", mf.Out, mf.In)
	}
	if len(mf.W)%mf.In != 0 || len(mf.W)/mf.In != mf.Out {
		return fmtlite.Errorf("weight has %d values, want %d×%d", len(mf.W), mf.Out, mf.In)
	}
	for _, c := range []struct {
		name string
		v    []float32
		n    int
	}{{"weight", mf.W, mf.Out * mf.In}, {"bias", mf.B, mf.Out}, {"input_mean", mf.Mean, mf.In}, {"input_scale", mf.Scale, mf.In}} {
		if len(c.v) != c.n && (c.name != "bias" || len(c.v) != 0) { // or no bias at all
			return fmtlite.Errorf("%s has %d values, want %d", c.name, len(c.v), c.n)
		}
		for i, v := range c.v {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmtlite.Errorf("%s[%d] is %v, want a finite number", c.name, i, v)
			}
		}
	}
	for i, s := range mf.Scale {
		if !(s > 0) {
			return fmtlite.Errorf("input_scale[%d] is %v, want > 0", i, s)
		}
	}
	if mf.Inputs != nil && len(mf.Inputs) != mf.In {
		return fmtlite.Errorf("%d input names for %d inputs", len(mf.Inputs), mf.In)
	}
	if mf.Outputs != nil && len(mf.Outputs) != mf.Out {
		return fmtlite.Errorf("%d output names for %d outputs", len(mf.Outputs), mf.Out)
	}
	// The header would carry an invalid name as another (U+FFFD).
	for _, names := range [][]string{mf.Inputs, mf.Outputs} {
		for _, s := range names {
			if !utf8.ValidString(s) {
				return fmtlite.Errorf("column name %q is not valid UTF-8", s)
			}
		}
	}
	return nil
}

// tensorInfo is one tensor's header entry. The tags (which need no
// encoding/json here) let tests encode headers with it.
type tensorInfo struct {
	Dtype       string   `json:"dtype"`
	Shape       []int64  `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Decode reads a model file of size bytes from r. Every length in the
// file is checked against size before anything is allocated, so a truncated,
// corrupt or hostile file is an error, not a crash or a huge allocation.
// A format problem is a *FormatError.
func Decode(r io.Reader, size int64) (*File, error) {
	mf, err := decodeModel(r, size)
	if err != nil {
		return nil, &FormatError{Err: err}
	}
	return mf, nil
}

// FormatError reports data that is not a valid model file (or stats file,
// from DecodeStats and LoadStats): truncated, corrupt, over the limits
// (errors.Is finds ErrTooLarge) or of another format.
type FormatError struct {
	File string // the file's path ("" when read by Decode)
	Err  error  // what is wrong
	kind string // what the file should have been: "model file" when ""
}

func (e *FormatError) Error() string {
	what := e.kind
	if what == "" {
		what = "model file"
	}
	if e.File == "" {
		return "modelfile: not a valid edgefit " + what + ": " + e.Err.Error()
	}
	return "modelfile: " + e.File + ": not a valid edgefit " + what + ": " + e.Err.Error()
}

func (e *FormatError) Unwrap() error { return e.Err }

func decodeModel(r io.Reader, size int64) (*File, error) {
	var nb [8]byte
	if r == nil {
		return nil, errors.New("nil reader")
	}
	if err := checkModelSize(0, size); err != nil {
		return nil, err
	}
	if size < 8 {
		return nil, fmtlite.Errorf("%d bytes, too short for the 8-byte header length", size)
	}
	if _, err := io.ReadFull(r, nb[:]); err != nil {
		return nil, fmtlite.Errorf("reading the header length: %w", err)
	}
	hlen := binary.LittleEndian.Uint64(nb[:])
	if err := checkModelSize(hlen, size); err != nil {
		return nil, err
	}
	if int64(hlen) > size-8 {
		return nil, fmtlite.Errorf("header length %d does not fit the file's %d bytes", hlen, size)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, fmtlite.Errorf("reading the %d-byte header: %w", hlen, err)
	}
	raw, meta, err := parseHeader(h)
	if err != nil {
		return nil, fmtlite.Errorf("header is not JSON of a safetensors header's shape: %w", err)
	}
	src, err := modelSource(meta)
	if err != nil {
		return nil, err
	}
	dataSize := size - 8 - int64(hlen)
	if int64(int(dataSize)) != dataSize {
		return nil, fmtlite.Errorf("%d data bytes: too large for this platform", dataSize)
	}
	infos, err := tensorLayout(raw, dataSize)
	if err != nil {
		return nil, err
	}
	mf, err := modelShape(infos, src)
	if err != nil {
		return nil, err
	}
	// All sizes are now known to fit the file: read the data.
	data := make([]byte, dataSize)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmtlite.Errorf("reading %d data bytes: %w (file truncated?)", dataSize, err)
	}
	if src == SourceEdgefit {
		if want := meta["crc32"]; want != fmtlite.Sprintf("%08x", crc32.ChecksumIEEE(data)) {
			return nil, fmtlite.Errorf("CRC-32 of the data is %08x, the header says %q: the file is corrupt", crc32.ChecksumIEEE(data), want)
		}
	}
	if err := mf.fill(infos, data, meta); err != nil {
		return nil, err
	}
	if err := mf.Check(); err != nil {
		return nil, err
	}
	return mf, nil
}

// Load reads a model file; a file in the wrong format is a *FormatError.
func Load(path string) (*File, error) {
	// Checked before opening too: opening a FIFO blocks until a writer comes.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmtlite.Errorf("modelfile: %s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmtlite.Errorf("modelfile: %s: not a regular file", path)
	}
	mf, err := Decode(f, st.Size())
	if err != nil {
		err.(*FormatError).File = path
		return nil, err
	}
	return mf, nil
}

// Save writes mf to path atomically: into a temporary file in the same
// directory, flushed to disk, then renamed over path. A crash at any moment
// leaves either the previous file or the new one, never a mixture. A path
// that exists must be a regular file (or a link to one): a device, FIFO,
// socket or directory is refused rather than replaced.
func Save(path string, mf *File) error {
	return SaveIf(path, mf, nil)
}

// SaveIf is Save with a last word: once the temporary file is
// complete and on disk, it calls commit (if not nil) and puts the file in
// place only if commit returns nil; otherwise it removes the temporary file
// and returns commit's error. A command reports its results in commit, so
// that a failure to report (stdout on a full disk) leaves no model behind.
func SaveIf(path string, mf *File, commit func() error) error {
	return saveAtomic(path, mf.Encode, commit)
}

// saveAtomic writes a file with encode as SaveIf describes.
func saveAtomic(path string, encode func(io.Writer) error, commit func() error) (err error) {
	if err := CheckPath(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// Encoded straight into the file: no copy of the model in memory.
	bw := bufio.NewWriterSize(f, 64<<10)
	if err = encode(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if commit != nil {
		if err = commit(); err != nil {
			return err
		}
	}
	if err = CheckPath(path); err != nil { // replaced meanwhile?
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// The rename itself is durable only once the directory is flushed.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// CheckPath reports whether Save may write path: it either does
// not exist or is a regular file (following symbolic links).
func CheckPath(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmtlite.Errorf("modelfile: saving model: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmtlite.Errorf("modelfile: saving model: %s is %s, not a regular file: refusing to replace it", path, fileKind(st.Mode()))
	}
	return nil
}

// fileKind names the type of a file that is not a regular file.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}
