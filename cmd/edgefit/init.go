package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// readInit reads starting weights for raw inputs: a JSON file in a PyTorch
// state_dict's names and layout, or a model file (its weight and bias,
// which apply to raw inputs), for the given input and output columns. b is
// nil when the file has no bias ("bias" absent or [] in JSON).
func readInit(path string, inputs, outputs []string) (W, b []float32, err error) {
	k, n := len(inputs), len(outputs)
	// Not a FIFO or a device: reading one could block or never end. And
	// no larger than the weights could take, so memory stays bounded.
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return nil, nil, fmt.Errorf("-init %s: not a regular file", path)
		}
		if limit := initLimit(k, n); st.Size() > limit {
			return nil, nil, fmt.Errorf("-init %s: %d bytes, more than %d weights can take (limit %d)", path, st.Size(), (k+1)*n, limit)
		}
	}
	data, err := readFileMax(path, "-init", initLimit(k, n))
	if err != nil {
		return nil, nil, err
	}
	if isModelFile(data) {
		return initFromModel(path, data, inputs, outputs)
	}
	var sd struct {
		Weight [][]float32 `json:"weight"`
		Bias   []float32   `json:"bias"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sd); err != nil {
		return nil, nil, fmt.Errorf(`-init %s: want {"weight": [[...]], "bias": [...]} or a model file: %v`, path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("-init %s: text after the JSON object, at byte %d", path, dec.InputOffset())
	}
	if len(sd.Weight) != n || (len(sd.Bias) != n && len(sd.Bias) != 0) {
		return nil, nil, fmt.Errorf("-init %s: %d weight rows and %d biases, want %d (one per target column; no bias: none)", path, len(sd.Weight), len(sd.Bias), n)
	}
	for j, r := range sd.Weight {
		if len(r) != k {
			return nil, nil, fmt.Errorf("-init %s: weight row %d has %d values, want %d (one per input column)", path, j, len(r), k)
		}
		W = append(W, r...)
	}
	if len(sd.Bias) == 0 {
		return W, nil, nil // no bias
	}
	return W, sd.Bias, nil
}

// isModelFile reports whether data looks like a model file rather than
// JSON: a safetensors file starts with its header's length (8 bytes, little
// endian), then the JSON header.
func isModelFile(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	return len(data) >= 9 && data[8] == '{' && (len(trimmed) == 0 || trimmed[0] != '{')
}

// initFromModel takes the starting weights from a model file, whose columns
// must be the data's, in the same order.
func initFromModel(path string, data []byte, inputs, outputs []string) (W, b []float32, err error) {
	mf, err := modelfile.Decode(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("-init %s: a model file, but %s", path, strings.TrimPrefix(err.Error(), "modelfile: "))
	}
	if mf.In != len(inputs) || mf.Out != len(outputs) {
		return nil, nil, fmt.Errorf("-init %s: a model of %d inputs and %d outputs, the data has %d and %d", path, mf.In, mf.Out, len(inputs), len(outputs))
	}
	for _, c := range []struct {
		kind         string
		model, given []string
	}{{"input", mf.Inputs, inputs}, {"output", mf.Outputs, outputs}} {
		for i := range c.model {
			if c.model[i] != c.given[i] {
				return nil, nil, fmt.Errorf("-init %s: the model's %s %d is %q, the data's is %q: train on the same columns, in the same order", path, c.kind, i+1, clip(c.model[i]), clip(c.given[i]))
			}
		}
	}
	return mf.W, mf.B, nil
}

// clip shortens a name quoted in an error to at most 60 bytes.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	return strings.ToValidUTF8(s[:57], "") + "..."
}

// initLimit bounds the size of an -init file for k inputs and n outputs: a
// model file of that shape, with room for column names, or JSON of up to 64
// characters per number, plus a megabyte for layout and names.
func initLimit(k, n int) int64 {
	return min(int64(k+1)*int64(n)*64+1<<20, modelfile.MaxFile)
}
