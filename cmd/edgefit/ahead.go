package main

// passAhead makes a pass over a file as pass does (CSVFile.Pass or Pass64),
// with fn one chunk behind, on a goroutine of its own: each chunk read is
// copied into a second pair of buffers, the size of X and Y, and handed to
// fn there while the next chunk is read, so that reading and fn's work take
// a core each. fn sees the chunks in order; the first error ends the pass,
// fn's for a chunk before the reader's for a later one.
func passAhead[T float32 | float64](pass func(X, Y []T, fn func(m int, X, Y []T) error) error, X, Y []T, fn func(m int, X, Y []T) error) error {
	X2, Y2 := make([]T, len(X)), make([]T, len(Y))
	type chunk struct{ m, nx, ny int }
	todo, done := make(chan chunk), make(chan error)
	go func() {
		for c := range todo {
			done <- fn(c.m, X2[:c.nx], Y2[:c.ny])
		}
	}()
	defer close(todo)
	busy := false
	err := pass(X, Y, func(m int, X, Y []T) error {
		if busy {
			busy = false
			if err := <-done; err != nil {
				return err
			}
		}
		todo <- chunk{m, copy(X2, X), copy(Y2, Y)}
		busy = true
		return nil
	})
	if busy {
		if ferr := <-done; ferr != nil {
			return ferr
		}
	}
	return err
}
