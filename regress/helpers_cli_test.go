package regress

import (
	"context"
	"testing"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

var ctxBg = context.Background()

func cropLoader(t *testing.T, X, Y []float32) (*data.Dataset, *data.Loader) {
	t.Helper()
	xd, _ := linalg.FromSlice(len(X)/3, 3, X)
	yd, _ := linalg.FromSlice(len(Y)/2, 2, Y)
	ds, err := data.NewDataset(xd, yd)
	if err != nil {
		t.Fatal(err)
	}
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 5, Shuffle: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return ds, l
}
