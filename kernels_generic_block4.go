//go:build arm64 || riscv64 || loong64

package edgefit

// genericBlock is the side of the blocks of the Go MatMulBias and GradW
// (kernels_block.go): 4×4, whose sixteen accumulators and eight operands fit
// the 32 floating-point registers of these architectures.
const genericBlock = 4
