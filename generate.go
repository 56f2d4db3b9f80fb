//go:generate go run -C gen ./amd64 -out ../linalg_amd64.s -stubs ../linalg_amd64.go -pkg edgefit

package edgefit
