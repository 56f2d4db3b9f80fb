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

// MarshalBinary encodes the accumulator's state (see UnmarshalBinary).
func (a *QR) MarshalBinary() ([]byte, error) {
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

// UnmarshalBinary replaces the accumulator with the state MarshalBinary
// encoded. It is strict: wrong magic or version, unknown flags, sizes out of
// range or not matching the length, non-finite values, negative sums of
// squares, means not in double-double form, or a non-empty state with no rows
// are errors, and the accumulator is left unchanged. It checks the sizes
// before allocating anything.
func (a *QR) UnmarshalBinary(data []byte) error {
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
	vals := make([]float64, nv)
	for i := range vals {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data[qrHeaderLen+8*i:]))
		if v-v != 0 {
			return fmt.Errorf("regress: QR state: value %d is %v, want a finite number", i, v)
		}
		vals[i] = v
	}
	if err := checkQRState(vals, p, count); err != nil {
		return err
	}
	b, _ := NewQR(int(k64), int(n64), flags&1 != 0)
	copy(b.mean, vals[:p])
	copy(b.meanLo, vals[p:2*p])
	copy(b.m2, vals[2*p:3*p])
	tri := vals[3*p:]
	for i := 0; i < p; i++ {
		copy(b.r[i*p+i:i*p+p], tri[:p-i])
		tri = tri[p-i:]
	}
	b.count = int64(count)
	*a = *b
	return nil
}

// checkQRState checks the decoded values' invariants: sums of squares ≥ 0,
// means in normalised double-double form, and all zero without rows.
func checkQRState(vals []float64, p int, count uint64) error {
	for c := 0; c < p; c++ {
		hi, lo := vals[c], vals[p+c]
		if hi+lo != hi {
			return fmt.Errorf("regress: QR state: mean %d is not a normalised double-double (%v, %v)", c, hi, lo)
		}
		if vals[2*p+c] < 0 {
			return fmt.Errorf("regress: QR state: sum of squares %d is negative", c)
		}
	}
	if count == 0 {
		for _, v := range vals {
			if v != 0 {
				return errors.New("regress: QR state: no rows but non-zero statistics")
			}
		}
	}
	return nil
}
