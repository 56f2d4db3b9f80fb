// Package codeshape holds only a test: it checks the shape rules of the
// developers' guide over the repository (no hand-written file over MaxFileLines
// lines, no function over MaxFuncLines lines).
package codeshape

// The limits the test enforces. Test files, generated files (whose first
// comment says "Code generated ... DO NOT EDIT.") and everything under gen/
// and testdata/ are exempt.
const (
	MaxFileLines = 400
	MaxFuncLines = 80
)
