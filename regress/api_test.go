package regress

import (
	"reflect"
	"testing"

	"github.com/edgefit/edgefit/linalg"
)

// TestNoExportedBuffers: the types that own working buffers keep them
// unexported, so that a caller cannot hold or replace what they write (Online
// had X and Y, its 1-row views of the sample being learned).
func TestNoExportedBuffers(t *testing.T) {
	dense := reflect.TypeFor[linalg.Dense]()
	for _, v := range []any{Online{}, QR{}, QRRefinement{}, Metrics{}, sgd{}, adam{}, EarlyStop{}, Guard{}, Trainer{}} {
		typ := reflect.TypeOf(v)
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			switch k := f.Type.Kind(); {
			case !f.IsExported():
			case k == reflect.Slice || k == reflect.Pointer || k == reflect.Map || f.Type == dense:
				t.Errorf("%s.%s (%s) is exported", typ.Name(), f.Name, f.Type)
			}
		}
	}
}
