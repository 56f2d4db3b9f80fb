// Package linalg is the float32 dense-matrix layer between edgefit's kernels
// and its models.
//
// A Dense is a row-major rows×cols matrix stored in a flat slice with a row
// stride, the layout of the BLAS and of a contiguous torch.Tensor:
//
//	element (i, j) is Data[i*Stride+j]
//
// Row views (Row) and row ranges (Rows) share the parent's storage and cost no
// allocation, so a mini-batch that is a slice of a dataset is passed to the
// kernels without copying.
//
// The operations here (MatMulBias, SqErr, GradW, ColSums, Standardize) run on the root
// package's kernels, whichever implementation edgefit.Active chose, and
// differ from them only in their contract: the kernels panic on a shape
// mismatch because it is a caller's bug, while these functions return an
// error that names the operands and their shapes, because at this level the
// shapes usually come from user data.
package linalg
