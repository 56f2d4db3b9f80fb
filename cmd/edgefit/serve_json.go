package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// The JSON body of POST /predict has one shape,
//
//	{"rows": [[x1, …, xk], …]}   or   {"rows": [{"x1": v, …, "xk": v}, …]}
//
// (rows as arrays of the k inputs in order, or as objects keyed by every
// input name; the two may mix). It is read by this small strict parser, not
// encoding/json's reflection, as it is on every request: what it accepts,
// encoding/json reads as the same numbers (FuzzJSONRows).

// reqError is a request refused: the HTTP status and the message.
type reqError struct {
	code int
	msg  string
}

func (e *reqError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &reqError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

// jsonRows parses a JSON body into x, k values a row.
type jsonRows struct {
	b       []byte
	i       int
	k       int
	names   map[string]int // input name → position (nil: the inputs are unnamed)
	maxRows int
	x       []float32
	rows    int
	seen    []int // seen[p] = the row (1-based) in which input p was given
}

func (p *jsonRows) parse() error {
	p.x, p.rows = p.x[:0], 0
	if cap(p.seen) < p.k {
		p.seen = make([]int, p.k)
	}
	p.seen = p.seen[:p.k]
	clear(p.seen)
	if err := p.expect('{'); err != nil {
		return err
	}
	key, err := p.key()
	if err != nil {
		return err
	}
	if string(key) != "rows" {
		return badRequest("JSON body: the key %s is not \"rows\": want {\"rows\": [[x1, …], …]}", clipArg(string(key)))
	}
	if err := p.expect('['); err != nil {
		return err
	}
	if p.peek() == ']' {
		return badRequest("JSON body: no rows")
	}
	for {
		if p.rows++; p.rows > p.maxRows {
			return &reqError{http.StatusRequestEntityTooLarge, fmt.Sprintf("more than %d rows in one request (-max-rows)", p.maxRows)}
		}
		if err := p.row(); err != nil {
			return err
		}
		if c := p.peek(); c == ',' {
			p.i++
			continue
		}
		break
	}
	if err := p.expect(']'); err != nil {
		return err
	}
	if c := p.peek(); c == ',' {
		return badRequest("JSON body: a key after \"rows\": want {\"rows\": [...]} alone")
	}
	if err := p.expect('}'); err != nil {
		return err
	}
	if p.skip(); p.i != len(p.b) {
		return p.syntax("the end of the body")
	}
	return nil
}

// row parses one row, an array or an object.
func (p *jsonRows) row() error {
	switch p.peek() {
	case '[':
		p.i++
		n := 0
		if p.peek() != ']' {
			for {
				v, err := p.number()
				if err != nil {
					return err
				}
				if n++; n <= p.k {
					p.x = append(p.x, v)
				}
				if p.peek() != ',' {
					break
				}
				p.i++
			}
		}
		if n != p.k {
			return badRequest("row %d has %d values, the model takes %d", p.rows, n, p.k)
		}
		return p.expect(']')
	case '{':
		return p.object()
	}
	return p.syntax("a row: [x1, …] or {\"name\": x, …}")
}

// object parses a row given as an object keyed by the input names.
func (p *jsonRows) object() error {
	if p.names == nil {
		return badRequest("row %d is an object, but the model's inputs have no names: give rows as arrays of values in order", p.rows)
	}
	p.i++
	base := len(p.x)
	for range p.k {
		p.x = append(p.x, 0)
	}
	n := 0
	if p.peek() != '}' {
		for {
			if p.peek() != '"' {
				return p.syntax("an input name")
			}
			key, err := p.key()
			if err != nil {
				return err
			}
			pos, ok := p.names[string(key)]
			if !ok {
				return badRequest("row %d: %s is not an input of the model", p.rows, clipArg(string(key)))
			}
			if p.seen[pos] == p.rows {
				return &reqError{http.StatusBadRequest, fmt.Sprintf("row %d: input %s given twice", p.rows, clipArg(string(key)))}
			}
			p.seen[pos] = p.rows
			v, err := p.number()
			if err != nil {
				return err
			}
			p.x[base+pos] = v
			if n++; p.peek() != ',' {
				break
			}
			p.i++
		}
	}
	if n != p.k {
		for pos, r := range p.seen {
			if r != p.rows {
				return badRequest("row %d has no value for the input %s", p.rows, clipArg(p.nameOf(pos)))
			}
		}
	}
	return p.expect('}')
}

func (p *jsonRows) nameOf(pos int) string {
	for k, v := range p.names {
		if v == pos {
			return k
		}
	}
	return ""
}

// key parses a string and the colon after it and returns the string,
// which shares p.b when it has no escapes.
func (p *jsonRows) key() ([]byte, error) {
	if p.peek() != '"' {
		return nil, p.syntax("a key in quotes")
	}
	start := p.i
	p.i++
	plain := true
	for {
		if p.i >= len(p.b) {
			return nil, p.syntax("the end of a string")
		}
		c := p.b[p.i]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return nil, p.syntax("a character in a string (control characters must be escaped)")
		}
		if c == '\\' || c >= 0x80 {
			plain = false
			if c == '\\' {
				p.i++
			}
		}
		p.i++
	}
	raw := p.b[start : p.i+1]
	p.i++
	key := raw[1 : len(raw)-1]
	if !plain {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, badRequest("JSON body at byte %d: %v", start+1, err)
		}
		key = []byte(s)
	}
	return key, p.expect(':')
}

// number parses a JSON number that is finite in float32.
func (p *jsonRows) number() (float32, error) {
	p.skip()
	b, start := p.b, p.i
	i := start
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return 0, p.syntax("a number")
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			p.i = i + 1
			return 0, p.syntax("a digit after the decimal point")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if j := digits(b, i); j > i {
			i = j
		} else {
			p.i = i
			return 0, p.syntax("a digit in the exponent")
		}
	}
	p.i = i
	v, err := strconv.ParseFloat(string(b[start:i]), 32)
	if err != nil {
		return 0, badRequest("row %d: %s is out of float32 range", p.rows, clip(string(b[start:i])))
	}
	return float32(v), nil
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// expect skips white space and the byte c.
func (p *jsonRows) expect(c byte) error {
	if p.peek() != c {
		return p.syntax(strconv.QuoteRune(rune(c)))
	}
	p.i++
	return nil
}

// peek skips white space and returns the next byte (0 at the end).
func (p *jsonRows) peek() byte {
	p.skip()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *jsonRows) skip() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonRows) syntax(want string) error {
	if p.i >= len(p.b) {
		return badRequest("malformed JSON body: it ends where %s was expected (want {\"rows\": [[x1, …], …]})", want)
	}
	return badRequest("malformed JSON body at byte %d: %s where %s was expected", p.i+1, strconv.QuoteRune(rune(p.b[p.i])), want)
}
