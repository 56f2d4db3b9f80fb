package modelfile

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/edgefit/edgefit/internal/fmtlite"
)

// A strict reader of the safetensors header's fixed shape, so that a program
// that only loads and predicts needs no encoding/json (and the reflection and
// time parsing it brings). The header is one JSON object (RFC 8259) whose
// members are "__metadata__", an object of strings, and tensor entries
//
//	{"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
//
// It is stricter than encoding/json in these ways, each deliberate:
//   - a duplicate key, at any level, is refused (encoding/json keeps the last);
//   - a tensor entry has exactly the keys dtype, shape and data_offsets,
//     spelt exactly (encoding/json matches keys ignoring case, ignores
//     unknown ones and leaves missing ones zero);
//   - data_offsets has exactly two numbers;
//   - null is refused where an object, array or string belongs;
//   - numbers are non-negative integers without sign, fraction or exponent
//     ("-0" is refused);
//   - a string must be valid UTF-8 with no lone surrogate escape
//     (encoding/json replaces either with U+FFFD).
// Nothing nests deeper than the fixed shape, so nesting is bounded by it.

// headerError is a header the reader refuses; strict marks a header that
// encoding/json would have read (one of the deliberate cases above).
type headerError struct {
	off    int
	msg    string
	strict bool
}

func (e *headerError) Error() string {
	return fmtlite.Sprintf("header byte %d: %s", e.off, e.msg)
}

type hparser struct {
	b []byte
	i int
}

func (p *hparser) fail(msg string, a ...any) error {
	return &headerError{off: p.i, msg: fmtlite.Sprintf(msg, a...)}
}

func (p *hparser) strictFail(msg string, a ...any) error {
	return &headerError{off: p.i, msg: fmtlite.Sprintf(msg, a...), strict: true}
}

func (p *hparser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (p *hparser) peek() byte {
	p.ws()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *hparser) expect(c byte, what string) error {
	switch p.peek() {
	case c:
		p.i++
		return nil
	case 'n':
		if len(p.b)-p.i >= 4 && string(p.b[p.i:p.i+4]) == "null" {
			return p.strictFail("null, want %s", what)
		}
	}
	return p.fail("want %s", what)
}

// sep reads the ',' or the closing byte after a member or element; it
// reports whether the closing byte came.
func (p *hparser) sep(end byte) (bool, error) {
	switch p.peek() {
	case ',':
		p.i++
		return false, nil
	case end:
		p.i++
		return true, nil
	}
	return false, p.fail("want ',' or '%c'", end)
}

// object reads an object, calling member for each key after its ':'.
// Duplicate keys are refused.
func (p *hparser) object(what string, member func(key string) error) error {
	if err := p.expect('{', "'{' opening "+what); err != nil {
		return err
	}
	if p.peek() == '}' {
		p.i++
		return nil
	}
	seen := map[string]bool{}
	for {
		at := p.i
		if p.peek() != '"' {
			return p.fail("want a key in %s", what)
		}
		key, err := p.str("a key")
		if err != nil {
			return err
		}
		if seen[key] {
			p.i = at
			return p.strictFail("key %q twice in %s", key, what)
		}
		seen[key] = true
		if err := p.expect(':', "':'"); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		if end, err := p.sep('}'); err != nil || end {
			return err
		}
	}
}

// array reads an array, calling elem for each element.
func (p *hparser) array(what string, elem func() error) error {
	if err := p.expect('[', "'[' opening "+what); err != nil {
		return err
	}
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if end, err := p.sep(']'); err != nil || end {
			return err
		}
	}
}

// str reads a string: RFC 8259 escapes, \u surrogate pairs, valid UTF-8.
func (p *hparser) str(what string) (string, error) {
	if err := p.expect('"', what+" (a string)"); err != nil {
		return "", err
	}
	var out []byte
	for {
		if p.i >= len(p.b) {
			return "", p.fail("unterminated string")
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < 0x20:
			return "", p.fail("control byte 0x%02x in a string", c)
		case c == '\\':
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			out = utf8.AppendRune(out, r)
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.i++
		default:
			r, n := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && n == 1 {
				return "", p.strictFail("invalid UTF-8 in a string")
			}
			out = append(out, p.b[p.i:p.i+n]...)
			p.i += n
		}
	}
}

