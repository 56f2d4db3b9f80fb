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

// A Trainer's model, loss and optimiser are NewTrainer's, read through
// methods: a field written after NewTrainer could disagree with the buffers
// sized for it.
func TestTrainerAccessors(t *testing.T) {
	m := must(NewLinear(3, 2, 1))
	opt := newSGD(t, 0.1)
	tr := must(NewTrainer(m, MSE, opt, 4))
	defer tr.Close()
	if tr.Model() != m || tr.Loss() != MSE || tr.Optimizer() != opt {
		t.Errorf("Model, Loss, Optimizer = %p, %v, %p; want NewTrainer's %p, %v, %p", tr.Model(), tr.Loss(), tr.Optimizer(), m, MSE, opt)
	}
}
