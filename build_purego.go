//go:build purego

package edgefit

const buildReason = "built with the purego tag"
