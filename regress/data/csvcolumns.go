package data

import (
	"errors"
	"fmt"
	"strings"
)

// A CSV file for training holds one example per line: a header row naming the
// columns, then rows of numbers. Some columns are the inputs x and some the
// targets y; the rest are ignored.

// Columns says which columns of a CSV header are the inputs and which the
// targets.
type Columns struct {
	Header []string // every column's name, as in the file
	X, Y   []int    // indices into Header of the inputs and the targets
}

// XNames returns the names of the input columns.
func (c Columns) XNames() []string { return pick(c.Header, c.X) }

// YNames returns the names of the target columns.
func (c Columns) YNames() []string { return pick(c.Header, c.Y) }

func pick(names []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = names[j]
	}
	return out
}

// SelectColumns finds the named target columns y and input columns x in a
// header. An empty x means every column that is not a target. Every name must
// be in the header exactly once, and no column may be both an input and a
// target.
func SelectColumns(header, y, x []string) (Columns, error) {
	pos, err := headerIndex(header)
	if err != nil {
		return Columns{}, err
	}
	find := func(role string, names []string) ([]int, error) {
		idx := make([]int, 0, len(names))
		seen := make(map[string]bool, len(names))
		for _, name := range names {
			name = strings.TrimSpace(name)
			i, ok := pos[name]
			if !ok {
				return nil, fmt.Errorf("%s column %s is not in the header (columns: %s)", role, clip(name), clipList(header))
			}
			if seen[name] {
				return nil, fmt.Errorf("%s column %s is named twice", role, clip(name))
			}
			seen[name] = true
			idx = append(idx, i)
		}
		return idx, nil
	}
	if len(y) == 0 {
		return Columns{}, errors.New("no target column named")
	}
	yi, err := find("target", y)
	if err != nil {
		return Columns{}, err
	}
	isY := make(map[int]bool, len(yi))
	for _, i := range yi {
		isY[i] = true
	}
	var xi []int
	if len(x) == 0 {
		for i := range header {
			if !isY[i] {
				xi = append(xi, i)
			}
		}
		if len(xi) == 0 {
			return Columns{}, errors.New("no input column: every column is a target")
		}
	} else {
		if xi, err = find("input", x); err != nil {
			return Columns{}, err
		}
		for _, i := range xi {
			if isY[i] {
				return Columns{}, fmt.Errorf("column %s is both an input and a target", clip(header[i]))
			}
		}
	}
	return Columns{Header: append([]string(nil), header...), X: xi, Y: yi}, nil
}

// headerIndex maps a header's names to their columns; every name must be
// non-empty and given once.
func headerIndex(header []string) (map[string]int, error) {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		if h == "" {
			return nil, fmt.Errorf("header column %d has no name", i+1)
		}
		if j, dup := pos[h]; dup {
			return nil, fmt.Errorf("header names column %s twice (columns %d and %d)", clip(h), j+1, i+1)
		}
		pos[h] = i
	}
	return pos, nil
}

// clipList lists names for an error message, cut to about 200 characters.
func clipList(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		if b.Len() > 200 {
			fmt.Fprintf(&b, "… (%d in all)", len(names))
			break
		}
		if q := clip(n); len(n) > 40 || len(q) != len(n)+2 {
			n = q // cut, or with escapes
		}
		b.WriteString(n)
	}
	return b.String()
}