// escape reads one escape at p.i (the backslash), a surrogate pair whole.
func (p *hparser) escape() (rune, error) {
	if p.i+1 >= len(p.b) {
		return 0, p.fail("unterminated escape")
	}
	c := p.b[p.i+1]
	if c != 'u' {
		r, ok := map[byte]rune{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}[c]
		if !ok {
			return 0, p.fail("invalid escape \\%c", c)
		}
		p.i += 2
		return r, nil
	}
	r, err := p.hex4()
	if err != nil {
		return 0, err
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if r < 0xdc00 && p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
		at := p.i
		r2, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
			return d, nil
		}
		p.i = at
	}
	return 0, p.strictFail("lone surrogate \\u%04x in a string", r)
}

// hex4 reads \uXXXX at p.i.
func (p *hparser) hex4() (rune, error) {
	if len(p.b)-p.i < 6 {
		return 0, p.fail("short \\u escape")
	}
	var r rune
	for _, c := range p.b[p.i+2 : p.i+6] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, p.fail("invalid \\u escape")
		}
	}
	p.i += 6
	return r, nil
}

// uint reads a non-negative integer that fits an int64.
func (p *hparser) uint(what string) (int64, error) {
	c := p.peek()
	start := p.i
	if c < '0' || c > '9' {
		if c == '-' {
			return 0, p.strictFail("negative number, want %s", what)
		}
		if c == 'n' {
			return 0, p.expect('0', what) // null: strict
		}
		return 0, p.fail("want %s", what)
	}
	var v int64
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		if p.i > start && p.b[start] == '0' {
			return 0, p.fail("number with a leading zero")
		}
		d := int64(p.b[p.i] - '0')
		if v > (1<<63-1-d)/10 {
			return 0, p.fail("number over 2^63-1")
		}
		v = v*10 + d
		p.i++
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case '.', 'e', 'E':
			return 0, p.fail("%s with a fraction or exponent, want an integer", what)
		}
	}
	return v, nil
}

// tensor reads one tensor entry.
func (p *hparser) tensor(name string) (tensorInfo, error) {
	var ti tensorInfo
	n := 0
	err := p.object(fmtlite.Sprintf("tensor %q", name), func(key string) error {
		var err error
		switch key {
		case "dtype":
			ti.Dtype, err = p.str("a dtype string")
		case "shape":
			ti.Shape = []int64{}
			err = p.array("a shape array", func() error {
				d, err := p.uint("a dimension")
				ti.Shape = append(ti.Shape, d)
				return err
			})
		case "data_offsets":
			k := 0
			err = p.array("a data_offsets array", func() error {
				if k == 2 {
					return p.strictFail("more than two data_offsets")
				}
				d, err := p.uint("an offset")
				ti.DataOffsets[k] = d
				k++
				return err
			})
			if err == nil && k != 2 {
				err = p.strictFail("%d data_offsets, want two", k)
			}
		default:
			return p.strictFail("tensor %q has key %q: want only dtype, shape and data_offsets", name, key)
		}
		n++
		return err
	})
	if err == nil && n != 3 {
		err = p.strictFail("tensor %q: want dtype, shape and data_offsets", name)
	}
	return ti, err
}

// parseHeader reads a header: its tensors by name and its metadata (nil when
// absent). Trailing white space (the padding) is allowed, nothing else.
func parseHeader(h []byte) (map[string]tensorInfo, map[string]string, error) {
	p := &hparser{b: h}
	infos := map[string]tensorInfo{}
	var meta map[string]string
	err := p.object("the header", func(key string) error {
		if key == "__metadata__" {
			meta = map[string]string{}
			return p.object("__metadata__", func(k string) error {
				v, err := p.str(fmtlite.Sprintf("a string for metadata %q", k))
				meta[k] = v
				return err
			})
		}
		ti, err := p.tensor(key)
		infos[key] = ti
		return err
	})
	if p.ws(); err == nil && p.i != len(p.b) {
		err = p.fail("data after the header's object")
	}
	if err != nil {
		return nil, nil, err
	}
	return infos, meta, nil
}

// parseNames reads a metadata value holding a JSON array of strings.
func parseNames(s string) ([]string, error) {
	p := &hparser{b: []byte(s)}
	names := []string{}
	err := p.array("an array of strings", func() error {
		v, err := p.str("a string")
		names = append(names, v)
		return err
	})
	if p.ws(); err == nil && p.i != len(p.b) {
		err = p.fail("data after the array")
	}
	return names, err
}
