package fmtlite

import (
	"errors"
	"fmt"
	"io"
	"math"
	"testing"
)

// operands covers every operand type the package supports, with edge values.
func operands() []any {
	ops := []any{
		"", "abc", "tensor \"w\"\n", "naïve ☃", "\x00\x7f\xff", "\u2028<&>",
		io.EOF, fmt.Errorf("wrapped: %w", io.ErrUnexpectedEOF),
		[]int64{}, []int64{0}, []int64{2, 3}, []int64{-1, math.MaxInt64, math.MinInt64},
	}
	for _, v := range []int64{0, 1, -1, 7, 15, 16, 255, 256, 0xdc00, 0x10ffff, 1 << 31, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64} {
		ops = append(ops, int(v), int32(v), v, uint(v), uint8(v), uint32(v), uint64(v))
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1.0 / 3, 1e-5, 1e-4, 123456, 1e6, 1e20, 1e21, 1e-45,
		math.SmallestNonzeroFloat64, math.MaxFloat32, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN()} {
		ops = append(ops, v, float32(v))
	}
	return ops
}

// supported reports whether verb (with its flags) is documented for x.
func supported(verb string, x any) bool {
	last := verb[len(verb)-1]
	switch x.(type) {
	case string:
		return verb == "%s" || verb == "%v" || verb == "%q"
	case error:
		return verb == "%s" || verb == "%v"
	case []int64:
		return verb == "%v" || verb == "%d"
	case float32, float64:
		return verb == "%v" || last == 'f' && verb[1] != '0'
	}
	return last == 'd' || last == 'x' || verb == "%v" || verb == "%c"
}

// TestMatchesFmt compares every documented verb and operand with fmt.
func TestMatchesFmt(t *testing.T) {
	verbs := []string{"%d", "%x", "%c", "%s", "%v", "%q", "%f", "%.2f", "%.0f", "%08x", "%02x", "%04x", "%5d", "%05d", "%3x"}
	n := 0
	for _, x := range operands() {
		for _, verb := range verbs {
			if !supported(verb, x) {
				continue
			}
			format := "a " + verb + " b%%"
			want := fmt.Sprintf(format, x)
			if got := Sprintf(format, x); got != want {
				t.Errorf("Sprintf(%q, %T %#v) = %q, fmt gives %q", format, x, x, got, want)
			}
			if got := string(Appendf([]byte("p:"), format, x)); got != "p:"+want {
				t.Errorf("Appendf(%q, %T %#v) = %q, want %q", format, x, x, got, "p:"+want)
			}
			n++
		}
	}
	if n < 300 {
		t.Fatalf("only %d combinations compared", n)
	}
}

// TestBadFormats: what the package does not support is visible in the text,
// as fmt shows a bad verb, never silently dropped.
func TestBadFormats(t *testing.T) {
	for _, c := range []struct {
		format string
		a      []any
		want   string
	}{
		{"%d", []any{"s"}, "%!d(unsupported)"},
		{"%q", []any{1.5}, "%!q(unsupported)"},
		{"%v", []any{struct{}{}}, "%!v(unsupported)"},
		{"%x", []any{io.EOF}, "%!x(unsupported)"},
		{"%d %d", []any{1}, "1 %!d(MISSING)"},
		{"%d", []any{1, 2}, "1%!(EXTRA)"},
		{"%s", []any{nil}, "%!s(<nil>)"},
		{"%v", []any{nil}, "<nil>"},
		{"%w", []any{io.EOF}, "%!w(unsupported)"},
		{"50%", nil, "50%!(NOVERB)"},
	} {
		if got := Sprintf(c.format, c.a...); got != c.want {
			t.Errorf("Sprintf(%q, %v) = %q, want %q", c.format, c.a, got, c.want)
		}
	}
}

type posError struct{ off int }

func (e *posError) Error() string { return Sprintf("byte %d", e.off) }

func TestErrorf(t *testing.T) {
	inner := &posError{7}
	err := Errorf("reading %q: %w (file truncated?)", "m.st", inner)
	want := fmt.Errorf("reading %q: %w (file truncated?)", "m.st", inner)
	if err.Error() != want.Error() {
		t.Errorf("Errorf = %q, fmt gives %q", err, want)
	}
	var pe *posError
	if !errors.As(err, &pe) || pe != inner || errors.Unwrap(err) != error(inner) {
		t.Errorf("Errorf(%%w) does not unwrap to its operand")
	}
	if err := Errorf("no wrapping of %v", inner); errors.Unwrap(err) != nil || err.Error() != "no wrapping of byte 7" {
		t.Errorf("Errorf without %%w = %q unwrapping to %v", err, errors.Unwrap(err))
	}
	two := Errorf("%w and %w", io.EOF, inner)
	if !errors.Is(two, io.EOF) || !errors.As(two, &pe) || two.Error() != fmt.Errorf("%w and %w", io.EOF, inner).Error() {
		t.Errorf("Errorf with two %%w = %q", two)
	}
	if got, want := Errorf("%w", nil).Error(), fmt.Errorf("%w", nil).Error(); got != want {
		t.Errorf("Errorf(%%w, nil) = %q, fmt gives %q", got, want)
	}
}

// FuzzMatchesFmt compares the numeric and string verbs with fmt on
// arbitrary values.
func FuzzMatchesFmt(f *testing.F) {
	f.Add(int64(-3), uint64(0xdeadbeef), 1.5, "tensor \"w\"")
	f.Fuzz(func(t *testing.T, i int64, u uint64, x float64, s string) {
		for _, c := range []struct {
			format string
			a      []any
		}{
			{"%d/%v/%x/%05d/%08x", []any{i, i, i, i, i}},
			{"%d/%v/%x/%08x/%02x/%04x", []any{u, u, u, u, u, u}},
			{"%c %c", []any{int32(i), uint8(u)}},
			{"%v %.2f %f", []any{x, x, x}},
			{"%v %.2f", []any{float32(x), float32(x)}},
			{"%s %q %v", []any{s, s, s}},
			{"%v %d", []any{[]int64{i, int64(u)}, []int64{i}}},
		} {
			if got, want := Sprintf(c.format, c.a...), fmt.Sprintf(c.format, c.a...); got != want {
				t.Errorf("Sprintf(%q, %v) = %q, fmt gives %q", c.format, c.a, got, want)
			}
		}
	})
}
