//go:build !(arm64 || riscv64 || loong64)

package edgefit

// genericBlock is the side of the blocks of the Go MatMulBias and GradW
// (kernels_block.go): 2×2, whose four accumulators and four operands fit the
// 16 floating-point registers of amd64 and arm (and nearly 386's 8), where
// 4×4 blocks would spill.
const genericBlock = 2
