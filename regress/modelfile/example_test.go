package modelfile_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// A model file written and read back.
func ExampleSave() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "crops.safetensors")
	mf := &modelfile.File{
		Inputs: []string{"temp", "rainfall", "humidity"}, Outputs: []string{"apples"},
		In: 3, Out: 1,
		W: []float32{-0.4, 0.85, 0.69}, B: []float32{0.5},
		Mean: []float32{0, 0, 0}, Scale: []float32{1, 1, 1},
	}
	if err := modelfile.Save(path, mf); err != nil {
		fmt.Println(err)
		return
	}
	got, err := modelfile.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	y := make([]float32, 1)
	got.Predict(y, []float32{75, 63, 44})
	fmt.Printf("%s from %v: %.2f\n", got.Outputs[0], got.Inputs, y[0])
	// Output:
	// apples from [temp rainfall humidity]: 54.41
}
