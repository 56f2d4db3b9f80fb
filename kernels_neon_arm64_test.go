//go:build arm64 && gc && !purego

package edgefit

// simdPlans are the prefetch plans of this architecture's SIMD sets.
func simdPlans() []prefetchPlan { return []prefetchPlan{neonPlan} }

// simdTiles returns a SIMD set's widest panel of MatMulBias (columns of Y)
// and its tile of GradW (rows × columns of G).
func simdTiles(*Impl) (mmN, gwN, gwK int) {
	return matMulBiasTileN, gradWTileN, gradWTileK
}
