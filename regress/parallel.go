package regress

import (
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/internal/batches"
)

// A Trainer's data-parallel work. A step's batch is split into W chunks of
// consecutive rows (W the trainer's workers, fewer for a small batch); the
// goroutine that runs chunk c gathers its rows (GatherRows, then PrefetchRows
// for chunk c of the next batch, which the same goroutine usually runs),
// computes their predictions, residuals and squared errors, and the partial
// gradients α·Rᵀ·X and α·Σ R into chunk c's own buffer. The caller then adds
// the partial gradients in chunk order, ((g₀+g₁)+g₂)+…, and applies one
// update, while the members gather their chunks of the next batch (after),
// which the next step's chunks then find gathered. With one chunk this is
// the single-goroutine step, bit for bit.
//
// The bound between W and one worker. A prediction is b + Σₖ xₖwₖ over In
// terms, and float32 rounding puts any summation order within γ·F of the
// exact value, F = |b| + Σₖ|xₖwₖ|, γₘ = m·u/(1−m·u), u = 2⁻²⁴ (Higham,
// Accuracy and Stability of Numerical Algorithms, §4.2, which holds for any
// order); the kernels' order for a row depends on its place in the call, so
// a residual r = p − y may differ between two splits by up to
// e = 2·γ_{In+2}·(F + |y|). A gradient element is α·Σᵢ rᵢxᵢ over the n rows:
// one worker and W workers differ by at most
//
//	|α|·(Σᵢ eᵢ|xᵢ| + 2·γ_{n+2}·Σᵢ (|rᵢ|+eᵢ)·|xᵢ|)
//
// (|α|·(Σᵢ eᵢ + 2·γ_{n+2}·Σᵢ (|rᵢ|+eᵢ)) for a bias), and the sum of squares
// Σ r² over N = n·Out elements by Σ (2|r|e + e²) + 2·γ_{N+2}·Σ (|r|+e)².
// Predictions differ by at most 2·γ_{In+2}·F, and Evaluate's sum of squares,
// summed in blocks of at most MaxBatch rows, as the sum of squares with
// N = MaxBatch·Out. TestWorkersWithinBound checks all of these.

// minChunkWork is the least work, rows·In·Out multiply-adds, worth a chunk
// of its own by default: handing a chunk to another goroutine and collecting
// its gradient costs about as much as a chunk of that size takes to compute.
const minChunkWork = 1 << 14

// longChunkWork is the least work of a chunk, rows·(In·Out + In + Out):
// its multiply-adds and the values it reads and writes, that takes long
// enough (about 100 µs) to be worth waking a parked worker for: Evaluate or
// Predict over many rows, or a very large batch. Shorter jobs go to workers
// that are up (workers.go).
const longChunkWork = 1 << 21

// longJob reports whether chunks of share rows of a model of in inputs and out
// outputs are long (longChunkWork).
func longJob(share, in, out int) bool {
	return share >= longChunkWork/max(1, in*out+in+out)
}

// chunkAlign is the rows a chunk's row count is a multiple of (but the
// last's), so that chunks write to separate cache lines of the shared
// prediction buffer.
const chunkAlign = 16

// defaultWorkers is the trainer's workers unless SetWorkers says otherwise.
func defaultWorkers() int { return min(runtime.GOMAXPROCS(0), 4) }

// job is the work the team shares. The trainer writes its fields before
// posting it; chunk c's goroutine writes only its rows of bx, by and p and
// grads[c] and out[c].
type job struct {
	kind   jobKind
	m      *Linear
	alpha  float32
	X, Y   linalg.Dense // the batch, or the dataset when idx is set; Predict's inputs and outputs
	idx    []int        // rows of X and Y to gather into bx and by
	next   []int        // rows of nx and ny to prefetch: the next batch's
	nx, ny linalg.Dense // the dataset, or the next unshuffled batch
	ident  []int        // 0, 1, …: Evaluate's next block's rows, to prefetch
	bx, by linalg.Dense // where a shuffled batch is gathered
	p      linalg.Dense // maxBatch×Out: predictions, then residuals in place
	xs     linalg.Dense // maxBatch×In: the batch standardised, with m.Std
	chunks int
	share  int // rows per chunk (the last has what is left)
	pshare int // Evaluate: rows of p per chunk
	grads  [][]float32
	out    []chunkOut
	seq    uint64 // the jobs run so far
}

type jobKind uint8

const (
	jobStep jobKind = iota
	jobEval
	jobPredict
)

// chunkOut is a chunk's results and its rows of the next batch: to gather
// (plan, while busy), then gathered (ahead). Each chunk's in cache lines of
// its own.
type chunkOut struct {
	sq    float64
	err   error
	ahead gathered
	busy  atomic.Bool
	plan  struct {
		X, Y, bx, by linalg.Dense
		idx          []int
		lo, hi       int
		seq          uint64
	}
	_ [48]byte
}

// gathered is rows idx[lo:hi] of a batch, gathered into rows lo…hi−1 of bx
// ahead of job seq, which takes them.
type gathered struct {
	seq    uint64
	idx    *int
	bx     *float32
	lo, hi int
}

