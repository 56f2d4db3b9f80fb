package edgefit

//go:generate go run -C gen ./arm64 -out ../linalg_arm64.s -stubs ../linalg_arm64.go
