package data

import (
	"errors"
	"fmt"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/internal/batches"
)

// Dataset pairs input rows X with target rows Y, as TensorDataset(x, y): row
// i of X is the input whose expected output is row i of Y. The matrices are
// shared with the caller, not copied.
type Dataset struct {
	X, Y linalg.Dense
}

// NewDataset checks that X and Y are well formed, non-empty, have one target
// row per input row, and hold only finite numbers (NaN or Inf is an error
// naming the row and column), and returns them as a Dataset.
func NewDataset(X, Y linalg.Dense) (*Dataset, error) {
	if err := checkShapes("NewDataset", X, Y); err != nil {
		return nil, err
	}
	if err := linalg.CheckFinite("data: NewDataset: inputs", X); err != nil {
		return nil, err
	}
	if err := linalg.CheckFinite("data: NewDataset: targets", Y); err != nil {
		return nil, err
	}
	return &Dataset{X: X, Y: Y}, nil
}

// checkShapes returns an error unless X and Y are well-formed matrices (a
// size that does not fit in an int is an error), non-empty, with one target
// row per input row.
func checkShapes(op string, X, Y linalg.Dense) error {
	if err := X.Check(op, "inputs"); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := Y.Check(op, "targets"); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if X.Rows == 0 {
		return fmt.Errorf("data: %s: the dataset is empty (no rows)", op)
	}
	if X.Cols == 0 || Y.Cols == 0 {
		return fmt.Errorf("data: %s: inputs have %d columns and targets %d, want at least one of each", op, X.Cols, Y.Cols)
	}
	if X.Rows != Y.Rows {
		return fmt.Errorf("data: %s: %d input rows but %d target rows, want one target row per input row", op, X.Rows, Y.Rows)
	}
	return nil
}

// Len is the number of rows.
func (d *Dataset) Len() int { return d.X.Rows }

// Permuter supplies the order of rows for each epoch of a shuffling Loader in
// place of its random generator: Permutation fills perm (length the dataset's
// Len) with a permutation of 0…len(perm)−1 for the given epoch (from 0). It is
// how a test replays the exact batches a PyTorch run drew, and how a program
// plugs in its own sampler.
type Permuter interface {
	Permutation(epoch int, perm []int) error
}

// Orders is a Permuter that replays fixed permutations, one per epoch,
// cycling when there are more epochs than permutations.
type Orders [][]int

// Permutation copies the permutation for epoch into perm.
func (o Orders) Permutation(epoch int, perm []int) error {
	if len(o) == 0 {
		return errors.New("data: Orders: no permutations")
	}
	if epoch < 0 {
		return fmt.Errorf("data: Orders: epoch %d: want at least 0", epoch)
	}
	src := o[epoch%len(o)]
	if len(src) != len(perm) {
		return fmt.Errorf("data: Orders: permutation for epoch %d has %d rows, the dataset %d", epoch, len(src), len(perm))
	}
	copy(perm, src)
	return nil
}

// LoaderConfig holds DataLoader's arguments.
type LoaderConfig struct {
	BatchSize int  // rows per batch, > 0
	Shuffle   bool // a fresh random order every epoch (DataLoader's shuffle=True)
	Seed      uint64
	DropLast  bool     // drop a final batch smaller than BatchSize
	Order     Permuter // if set, the order of every epoch comes from it (implies Shuffle)
	// InPlace draws each epoch's order in Reset, into the loader's one
	// order buffer: without it, a shuffling loader keeps a second buffer
	// (one int per row) where a Trainer's waiting workers draw the next
	// epoch's order. The orders are the same either way.
	InPlace bool
}

