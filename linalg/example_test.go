package linalg_test

import (
	"fmt"
	"log"

	"github.com/edgefit/edgefit/linalg"
)

// x @ w.t() + b, the forward pass of nn.Linear(3, 2), on two of the
// tutorial's rows.
func ExampleMatMulBias() {
	X, _ := linalg.FromRows([][]float32{{73, 67, 43}, {91, 88, 64}})
	W, _ := linalg.FromRows([][]float32{{0.5, 0.25, 0}, {0, 0.5, 1}}) // 2 outputs × 3 inputs
	b := []float32{1, -1}
	Y, _ := linalg.New(2, 2)
	if err := linalg.MatMulBias(Y, X, W, b); err != nil {
		log.Fatal(err)
	}
	fmt.Println(Y.Row(0), Y.Row(1))

	// Shapes that do not fit are an error, not a panic.
	err := linalg.MatMulBias(Y, X, W.Slice(0, 1), b)
	fmt.Println(err)
	// Output:
	// [54.25 75.5] [68.5 107]
	// linalg: MatMulBias: Y is 2×2, want 2×1 (rows of X × rows of W)
}

// A flat slice becomes a matrix without a copy, and a range of rows (a
// mini-batch, x[2:4] in Python) is a view of it, also without a copy.
func ExampleDense_Slice() {
	data := []float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
		10, 11, 12,
	}
	X, err := linalg.FromSlice(4, 3, data)
	if err != nil {
		log.Fatal(err)
	}
	batch := X.Slice(2, 4)
	fmt.Println(batch.Rows, batch.Row(0), batch.Row(1))
	batch.Set(0, 0, 70) // writes through to data
	fmt.Println(data[6])
	// Output:
	// 2 [7 8 9] [10 11 12]
	// 70
}
