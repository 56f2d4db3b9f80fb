package data

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/edgefit/edgefit/linalg"
)

// A Stream reuses the loader of a chunk in the same storage and of the same
// size, makes a new one, seeded Seed plus the number made before, for any
// other chunk, and skips empty chunks; its loaders draw the orders loaders
// made directly with those seeds draw.
func TestStreamLoaders(t *testing.T) {
	buf, _ := linalg.New(10, 2)
	for i := range buf.Data {
		buf.Data[i] = float32(i)
	}
	other, _ := linalg.New(10, 2)
	sizes := []int{10, 10, 0, 4, 10, 4}
	chunks := func(yield func(X, Y linalg.Dense) error) error {
		for i, m := range sizes {
			X := buf
			if i == 4 {
				X = other // the same size in other storage: a new loader
			}
			if err := yield(X.Slice(0, m), buf.Slice(0, m)); err != nil {
				return err
			}
		}
		return nil
	}
	cfg := LoaderConfig{BatchSize: 3, Shuffle: true, Seed: 7}
	s, err := NewStream(chunks, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []*Loader
	if err := s.Pass(func(l *Loader) error { got = append(got, l); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[0] != got[1] || got[2] == got[0] || got[3] == got[0] || got[4] != got[2] {
		t.Fatalf("loaders %p: want 5 parts (the empty chunk skipped), the first two alike, a new one for 4 rows, one for other storage, the 4-row one again", got)
	}
	for made, l := range []*Loader{got[0], got[2], got[3]} {
		c := cfg
		c.Seed += uint64(made)
		want, _ := NewLoader(l.Dataset(), c)
		if err := l.Reset(); err != nil {
			t.Fatal(err)
		}
		if err := want.Reset(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(l.perm, want.perm) {
			t.Errorf("loader %d: order %v, want that of seed %d, %v", made, l.perm, c.Seed, want.perm)
		}
	}
	// A pass ends at the first error, which it returns.
	stop := errors.New("stop")
	n := 0
	if err := s.Pass(func(*Loader) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Pass: %v after %d parts, want stop after 1", err, n)
	}
}

func TestStreamBadArgs(t *testing.T) {
	none := func(func(X, Y linalg.Dense) error) error { return nil }
	var s *Stream
	for name, err := range map[string]error{
		"NewStream nil":     func() error { _, err := NewStream(nil, LoaderConfig{BatchSize: 1}); return err }(),
		"NewStream batch 0": func() error { _, err := NewStream(none, LoaderConfig{}); return err }(),
		"Pass nil stream":   s.Pass(func(*Loader) error { return nil }),
		"Pass nil fn":       must(NewStream(none, LoaderConfig{BatchSize: 1})).Pass(nil),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "data: ") {
			t.Errorf("%s: %v, want an error with the package prefix", name, err)
		}
	}
	// A pass within a pass (fn calling Pass again) is refused.
	var inner *Stream
	one := func(yield func(X, Y linalg.Dense) error) error {
		X, _ := linalg.New(2, 1)
		return yield(X, X)
	}
	inner = must(NewStream(one, LoaderConfig{BatchSize: 1}))
	err := inner.Pass(func(*Loader) error { return inner.Pass(func(*Loader) error { return nil }) })
	if err == nil || !strings.Contains(err.Error(), "during a pass") {
		t.Errorf("nested Pass: %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
