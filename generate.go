//go:generate go run -C gen ./amd64 -out ../linalg_amd64.s -stubs ../linalg_amd64.go -consts ../linalg_consts_amd64.go -pkg edgefit
//go:generate go run -C gen ./arm64 -out ../linalg_arm64.s -stubs ../linalg_arm64.go -consts ../linalg_consts_arm64.go
//go:generate go run -C gen ./arm -out ../linalg_arm.s -stubs ../linalg_arm.go -consts ../linalg_consts_arm.go
//go:generate go run -C gen ./riscv64 -out ../linalg_riscv64.s -stubs ../linalg_riscv64.go -consts ../linalg_consts_riscv64.go

package edgefit
