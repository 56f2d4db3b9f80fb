//go:build riscv64 && gc && !purego

package edgefit

// simdPlans are the prefetch plans of this architecture's SIMD sets: none
// yet, the RVV set gathers with the Go kernel.
func simdPlans() []prefetchPlan { return nil }