// split returns how many chunks of how many rows each (a multiple of
// chunkAlign but the last) rows are cut into for at most w chunks.
func split(rows, w int) (chunks, share int) {
	if w <= 1 || rows <= chunkAlign {
		return 1, rows
	}
	share = (rows + w - 1) / w
	share = (share + chunkAlign - 1) / chunkAlign * chunkAlign
	return (rows + share - 1) / share, share
}

// span is the rows of chunk c of a job of rows rows cut in shares.
func span(c, rows, share int) (lo, hi int) {
	return min(c*share, rows), min((c+1)*share, rows)
}

// run is the team's work function: chunk c of the current job.
func (j *job) run(c int) {
	var err error
	switch j.kind {
	case jobStep:
		j.out[c].sq, err = j.step(c)
	case jobEval:
		j.out[c].sq, err = j.eval(c)
	case jobPredict:
		err = j.predict(c)
	}
	j.out[c].err = err
}

// step is chunk c of a step: its share of the forward pass, loss and
// gradients (see the top of the file).
func (j *job) step(c int) (float64, error) {
	rows := j.X.Rows
	if j.idx != nil {
		rows = len(j.idx)
	}
	lo, hi := span(c, rows, j.share)
	X, Y := j.X.Slice(lo, hi), j.Y.Slice(lo, hi)
	var nlo, nhi int // this chunk's rows of the next batch
	if len(j.next) > 0 {
		_, nshare := split(len(j.next), j.chunks)
		nlo, nhi = span(c, len(j.next), nshare)
	}
	o := &j.out[c]
	if j.idx != nil {
		X, Y = j.bx.Slice(lo, hi), j.by.Slice(lo, hi)
		for o.busy.Load() { // its rows may still be on their way
			runtime.Gosched()
		}
		if o.ahead != j.gatheredAt(lo, hi) {
			batches.Gather(X, j.X, Y, j.Y, j.idx[lo:hi])
		}
	}
	// This chunk's rows of the next batch are on their way while this one
	// trains.
	if nlo < nhi {
		batches.Prefetch(j.nx, j.ny, j.next[nlo:nhi])
	}
	sq, err := j.train(c, lo, hi, X, Y)
	// Done with its rows, a chunk of a shared, shuffled step gathers its rows
	// of the next batch into the same place (after), where the next job's
	// chunk takes them; alone, it may as well gather them then.
	o.ahead = gathered{}
	if err == nil && j.idx != nil && j.chunks > 1 && nlo < nhi && nlo >= lo && nhi <= hi {
		p := &o.plan
		p.X, p.Y, p.bx, p.by, p.idx, p.lo, p.hi, p.seq = j.X, j.Y, j.bx, j.by, j.next[nlo:nhi], nlo, nhi, j.seq+1
		o.busy.Store(true)
	}
	return sq, err
}

// after gathers what chunk c planned to (step), once the chunk is counted
// done: a member does it while the caller adds the partial gradients and
// updates the model, and it reads nothing of the job the caller rewrites.
func (j *job) after(c int) {
	o := &j.out[c]
	if !o.busy.Load() {
		return
	}
	p := &o.plan
	batches.Gather(p.bx.Slice(p.lo, p.hi), p.X, p.by.Slice(p.lo, p.hi), p.Y, p.idx)
	o.ahead = gathered{seq: p.seq, idx: &p.idx[0], bx: &p.bx.Data[0], lo: p.lo, hi: p.hi}
	p.X, p.Y, p.bx, p.by, p.idx = linalg.Dense{}, linalg.Dense{}, linalg.Dense{}, linalg.Dense{}, nil
	o.busy.Store(false)
}

// busy reports whether chunk c's rows of the next batch are on their way.
func (j *job) busy(c int) bool { return j.out[c].busy.Load() }

// settle waits for the rows chunks are gathering ahead: before the caller
// writes the batch buffers itself or gives them back.
func (j *job) settle() {
	for c := range j.out {
		for j.out[c].busy.Load() {
			runtime.Gosched()
		}
	}
}

// gatheredAt is what a chunk gathered ahead for this job's rows lo…hi−1.
func (j *job) gatheredAt(lo, hi int) gathered {
	return gathered{seq: j.seq, idx: &j.idx[lo], bx: &j.bx.Data[0], lo: lo, hi: hi}
}

// train is chunk c's forward pass, loss and gradients over its rows X, Y.
func (j *job) train(c, lo, hi int, X, Y linalg.Dense) (float64, error) {
	m := j.m
	X, err := standardized(m.Std, j.xs, X, lo)
	if err != nil {
		return 0, err
	}
	in, out := m.In(), m.Out()
	g := j.grads[c]
	gW := linalg.Dense{Rows: out, Cols: in, Stride: in, Data: g[: out*in : out*in]}
	P := j.p.Slice(lo, hi)
	// P = X·Wᵀ + b, then the residuals R = P − T in place of P; ∂L/∂P = α·R,
	// ∂L/∂W = (∂L/∂P)ᵀ·X and ∂L/∂b = column sums of ∂L/∂P (when the model
	// has a bias), with α folded into the kernels.
	if err := linalg.MatMulBias(P, X, m.W, m.B); err != nil {
		return 0, err
	}
	sq, err := linalg.SqErr(P, P, Y)
	if err != nil {
		return 0, err
	}
	if err := linalg.GradW(gW, j.alpha, P, X, 0); err != nil {
		return 0, err
	}
	if m.B == nil { // no bias: no ∂L/∂b
		return float64(sq), nil
	}
	return float64(sq), linalg.ColSums(g[out*in:out*in+out], j.alpha, P, 0)
}

