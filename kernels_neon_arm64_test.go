//go:build arm64 && gc && !purego

package edgefit

// simdPlans are the prefetch plans of this architecture's SIMD sets.
func simdPlans() []prefetchPlan { return []prefetchPlan{neonPlan} }
