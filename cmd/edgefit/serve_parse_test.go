package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/internal/zeroalloc"
)

var parseNames = map[string]int{"a": 0, "b": 1, "c": 2}

func parseJSON(body string, names map[string]int, maxRows int) ([]float32, error) {
	p := &jsonRows{b: []byte(body), k: 3, names: names, maxRows: maxRows}
	err := p.parse()
	return p.x, err
}

func statusOf(err error) int {
	var re *reqError
	if errors.As(err, &re) {
		return re.code
	}
	return 0
}

// The JSON parser takes rows as arrays and as objects, and refuses every
// other shape with 400, too many rows with 413.
func TestJSONRows(t *testing.T) {
	for _, tc := range []struct {
		body string
		want string // the values, or the status and a part of the error
	}{
		{`{"rows": [[1, 2, 3]]}`, "[1 2 3]"},
		{`{"rows": [[1, 2, 3e-50]]}`, "[1 2 0]"},
		{" {\"rows\":[[1,2,3],[-0.5,1e3,2E-2]]}\n", "[1 2 3 -0.5 1000 0.02]"},
		{`{"rows": [{"c": 3, "a": 1, "b": 2}, [4, 5, 6]]}`, "[1 2 3 4 5 6]"},
		{`{"rows": [{"\u0061": 1, "b": 2, "c": 3}]}`, "[1 2 3]"},
		{`{"rows": []}`, "400 no rows"},
		{`{"rows": [[1, 2]]}`, "400 row 1 has 2 values, the model takes 3"},
		{`{"rows": [[1, 2, 3, 4]]}`, "400 row 1 has 4 values"},
		{`{"rows": [[1, 2, "3"]]}`, "400 malformed JSON body at byte 18"},
		{`{"rows": [[1, 2, 3e39]]}`, "400 row 1: 3e39 is out of float32 range"},
		{`{"rows": [[1, 2, NaN]]}`, "400 malformed"},
		{`{"rows": [[1, 2, 01]]}`, "400 malformed"},
		{`{"rows": [[1, 2, 3]], "x": 1}`, "400 a key after"},
		{`{"data": [[1, 2, 3]]}`, `400 the key "data" is not "rows"`},
		{`{"rows": [{"a": 1, "b": 2}]}`, `400 row 1 has no value for the input "c"`},
		{`{"rows": [{"a": 1, "b": 2, "d": 3}]}`, `400 row 1: "d" is not an input`},
		{`{"rows": [{"a": 1, "b": 2, "a": 3}]}`, `400 row 1: input "a" given twice`},
		{`{"rows": [[1, 2, 3]]} x`, "400 malformed JSON body at byte 23"},
		{`{"rows": [[1, 2, 3]]`, "400 malformed JSON body: it ends"},
		{`{"rows": [[1,2,3],[1,2,3],[1,2,3]]}`, "413 more than 2 rows"},
	} {
		got, err := parseJSON(tc.body, parseNames, 2)
		s := fmt.Sprint(got)
		if err != nil {
			s = fmt.Sprintf("%d %v", statusOf(err), err)
		}
		code, part, _ := strings.Cut(tc.want, " ")
		if !strings.HasPrefix(s, code) || !strings.Contains(s, part) {
			t.Errorf("%s: got %s, want %s", tc.body, s, tc.want)
		}
	}
	if _, err := parseJSON(`{"rows": [{"a": 1, "b": 2, "c": 3}]}`, nil, 2); err == nil || !strings.Contains(err.Error(), "no names") {
		t.Errorf("object rows for an unnamed model: %v", err)
	}
}

// A single row is parsed without allocating, once the buffers have grown.
func TestJSONRowsAllocs(t *testing.T) {
	p := &jsonRows{b: []byte(`{"rows": [[73.5, 67, 43.25]]}`), k: 3, names: parseNames, maxRows: 10}
	obj := &jsonRows{b: []byte(`{"rows": [{"a": 73.5, "b": 67, "c": 43.25}]}`), k: 3, names: parseNames, maxRows: 10}
	for _, q := range []*jsonRows{p, obj} {
		if a := zeroalloc.AllocsPerRun(100, func() { q.i = 0; q.parse() }); a != 0 {
			t.Errorf("%s: %v allocations", q.b, a)
		}
	}
}

// oracleJSON reads a body as encoding/json does, into the same rows: the
// values, or false where the body is not JSON of that shape.
func oracleJSON(body []byte, names map[string]int, k int) ([]float32, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var top map[string]any
	if dec.Decode(&top) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	rows, ok := top["rows"].([]any)
	if len(top) != 1 || !ok || len(rows) == 0 {
		return nil, false
	}
	num := func(v any) (float32, bool) {
		n, ok := v.(json.Number)
		if !ok {
			return 0, false
		}
		f, err := strconv.ParseFloat(string(n), 32)
		return float32(f), err == nil
	}
	var x []float32
	for _, r := range rows {
		row := make([]float32, k)
		switch r := r.(type) {
		case []any:
			if len(r) != k {
				return nil, false
			}
			for i, v := range r {
				if row[i], ok = num(v); !ok {
					return nil, false
				}
			}
		case map[string]any:
			if names == nil || len(r) != k {
				return nil, false
			}
			for key, v := range r {
				p, known := names[key]
				if !known {
					return nil, false
				}
				if row[p], ok = num(v); !ok {
					return nil, false
				}
			}
		default:
			return nil, false
		}
		x = append(x, row...)
	}
	return x, true
}

