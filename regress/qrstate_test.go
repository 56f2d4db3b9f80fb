package regress

import (
	"bytes"
	"encoding/binary"
	"math"
	"runtime"
	"strings"
	"testing"
)

// TestQRStateRoundTrip checks that a decoded state is the same accumulator:
// it re-encodes to the same bytes, and adding the same rows to it or merging
// it gives bit for bit what the original gives.
func TestQRStateRoundTrip(t *testing.T) {
	const m, k, n = 500, 6, 2
	X, Y := genLinear(21, m, k, n)
	for _, intercept := range []bool{true, false} {
		a, _ := NewQR(k, n, intercept)
		a.AddRows(m/2, X, k, Y, n)
		enc, err := a.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var b QR
		if err := b.UnmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		if enc2, _ := b.MarshalBinary(); !bytes.Equal(enc, enc2) {
			t.Fatal("re-encoded state differs")
		}
		if b.K() != k || b.N() != n || b.Intercept() != intercept || b.Count() != m/2 {
			t.Fatalf("decoded k %d, n %d, intercept %v, count %d", b.K(), b.N(), b.Intercept(), b.Count())
		}
		a.AddRows(m/2, X[m/2*k:], k, Y[m/2*n:], n)
		b.AddRows(m/2, X[m/2*k:], k, Y[m/2*n:], n)
		c, _ := NewQR(k, n, intercept)
		c.AddRows(m/2, X[m/2*k:], k, Y[m/2*n:], n)
		var d QR
		d.UnmarshalBinary(enc)
		c.Merge(&d)
		ea, _ := a.MarshalBinary()
		eb, _ := b.MarshalBinary()
		if !bytes.Equal(ea, eb) {
			t.Error("adding rows to the decoded state differs from adding them to the original")
		}
		sa, err := a.Solve(0)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := c.Solve(0)
		if err != nil {
			t.Fatal(err)
		}
		if l := coefLRE(sc, sa); !(l >= 12) {
			t.Errorf("merging a decoded state: LRE %.2f against adding the rows, want ≥ 12", l)
		}
	}
}

func validQRState(t testing.TB, intercept bool) []byte {
	a, _ := NewQR(3, 1, intercept)
	X, Y := genLinear(5, 20, 3, 1)
	a.AddRows(20, X, 3, Y, 1)
	enc, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestQRStateStrict(t *testing.T) {
	good := validQRState(t, true)
	put := func(off int, f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b[off:])
		return b
	}
	setF := func(i int, v float64) []byte {
		return put(qrHeaderLen+8*i, func(b []byte) { binary.LittleEndian.PutUint64(b, math.Float64bits(v)) })
	}
	p := 4
	empty, _ := NewQR(3, 1, true)
	emptyEnc, _ := empty.MarshalBinary()
	cases := map[string][]byte{
		"empty":          nil,
		"short header":   good[:10],
		"magic":          put(0, func(b []byte) { b[0] = 'X' }),
		"version":        put(4, func(b []byte) { b[0] = 2 }),
		"flags":          put(6, func(b []byte) { b[0] = 2 }),
		"k zero":         put(8, func(b []byte) { binary.LittleEndian.PutUint32(b, 0) }),
		"n zero":         put(12, func(b []byte) { binary.LittleEndian.PutUint32(b, 0) }),
		"absurd k":       put(8, func(b []byte) { binary.LittleEndian.PutUint32(b, math.MaxUint32) }),
		"count":          put(16, func(b []byte) { binary.LittleEndian.PutUint64(b, math.MaxUint64) }),
		"truncated":      good[:len(good)-1],
		"trailing":       append(append([]byte(nil), good...), 0),
		"NaN":            setF(3*p+1, math.NaN()),
		"Inf mean":       setF(0, math.Inf(1)),
		"negative m2":    setF(2*p, -1),
		"mean not dd":    setF(p, 1e300),
		"rows none":      put(16, func(b []byte) { binary.LittleEndian.PutUint64(b, 0) }),
		"stats, no rows": append(append([]byte(nil), emptyEnc[:len(emptyEnc)-8]...), 0, 0, 0, 0, 0, 0, 0xf0, 0x3f),
	}
	for name, enc := range cases {
		var a QR
		orig := a
		err := a.UnmarshalBinary(enc)
		if err == nil {
			t.Errorf("%s: decoded without error", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "regress: ") || strings.Count(err.Error(), "regress: ") != 1 {
			t.Errorf("%s: error %q, want one \"regress: \" prefix", name, err)
		}
		if a.k != orig.k || a.r != nil {
			t.Errorf("%s: the accumulator changed on error", name)
		}
	}
	var a QR
	if err := a.UnmarshalBinary(emptyEnc); err != nil {
		t.Errorf("an empty accumulator's state: %v", err)
	}
}

// FuzzQRUnmarshal decodes arbitrary bytes: no panic, and whatever decodes
// re-encodes to the same bytes, solves or errs, and merges.
func FuzzQRUnmarshal(f *testing.F) {
	f.Add(validQRState(f, true))
	f.Add(validQRState(f, false))
	e, _ := NewQR(2, 2, false)
	enc, _ := e.MarshalBinary()
	f.Add(enc)
	f.Add([]byte("EFQR"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var a QR
		if err := a.UnmarshalBinary(data); err != nil {
			return
		}
		enc, err := a.MarshalBinary()
		if err != nil || !bytes.Equal(enc, data) {
			t.Fatalf("re-encoding differs: %v", err)
		}
		a.Solve(0)
		a.Solve(1)
		b, _ := NewQR(a.K(), a.N(), a.Intercept())
		b.AddRows(1, make([]float64, a.K()), a.K(), make([]float64, a.N()), a.N())
		b.Merge(&a)
		b.Solve(0)
	})
}

// TestQRStateBoundedAllocation: a header claiming the largest shape, with
// no data behind it, is refused before anything of that size is allocated.
func TestQRStateBoundedAllocation(t *testing.T) {
	enc := validQRState(t, true)[:qrHeaderLen]
	binary.LittleEndian.PutUint32(enc[8:], maxQRCols-1)
	binary.LittleEndian.PutUint32(enc[12:], 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var a QR
	for i := 0; i < 10; i++ {
		if err := a.UnmarshalBinary(enc); err == nil {
			t.Fatal("a truncated state decoded")
		}
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<16 {
		t.Errorf("refusing a truncated state 10 times allocated %d bytes", d)
	}
}
