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
		enc, err := a.marshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var b QR
		if err := b.unmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		if enc2, _ := b.marshalBinary(); !bytes.Equal(enc, enc2) {
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
		d.unmarshalBinary(enc)
		c.Merge(&d)
		ea, _ := a.marshalBinary()
		eb, _ := b.marshalBinary()
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
	enc, err := a.marshalBinary()
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
	emptyEnc, _ := empty.marshalBinary()
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
		err := a.unmarshalBinary(enc)
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
	if err := a.unmarshalBinary(emptyEnc); err != nil {
		t.Errorf("an empty accumulator's state: %v", err)
	}
}

// FuzzQRUnmarshal decodes arbitrary bytes: no panic, and whatever decodes
// re-encodes to the same bytes, solves or errs, and merges.
func FuzzQRUnmarshal(f *testing.F) {
	f.Add(validQRState(f, true))
	f.Add(validQRState(f, false))
	e, _ := NewQR(2, 2, false)
	enc, _ := e.marshalBinary()
	f.Add(enc)
	f.Add([]byte("EFQR"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var a QR
		if err := a.unmarshalBinary(data); err != nil {
			return
		}
		enc, err := a.marshalBinary()
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
		if err := a.unmarshalBinary(enc); err == nil {
			t.Fatal("a truncated state decoded")
		}
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<16 {
		t.Errorf("refusing a truncated state 10 times allocated %d bytes", d)
	}
}

// sameState reports whether two states are equal bit for bit.
func sameState(a, b QRState) bool {
	if a.K != b.K || a.N != b.N || a.Intercept != b.Intercept || a.Count != b.Count {
		return false
	}
	x := [][]float64{a.Mean, a.MeanLo, a.M2, a.R}
	y := [][]float64{b.Mean, b.MeanLo, b.M2, b.R}
	for f := range x {
		if len(x[f]) != len(y[f]) {
			return false
		}
		for i := range x[f] {
			if math.Float64bits(x[f][i]) != math.Float64bits(y[f][i]) {
				return false
			}
		}
	}
	return true
}

// TestQRStateValues: State and NewQRFromState give back the same
// accumulator (the same state, the same binary form, the same bits after
// more rows), and State is a copy.
func TestQRStateValues(t *testing.T) {
	const m, k, n = 300, 5, 2
	X, Y := genLinear(23, m, k, n)
	for _, intercept := range []bool{true, false} {
		a, _ := NewQR(k, n, intercept)
		a.AddRows(m/2, X, k, Y, n)
		s := a.State()
		p := k + n
		if s.K != k || s.N != n || s.Intercept != intercept || s.Count != m/2 || len(s.R) != p*p || s.R[p+1] == 0 || s.R[p] != 0 {
			t.Fatalf("state: k %d, n %d, intercept %v, count %d, %d values of R", s.K, s.N, s.Intercept, s.Count, len(s.R))
		}
		if mean, m2 := a.Moments(); !sameState(QRState{Mean: mean, M2: m2}, QRState{Mean: s.Mean, M2: s.M2}) {
			t.Error("the state's means and sums of squares are not Moments'")
		}
		b, err := NewQRFromState(s)
		if err != nil {
			t.Fatal(err)
		}
		if !sameState(b.State(), s) {
			t.Error("NewQRFromState(s).State() differs from s")
		}
		ea, _ := a.marshalBinary()
		if eb, _ := b.marshalBinary(); !bytes.Equal(ea, eb) {
			t.Error("the rebuilt accumulator's binary form differs")
		}
		s.R[0], s.Mean[0] = 42, 42 // the accumulators keep their own copies
		a.AddRows(m/2, X[m/2*k:], k, Y[m/2*n:], n)
		b.AddRows(m/2, X[m/2*k:], k, Y[m/2*n:], n)
		if !sameState(a.State(), b.State()) {
			t.Error("adding rows to the rebuilt accumulator differs from adding them to the original")
		}
	}
}

func TestQRStateValuesStrict(t *testing.T) {
	a, _ := NewQR(3, 1, true)
	X, Y := genLinear(5, 20, 3, 1)
	a.AddRows(20, X, 3, Y, 1)
	bad := map[string]func(s *QRState){
		"k zero":            func(s *QRState) { s.K = 0 },
		"n zero":            func(s *QRState) { s.N = 0 },
		"k negative":        func(s *QRState) { s.K = -1 },
		"k huge":            func(s *QRState) { s.K = math.MaxInt },
		"k+n overflows":     func(s *QRState) { s.N = math.MaxInt - 1 },
		"k+n too large":     func(s *QRState) { s.K, s.N = maxQRCols, 1 },
		"other k":           func(s *QRState) { s.K = 4 },
		"count negative":    func(s *QRState) { s.Count = -1 },
		"short Mean":        func(s *QRState) { s.Mean = s.Mean[:3] },
		"long MeanLo":       func(s *QRState) { s.MeanLo = append(s.MeanLo, 0) },
		"nil M2":            func(s *QRState) { s.M2 = nil },
		"packed R":          func(s *QRState) { s.R = s.R[:10] },
		"NaN mean":          func(s *QRState) { s.Mean[1] = math.NaN() },
		"Inf MeanLo":        func(s *QRState) { s.MeanLo[0] = math.Inf(-1) },
		"Inf M2":            func(s *QRState) { s.M2[2] = math.Inf(1) },
		"NaN R":             func(s *QRState) { s.R[5] = math.NaN() },
		"below diagonal":    func(s *QRState) { s.R[4*2+1] = 1e-300 },
		"negative M2":       func(s *QRState) { s.M2[3] = -1e-300 },
		"mean not dd":       func(s *QRState) { s.MeanLo[1] = s.Mean[1] },
		"no rows, R":        func(s *QRState) { s.Count = 0; clear(s.Mean); clear(s.MeanLo); clear(s.M2) },
		"no rows, mean":     func(s *QRState) { s.Count = 0; clear(s.R); clear(s.M2) },
		"no rows, M2 only":  func(s *QRState) { s.Count = 0; clear(s.R); clear(s.Mean); clear(s.MeanLo) },
		"no rows, MeanLo":   func(s *QRState) { s.Count = 0; clear(s.R); clear(s.M2); clear(s.Mean); s.MeanLo[0] = 1 },
		"the zero QRState":  func(s *QRState) { *s = QRState{} },
		"a zero QR's state": func(s *QRState) { *s = new(QR).State() },
	}
	for name, f := range bad {
		s := a.State()
		f(&s)
		b, err := NewQRFromState(s)
		if err == nil || b != nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "regress: QR state: ") || strings.Count(err.Error(), "regress: ") != 1 {
			t.Errorf("%s: error %q, want one \"regress: QR state: \" prefix", name, err)
		}
	}
	e, _ := NewQR(3, 1, false)
	if _, err := NewQRFromState(e.State()); err != nil {
		t.Errorf("an empty accumulator's state: %v", err)
	}
}

// FuzzQRState rebuilds accumulators from arbitrary states: no panic, and
// whatever is accepted reads back as the same state, survives the binary
// form, adds rows, solves or errs, and merges. The bits of mess keep parts
// of a state valid (zero below the diagonal, normalised means, sums of
// squares ≥ 0) so that the fuzzer reaches the accepted states too, or make
// one slice's length wrong.
func FuzzQRState(f *testing.F) {
	for _, intercept := range []bool{true, false} {
		a, _ := NewQR(3, 1, intercept)
		X, Y := genLinear(5, 20, 3, 1)
		a.AddRows(20, X, 3, Y, 1)
		s := a.State()
		var raw []byte
		for _, v := range [][]float64{s.Mean, s.MeanLo, s.M2, s.R} {
			for _, x := range v {
				raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(x))
			}
		}
		f.Add(uint8(3), uint8(1), intercept, int64(20), uint8(0), raw)
		f.Add(uint8(3), uint8(1), intercept, int64(20), uint8(0x70), raw)
	}
	f.Add(uint8(2), uint8(2), false, int64(0), uint8(0), []byte{})
	f.Add(uint8(1), uint8(1), true, int64(math.MaxInt64), uint8(0x70), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, k, n uint8, intercept bool, count int64, mess uint8, raw []byte) {
		K, N := int(k%7), int(n%4)
		p := K + N
		next := func() float64 {
			if len(raw) < 8 {
				return 0
			}
			v := math.Float64frombits(binary.LittleEndian.Uint64(raw))
			raw = raw[8:]
			return v
		}
		s := QRState{K: K, N: N, Intercept: intercept, Count: count}
		fields := []*[]float64{&s.Mean, &s.MeanLo, &s.M2, &s.R}
		for f, dst := range fields {
			l := p
			if f == 3 {
				l = p * p
			}
			if int(mess&3) == f && mess&4 != 0 {
				l += 1 - int(mess&8)/4 // one more or one fewer
			}
			for i := 0; i < max(l, 0); i++ {
				*dst = append(*dst, next())
			}
		}
		if mess&0x10 == 0 && len(s.R) == p*p {
			for i := 0; i < p; i++ {
				clear(s.R[i*p : i*p+i])
			}
		}
		if mess&0x20 == 0 && len(s.MeanLo) == len(s.Mean) {
			for c := range s.Mean {
				s.Mean[c], s.MeanLo[c] = twoSum(s.Mean[c], s.MeanLo[c])
			}
		}
		if mess&0x40 == 0 {
			for c := range s.M2 {
				s.M2[c] = math.Abs(s.M2[c])
			}
		}
		a, err := NewQRFromState(s)
		if err != nil {
			return
		}
		for i := 0; i < p; i++ { // zeros below R's diagonal (checked) are +0 in a
			clear(s.R[i*p : i*p+i])
		}
		if !sameState(a.State(), s) {
			t.Fatal("State differs from the state given")
		}
		enc, _ := a.marshalBinary()
		var b QR
		if err := b.unmarshalBinary(enc); err != nil || !sameState(b.State(), s) {
			t.Fatalf("the binary form does not decode to the same state: %v", err)
		}
		a.Solve(0)
		a.Solve(1)
		c, _ := NewQR(K, N, intercept)
		c.AddRows(1, make([]float64, K), K, make([]float64, N), N)
		c.Merge(a)
		c.Solve(0)
		a.AddRows(1, make([]float64, K), K, make([]float64, N), N)
		a.Solve(0)
	})
}
