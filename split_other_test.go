//go:build !((amd64 || arm64 || arm || riscv64) && gc && !purego)

package edgefit

// simdPlans: no SIMD set, no prefetch plan.
func simdPlans() []prefetchPlan { return nil }