// eval is chunk c of Evaluate: the sum of squared errors over its rows,
// predicted pshare rows at a time into its part of p.
func (j *job) eval(c int) (float64, error) {
	lo, hi := span(c, j.X.Rows, j.share)
	p := j.p.Slice(c*j.pshare, (c+1)*j.pshare)
	var sq float64
	ahead := batches.Worth(j.X, j.Y)
	for b := lo; b < hi; b += j.pshare {
		e := min(b+j.pshare, hi)
		// The next block's rows are on their way while this one is
		// predicted.
		if n := min(j.pshare, hi-e, len(j.ident)); n > 0 && ahead {
			batches.Prefetch(j.X.Slice(e, e+n), j.Y.Slice(e, e+n), j.ident[:n])
		}
		P := p.Slice(0, e-b)
		X, err := standardized(j.m.Std, j.xs, j.X.Slice(b, e), c*j.pshare)
		if err != nil {
			return 0, err
		}
		if err := linalg.MatMulBias(P, X, j.m.W, j.m.B); err != nil {
			return 0, err
		}
		s, err := linalg.SqErrSum(P, j.Y.Slice(b, e))
		if err != nil {
			return 0, err
		}
		sq += float64(s)
	}
	return sq, nil
}

// SetWorkers sets how many goroutines share the trainer's steps, Evaluate
// and Predict, the caller's included: n ≥ 2 cuts every batch of more than 16
// rows into up to n chunks of consecutive rows, each worker computing the
// loss and partial gradients of its chunk, which the caller adds in chunk
// order before one update; 1 keeps all the work in the caller's goroutine;
// 0 restores the default, min(GOMAXPROCS, 4) with chunks of at least 16,384
// multiply-adds (rows·In·Out), so that a batch too small to pay stays in
// one goroutine. Results are the same, bit for bit, from run to run for a
// given n; different n round differently, each gradient element within a
// bound of a few float32 roundings of the sums it is made of (derived in
// parallel.go and tested). The n−1 goroutines are started here (NewTrainer
// calls SetWorkers(0)) and kept until Close; while idle they park. n is at
// most 32. SetWorkers allocates.
func (t *Trainer) SetWorkers(n int) error {
	if n < 0 || n > maxChunks {
		return fmt.Errorf("regress: SetWorkers: %d workers: want 0 (the default) to %d", n, maxChunks)
	}
	t.auto = n == 0
	if n == 0 {
		n = defaultWorkers()
	}
	t.Close()
	t.workers = n
	t.job.grads = t.job.grads[:1]
	for len(t.job.grads) < n {
		t.job.grads = append(t.job.grads, make([]float32, len(t.grad)))
	}
	t.job.out = make([]chunkOut, n)
	if n > 1 {
		t.team = newTeam(n, t.job.run, t.job.after, t.job.busy)
		t.cleanup = runtime.AddCleanup(t, (*team).close, t.team)
	}
	return nil
}

// Close ends the goroutines that share the trainer's work; the trainer goes
// on working, in the caller's goroutine alone. The garbage collector ends
// them too, once the trainer is unreachable. Close always returns nil.
func (t *Trainer) Close() error {
	if t.team != nil {
		t.cleanup.Stop()
		t.team.close()
		t.team = nil
	}
	t.workers = 1
	return nil
}

// chunksFor returns how many chunks of how many rows a job over rows rows
// of perRow multiply-adds each is split into.
func (t *Trainer) chunksFor(rows, perRow int) (chunks, share int) {
	w := t.workers
	if t.team == nil {
		w = 1
	}
	if t.auto && w > 1 && perRow < minChunkWork {
		w = min(w, rows/((minChunkWork+perRow-1)/perRow))
	}
	return split(rows, w)
}

// do runs the job posted in t.job over chunks chunks and returns the first
// chunk error, in chunk order.
func (t *Trainer) do(chunks int) error {
	j := t.job
	j.chunks = chunks
	j.seq++
	if t.team != nil {
		t.team.do(chunks, longJob(j.share, j.m.In(), j.m.Out()))
	} else {
		j.run(0)
		j.after(0)
	}
	// The team keeps the job: let go of the caller's rows.
	j.X, j.Y, j.bx, j.by, j.idx, j.next = linalg.Dense{}, linalg.Dense{}, linalg.Dense{}, linalg.Dense{}, nil, nil
	j.nx, j.ny = linalg.Dense{}, linalg.Dense{}
	for c := range chunks {
		if err := j.out[c].err; err != nil {
			return err
		}
	}
	return nil
}