// Loader yields a Dataset's rows in batches, as DataLoader: call Reset at the
// start of every epoch, then Next until it reports no more batches. Without
// shuffling, a batch is a view of consecutive dataset rows (no copy), while
// the first rows of the next batch are fetched into cache; with shuffling, a
// new permutation is drawn each epoch (the same sequence of permutations for
// the same Seed) and each batch's rows are gathered into buffers allocated
// once, by NewLoader, while the next batch's rows are fetched into cache.
// (Only a dataset of 256 KiB or more is fetched ahead; a smaller one stays in
// cache.) A batch is valid until the next call to Next or Reset,
// or to regress.Trainer.Epoch on this loader (whose workers gather each
// their share of every batch into the same buffers). Without an Order or
// InPlace, the trainer's workers may draw the next epoch's permutation while
// they wait, into a second buffer: Reset then only finishes it. A Loader is
// not safe for concurrent use.
type Loader struct {
	ds   *Dataset
	cfg  LoaderConfig
	perm []int // the epoch's order
	// Without an Order, the next epoch's order is drawn into next, by
	// Reset or ahead of it by a Trainer's workers in pieces (ahead).
	next     []int
	draw     drawer
	ahead    *batches.Ahead
	seen     []bool // checks an Order's permutations
	ident    []int  // 0, 1, …: the rows of a next batch to prefetch, unshuffled
	prefetch bool   // the next batch's rows are prefetched (batches.Worth)
	bx, by   linalg.Dense
	epoch    int // epochs started (by Reset)
	pos      int // next row of the order
	err      error
}

// NewLoader returns a loader over ds; the first Reset starts epoch 0. A
// shuffling loader's batch buffers (a batch's inputs, and its targets) must
// each fit in linalg.MaxElements values.
func NewLoader(ds *Dataset, cfg LoaderConfig) (*Loader, error) {
	if ds == nil || ds.Len() == 0 {
		return nil, errors.New("data: NewLoader: the dataset is empty")
	}
	// A Dataset's fields are exported: check its shapes again, as the
	// buffers below are sized from them.
	if err := checkShapes("NewLoader", ds.X, ds.Y); err != nil {
		return nil, err
	}
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: NewLoader: batch size %d: want at least 1", cfg.BatchSize)
	}
	if cfg.DropLast && cfg.BatchSize > ds.Len() {
		return nil, fmt.Errorf("data: NewLoader: batch size %d with drop_last over %d rows would yield no batch", cfg.BatchSize, ds.Len())
	}
	if cfg.Order != nil {
		cfg.Shuffle = true
	}
	l := &Loader{ds: ds, cfg: cfg, prefetch: batches.Worth(ds.X, ds.Y)}
	if cfg.Shuffle {
		n, bs := ds.Len(), min(cfg.BatchSize, ds.Len())
		if cols := max(ds.X.Cols, ds.Y.Cols); !fits(bs, cols) {
			return nil, tooLarge("NewLoader", fmt.Sprintf("a shuffled batch of %d rows", bs), bs, cols)
		}
		l.perm = make([]int, n)
		if cfg.Order != nil {
			l.seen = make([]bool, n)
		} else {
			// rand.NewPCG(cfg.Seed, 0xda942042e4dd58b5)'s draws.
			l.draw.rng = pcg{cfg.Seed, 0xda942042e4dd58b5}
			if !cfg.InPlace {
				l.next = make([]int, n)
				l.draw.start(l.next)
				l.ahead = batches.NewAhead(func() bool { l.draw.finish(); return false })
			}
		}
		l.bx, _ = linalg.New(bs, ds.X.Cols)
		l.by, _ = linalg.New(bs, ds.Y.Cols)
	} else {
		l.ident = batches.Ident(min(cfg.BatchSize, ds.Len(), batches.MaxPrefetchRows))
	}
	l.pos = ds.Len() // nothing to yield before Reset
	return l, nil
}

// Dataset returns the loader's dataset.
func (l *Loader) Dataset() *Dataset { return l.ds }

// BatchSize is the largest number of rows in a batch.
func (l *Loader) BatchSize() int { return min(l.cfg.BatchSize, l.ds.Len()) }

// Batches is the number of batches in an epoch.
func (l *Loader) Batches() int {
	n, bs := l.ds.Len(), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / bs
	}
	return (n + bs - 1) / bs
}

// Epoch is the number of epochs started so far.
func (l *Loader) Epoch() int { return l.epoch }

// Reset starts a new epoch: with shuffling, it draws (or asks the Permuter
// for) the epoch's order. It allocates nothing.
func (l *Loader) Reset() error {
	l.pos = 0
	l.err = nil
	if l.cfg.Shuffle {
		if err := l.order(); err != nil {
			l.pos = l.ds.Len()
			l.err = err
			return err
		}
	}
	l.epoch++
	return nil
}

