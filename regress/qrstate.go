package regress

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The binary form of a QR, little-endian:
//
//	"EFQR", version uint16 (1), flags uint16 (bit 0: intercept),
//	k uint32, n uint32, count uint64,
//	then float64s: mean[k+n], meanLo[k+n] (the means as double-double),
//	m2[k+n], and R's upper triangle row by row, (k+n)(k+n+1)/2 values.
//
// It is everything a QR holds between calls, so a decoded accumulator
// resumes adding rows or merges exactly as the original would.
const (
	qrMagic     = "EFQR"
	qrVersion   = 1
	qrHeaderLen = 4 + 2 + 2 + 4 + 4 + 8
)

// marshalBinary encodes the accumulator's state.
func (a *QR) marshalBinary() ([]byte, error) {
	p := a.k + a.n
	out := make([]byte, qrHeaderLen, qrHeaderLen+8*(3*p+p*(p+1)/2))
	copy(out, qrMagic)
	binary.LittleEndian.PutUint16(out[4:], qrVersion)
	var flags uint16
	if a.intercept {
		flags = 1
	}
	binary.LittleEndian.PutUint16(out[6:], flags)
	binary.LittleEndian.PutUint32(out[8:], uint32(a.k))
	binary.LittleEndian.PutUint32(out[12:], uint32(a.n))
	binary.LittleEndian.PutUint64(out[16:], uint64(a.count))
	for _, v := range [][]float64{a.mean, a.meanLo, a.m2} {
		for _, x := range v {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(x))
		}
	}
	for i := 0; i < p; i++ {
		for _, x := range a.r[i*p+i : i*p+p] {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(x))
		}
	}
	return out, nil
}

// unmarshalBinary replaces a with a state marshalBinary encoded, checked as
// NewQRFromState checks; on error a is unchanged.
func (a *QR) unmarshalBinary(data []byte) error {
	if len(data) < qrHeaderLen || string(data[:4]) != qrMagic {
		return errors.New("regress: QR state: not an edgefit QR state")
	}
	if v := binary.LittleEndian.Uint16(data[4:]); v != qrVersion {
		return fmt.Errorf("regress: QR state: version %d, want %d", v, qrVersion)
	}
	flags := binary.LittleEndian.Uint16(data[6:])
	if flags&^1 != 0 {
		return fmt.Errorf("regress: QR state: unknown flags %#x", flags)
	}
	k64, n64 := uint64(binary.LittleEndian.Uint32(data[8:])), uint64(binary.LittleEndian.Uint32(data[12:]))
	if k64 < 1 || n64 < 1 || k64+n64 > maxQRCols {
		return fmt.Errorf("regress: QR state: %d inputs and %d targets, want k ≥ 1, n ≥ 1, k+n ≤ %d", k64, n64, maxQRCols)
	}
	count := binary.LittleEndian.Uint64(data[16:])
	if count > math.MaxInt64 {
		return fmt.Errorf("regress: QR state: row count %d out of range", count)
	}
	p := int(k64 + n64)
	nv := 3*p + p*(p+1)/2
	if len(data) != qrHeaderLen+8*nv {
		return fmt.Errorf("regress: QR state: %d bytes, want %d for %d inputs and %d targets", len(data), qrHeaderLen+8*nv, k64, n64)
	}
	next := func() float64 {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data[qrHeaderLen:]))
		data = data[8:]
		return v
	}
	s := QRState{K: int(k64), N: int(n64), Intercept: flags&1 != 0, Count: int64(count),
		Mean: make([]float64, p), MeanLo: make([]float64, p), M2: make([]float64, p), R: make([]float64, p*p)}
	for _, v := range [][]float64{s.Mean, s.MeanLo, s.M2} {
		for c := range v {
			v[c] = next()
		}
	}
	for i := 0; i < p; i++ {
		for c := i; c < p; c++ {
			s.R[i*p+c] = next()
		}
	}
	b, err := NewQRFromState(s)
	if err != nil {
		return err
	}
	*a = *b
	return nil
}

// QRState is a QR's state as plain values: columns K inputs, then N targets.
type QRState struct {
	K, N         int
	Intercept    bool
	Count        int64     // rows accumulated
	Mean, MeanLo []float64 // p: the means, double-double Mean[c] + MeanLo[c]
	M2           []float64 // p: centred sums of squares Σ (v − mean)²
	R            []float64 // p×p row-major, upper triangular: RᵀR = [X Y]'s scatter
}

// State returns a copy of the accumulator's state.
func (a *QR) State() QRState {
	return QRState{K: a.k, N: a.n, Intercept: a.intercept, Count: a.count,
		Mean: append([]float64(nil), a.mean...), MeanLo: append([]float64(nil), a.meanLo...),
		M2: append([]float64(nil), a.m2...), R: append([]float64(nil), a.r...)}
}

// NewQRFromState returns a QR of a copy of s, refusing invalid states.
func NewQRFromState(s QRState) (*QR, error) {
	if s.K < 1 || s.N < 1 || s.K > maxQRCols || s.N > maxQRCols-s.K {
		return nil, fmt.Errorf("regress: QR state: %d inputs and %d targets, want k ≥ 1, n ≥ 1, k+n ≤ %d", s.K, s.N, maxQRCols)
	}
	if s.Count < 0 {
		return nil, fmt.Errorf("regress: QR state: row count %d", s.Count)
	}
	p := s.K + s.N
	if len(s.Mean) != p || len(s.MeanLo) != p || len(s.M2) != p || len(s.R) != p*p {
		return nil, fmt.Errorf("regress: QR state: %d, %d and %d means and sums of squares and %d values of R, want %d, %d, %d and %d×%d for %d inputs and %d targets",
			len(s.Mean), len(s.MeanLo), len(s.M2), len(s.R), p, p, p, p, p, s.K, s.N)
	}
	if err := checkQRState(s, p); err != nil {
		return nil, err
	}
	a, _ := NewQR(s.K, s.N, s.Intercept)
	a.count = s.Count
	copy(a.mean, s.Mean)
	copy(a.meanLo, s.MeanLo)
	copy(a.m2, s.M2)
	for i := 0; i < p; i++ { // the upper triangle: a -0 below stays out
		copy(a.r[i*p+i:i*p+p], s.R[i*p+i:i*p+p])
	}
	return a, nil
}

// checkQRState checks the values of a state whose sizes are right.
func checkQRState(s QRState, p int) error {
	for f, v := range [][]float64{s.Mean, s.MeanLo, s.M2, s.R} {
		for i, x := range v {
			if x-x != 0 {
				return fmt.Errorf("regress: QR state: %s[%d] is %v, want a finite number", [...]string{"Mean", "MeanLo", "M2", "R"}[f], i, x)
			}
		}
	}
	for c := 0; c < p; c++ {
		hi, lo := s.Mean[c], s.MeanLo[c]
		if hi+lo != hi {
			return fmt.Errorf("regress: QR state: mean %d is not a normalised double-double (%v, %v)", c, hi, lo)
		}
		if s.M2[c] < 0 {
			return fmt.Errorf("regress: QR state: sum of squares %d is negative", c)
		}
		for i := c + 1; i < p; i++ {
			if s.R[i*p+c] != 0 {
				return fmt.Errorf("regress: QR state: R[%d][%d] is %v below the diagonal, want 0", i, c, s.R[i*p+c])
			}
		}
	}
	if s.Count == 0 {
		for _, v := range [][]float64{s.Mean, s.MeanLo, s.M2, s.R} {
			for _, x := range v {
				if x != 0 {
					return errors.New("regress: QR state: no rows but non-zero statistics")
				}
			}
		}
	}
	return nil
}
