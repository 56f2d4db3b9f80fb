package main

import "testing"

// The rows held in memory never take more than the budget: the storage's
// capacity and the extra bytes each row needs later, and while the storage
// grows, the old and the new storage together. (Rows appended to a slice
// took up to about twice the budget.) Most of the budget is used.
func TestTableBudget(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		extra  int64
		budget int64
	}{
		{1, 1, 12, 1 << 20},
		{3, 2, 20, 3<<20 + 12345},
		{20, 1, 8, 1 << 20},
		{5, 5, 0, 1 << 16},
		{1, 1, 0, 0},
	} {
		tb := &table{k: c.k, n: c.n, budget: c.budget, extra: c.extra}
		x, y := make([]float32, c.k), make([]float32, c.n)
		s := int64(4 * (c.k + c.n))
		rows := int64(0)
		for ; ; rows++ {
			before := int64(cap(tb.Y) / c.n)
			if !tb.add(x, y) {
				break
			}
			held := int64(cap(tb.Y) / c.n)
			if int64(cap(tb.X)) != held*int64(c.k) {
				t.Fatalf("%+v: X holds %d values for %d rows", c, cap(tb.X), held)
			}
			if held != before && (before+held)*s > c.budget {
				t.Fatalf("%+v: grew from %d to %d rows of %d bytes: %d bytes live while copying, over the budget", c, before, held, s, (before+held)*s)
			}
			if used := held*s + (rows+1)*c.extra; used > c.budget {
				t.Fatalf("%+v: %d rows take %d bytes, over the budget", c, rows+1, used)
			}
		}
		if most := c.budget / (s + c.extra); rows < most/2 || int64(tb.rows()) != rows {
			t.Errorf("%+v: held %d rows (table says %d), want at least half the %d the budget takes", c, rows, tb.rows(), most)
		}
	}
}

// A regular file's rows are reserved at once when their bound fits, and
// not at all when it does not.
func TestTableReserve(t *testing.T) {
	tb := &table{k: 2, n: 1, budget: 1 << 20, extra: 8}
	if !tb.reserve(1000) || cap(tb.Y) != 1000 || cap(tb.X) != 2000 {
		t.Errorf("reserve(1000): capacity %d, %d", cap(tb.X), cap(tb.Y))
	}
	big := &table{k: 2, n: 1, budget: 1 << 20, extra: 8}
	if big.reserve(1<<20/20+1) || cap(big.Y) != 0 {
		t.Errorf("reserve past the budget: true or allocated (%d)", cap(big.Y))
	}
}
