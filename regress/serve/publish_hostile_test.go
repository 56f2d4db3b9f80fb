package serve

import (
	"bytes"
	"testing"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// File and Publish refuse a model whose names do not fit it or are not
// UTF-8; a model they accept encodes to a file that decodes to it.
func TestHostilePublishNames(t *testing.T) {
	base, err := regress.NewLinearFrom([][]float32{{1, 2}}, []float32{3})
	if err != nil {
		t.Fatal(err)
	}
	base.Std = &regress.Standardizer{Mean: []float32{1, -1}, Scale: []float32{2, 4}}
	mf, err := base.File()
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(mf, Options{AllowChange: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, names := range map[string][2][]string{
		"one input name":       {{"a"}, nil},
		"three input names":    {{"a", "b", "c"}, nil},
		"two output names":     {nil, {"y", "z"}},
		"invalid UTF-8 input":  {{"a", "b\xff"}, nil},
		"invalid UTF-8 output": {nil, {"\xc3"}},
	} {
		m := base.Clone()
		m.Inputs, m.Outputs = names[0], names[1]
		if f, err := m.File(); err == nil {
			var b bytes.Buffer
			werr := f.Encode(&b)
			_, derr := modelfile.Decode(&b, int64(b.Len()))
			t.Errorf("%s: File: no error (encode %v, decode %v)", name, werr, derr)
		}
		if err := p.Publish(m); err == nil {
			t.Errorf("%s: Publish: no error", name)
		}
	}
}