// What the parser accepts, encoding/json reads as the same numbers; what
// encoding/json reads as rows, the parser accepts, but for a key given
// twice (encoding/json keeps the last).
func FuzzJSONRows(f *testing.F) {
	for _, s := range []string{`{"rows": [[1, 2, 3]]}`, `{"rows":[{"a":1,"b":-2.5e-3,"c":0}]}`, `{"rows": [[1,2,3],[4,5,6]]}`,
		`{"rows": [{"\u0061": 1, "b": 2, "c": 3}]}`, `{"rows":[[1,2,3e39]]}`, `{"rows":[[1,2,null]]}`, "{\"rows\":[{\"a\xff\":1}]}",
		`{"rows": [{"a": 1, "b": 2, "a": 3}]}`, ` { "rows" : [ [ 1 , 2 , 3 ] ] } `, `{"ROWS": [[1, 2, 3]]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseJSON(string(body), parseNames, 1<<20)
		want, ok := oracleJSON(body, parseNames, 3)
		switch {
		case err == nil && !ok:
			t.Fatalf("%q: parsed as %v, encoding/json refuses it", body, got)
		case err == nil && !slices.Equal(got, want):
			t.Fatalf("%q: parsed as %v, encoding/json reads %v", body, got, want)
		case err != nil && ok && !strings.Contains(err.Error(), "given twice"):
			t.Fatalf("%q: refused (%v), encoding/json reads %v", body, err, want)
		case err != nil && statusOf(err) != http.StatusBadRequest:
			t.Fatalf("%q: %v with status %d, want 400", body, err, statusOf(err))
		}
	})
}

func parseCSVBody(body string, fast bool, maxRows int) ([]float32, bool, error) {
	c := &csvRows{k: 3, inputs: []string{"a", "b", "c"}, maxRows: maxRows}
	if fast {
		ok, err := c.fast([]byte(body))
		// Again, with the header (if any) from the cache: the same answer.
		again := &csvRows{k: 3, inputs: c.inputs, maxRows: maxRows, cache: c.cache}
		ok2, err2 := again.fast([]byte(body))
		if ok2 != ok || fmt.Sprint(err2) != fmt.Sprint(err) || !slices.Equal(again.x, c.x) {
			return nil, false, fmt.Errorf("the fast path read %v, %v, %v, then %v, %v, %v with its header cached", c.x, ok, err, again.x, ok2, err2)
		}
		return c.x, ok, err
	}
	err := c.slow([]byte(body))
	return c.x, true, err
}

// A CSV body is read as edgefit predict reads a file: by name under a
// header, by position without; the fast path takes the plain bodies and
// leaves the rest, errors included, to data's reader (regress/data).
func TestCSVRows(t *testing.T) {
	for _, tc := range []struct {
		body string
		fast bool   // the fast path reads it
		want string // the values, or the status and a part of the error
	}{
		{"a,b,c\n1,2,3\n4,5,6\n", true, "[1 2 3 4 5 6]"},
		{"c,x,a,b\r\n3,zz,1,2\r\n 6 ,,4,\t5", true, "[1 2 3 4 5 6]"},
		{"1,2,3\n4,5,6", true, "[1 2 3 4 5 6]"},
		{"a,b,c\n1,2,3\n\n# note\n4,5,6\n", false, "[1 2 3 4 5 6]"},
		{"\ufeffa,b,\"c\"\n1,2,\"3\"\n", false, "[1 2 3]"},
		{"a,b\n1,2\n", false, `400 CSV body:1: the header has no column "c"`},
		{"a,b,c\n1,2,x\n", false, `400 CSV body:2:5: column "c": "x" is not a number`},
		{"a,b,c\n1,2\n", false, "400 CSV body:2: ragged row"},
		{"a,b,c\n1,2,1e39\n", false, "400 out of float32 range"},
		{"a,b,c\n", false, "400 no rows"},
		{"a,b,c\n1,2,3\n1,2,3\n1,2,3\n", true, "413 more than 2 rows"},
	} {
		if _, ok, _ := parseCSVBody(tc.body, true, 2); ok != tc.fast {
			t.Errorf("%q: fast path %v, want %v", tc.body, ok, tc.fast)
		}
		c := &csvRows{k: 3, inputs: []string{"a", "b", "c"}, maxRows: 2}
		err := c.parse([]byte(tc.body))
		s := fmt.Sprint(c.x)
		if err != nil {
			s = fmt.Sprintf("%d %v", statusOf(err), err)
		}
		code, part, _ := strings.Cut(tc.want, " ")
		if !strings.HasPrefix(s, code) || !strings.Contains(s, part) {
			t.Errorf("%q: got %s, want %s", tc.body, s, tc.want)
		}
	}
}

// Whatever the fast path reads, data's reader reads as the same numbers.
func FuzzCSVRows(f *testing.F) {
	for _, s := range []string{"a,b,c\n1,2,3\n4,5,6\n", "c,x,a,b\r\n3,zz,1,2\r\n 6 ,,4,\t5", "1,2,3\n4,5,6", "a,b,c\n1,2,3\n\n4,5,6\n",
		"a,b,c\r1,2,3\n", "a,b,c\n1,2,3\n#4,5,6\n", "a,b,c\n+1.,-.5,6E+2\n", "a,b,c\n1,2,3\r\r\n", "a,b,c,\n1,2,3,\"\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok, ferr := parseCSVBody(string(body), true, 1<<20)
		if ferr != nil && strings.Contains(ferr.Error(), "cached") {
			t.Fatal(ferr)
		}
		if !ok || ferr != nil {
			return
		}
		slow, _, serr := parseCSVBody(string(body), false, 1<<20)
		if serr != nil || !slices.Equal(fast, slow) {
			t.Fatalf("%q: fast path %v, data's reader %v, %v", body, fast, slow, serr)
		}
	})
}