// rowsAt is the number of rows of the batch starting at row lo of the order,
// 0 if there is none.
func (l *Loader) rowsAt(lo int) int {
	n, bs := l.ds.Len(), l.cfg.BatchSize
	rows := min(bs, n-lo)
	if rows <= 0 || (l.cfg.DropLast && rows < bs) {
		return 0
	}
	return rows
}

func (l *Loader) order() error {
	p := l.perm
	if l.cfg.Order != nil {
		if err := l.cfg.Order.Permutation(l.epoch, p); err != nil {
			return err
		}
		clear(l.seen)
		for _, r := range p {
			if r < 0 || r >= len(p) || l.seen[r] {
				return fmt.Errorf("data: Loader: the order for epoch %d is not a permutation of 0…%d (row %d)", l.epoch, len(p)-1, r)
			}
			l.seen[r] = true
		}
		return nil
	}
	if l.next == nil { // InPlace
		l.draw.start(p)
		l.draw.finish()
		return nil
	}
	// The same permutations whoever draws them and however much ahead.
	l.ahead.Hold()
	l.draw.finish()
	l.perm, l.next = l.next, l.perm
	l.draw.start(l.next)
	l.ahead.Release(true)
	return nil
}

// Next returns the next batch of inputs and targets, or ok = false at the end
// of the epoch.
func (l *Loader) Next() (X, Y linalg.Dense, ok bool) {
	rows := l.rowsAt(l.pos)
	if rows == 0 {
		return linalg.Dense{}, linalg.Dense{}, false
	}
	lo := l.pos
	l.pos += rows
	if !l.cfg.Shuffle {
		if next, NX, NY := l.nextRows(); len(next) > 0 {
			batches.Prefetch(NX, NY, next)
		}
		return l.ds.X.Slice(lo, lo+rows), l.ds.Y.Slice(lo, lo+rows), true
	}
	X, Y = l.bx.Slice(0, rows), l.by.Slice(0, rows)
	batches.Gather(X, l.ds.X, Y, l.ds.Y, l.perm[lo:lo+rows])
	// The next batch's rows are on their way while this one trains.
	if next := l.rowsAt(l.pos); next > 0 && l.prefetch {
		batches.Prefetch(l.ds.X, l.ds.Y, l.perm[l.pos:l.pos+next])
	}
	return X, Y, true
}

// NextBatch returns the next batch like Next, but a shuffled one ungathered:
// its rows of the order (Idx), the next batch's (Next, to prefetch) and the
// buffers to gather them into. It is for callers that gather rows themselves,
// such as regress.Trainer's workers, each gathering its share; a Loader's
// batches are taken by Next or NextBatch, not both in one epoch.
func (l *Loader) NextBatch() (b batches.Batch, ok bool) {
	if !l.cfg.Shuffle {
		rows := l.rowsAt(l.pos)
		if rows == 0 {
			return b, false
		}
		lo := l.pos
		l.pos += rows
		b.X, b.Y = l.ds.X.Slice(lo, lo+rows), l.ds.Y.Slice(lo, lo+rows)
		b.Next, b.NX, b.NY = l.nextRows()
		return b, true
	}
	rows := l.rowsAt(l.pos)
	if rows == 0 {
		return b, false
	}
	lo := l.pos
	l.pos += rows
	b = batches.Batch{X: l.ds.X, Y: l.ds.Y, Idx: l.perm[lo : lo+rows], BX: l.bx, BY: l.by, Ahead: l.ahead}
	if next := l.rowsAt(l.pos); next > 0 && l.prefetch {
		b.Next, b.NX, b.NY = l.perm[l.pos:l.pos+next], l.ds.X, l.ds.Y
	}
	return b, true
}

// nextRows returns, without shuffling, the first rows of the next batch, to
// prefetch: rows next of NX and NY, or none at the end of the epoch.
func (l *Loader) nextRows() (next []int, NX, NY linalg.Dense) {
	rows := min(l.rowsAt(l.pos), len(l.ident))
	if rows == 0 || !l.prefetch {
		return nil, linalg.Dense{}, linalg.Dense{}
	}
	return l.ident[:rows], l.ds.X.Slice(l.pos, l.pos+rows), l.ds.Y.Slice(l.pos, l.pos+rows)
}

// Err reports why the current epoch could not start, if it could not.
func (l *Loader) Err() error { return l.err }
