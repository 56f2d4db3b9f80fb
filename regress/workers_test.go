package regress

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefit/edgefit/internal/zeroalloc"
	"github.com/edgefit/edgefit/linalg"
	"github.com/edgefit/edgefit/regress/data"
)

// newTrainerW returns a trainer with the given workers over a copy of m.
func newTrainerW(t testing.TB, m *Linear, opt Optimizer, batch, workers int) *Trainer {
	t.Helper()
	tr, err := NewTrainer(m.Clone(), MSE, opt, batch)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.SetWorkers(workers); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

var testOptimizers = map[string]func() Optimizer{
	"sgd": func() Optimizer { return must(NewSGD(SGDConfig{LR: 1e-3})) },
	"nesterov": func() Optimizer {
		return must(NewSGD(SGDConfig{LR: 1e-3, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-3}))
	},
	"adam": func() Optimizer { return must(NewAdam(AdamDefaults(1e-3))) },
}

// With a given number of workers, training is the same, bit for bit, from
// run to run, whichever goroutine runs which chunk (here, the caller runs
// them all in the second run), and an epoch is exactly the steps on the
// batches data.Loader.Next gathers, in order (no rows gathered ahead are
// stale).
func TestWorkersDeterministic(t *testing.T) {
	ds := mediumData(t, 1003, 16, 3)
	m0 := must(NewLinear(16, 3, 5))
	ctx := context.Background()
	for name, opt := range testOptimizers {
		for _, cfg := range []data.LoaderConfig{
			{BatchSize: 1, Shuffle: true, Seed: 1},
			{BatchSize: 100, Shuffle: true, Seed: 3, DropLast: true},
			{BatchSize: 333, Seed: 4},
			{BatchSize: 2000, Shuffle: true, Seed: 5},
		} {
			for _, w := range []int{1, 2, 3, 4, 0} {
				a := newTrainerW(t, m0, opt(), cfg.BatchSize, w)
				b := newTrainerW(t, m0, opt(), cfg.BatchSize, w)
				if b.team != nil {
					b.team.solo = math.MaxInt // the caller runs every chunk
				}
				// And with the batches data.Loader.Next gathers, which
				// no worker gathers ahead.
				c := newTrainerW(t, m0, opt(), cfg.BatchSize, w)
				la, lb, lc := must(data.NewLoader(ds, cfg)), must(data.NewLoader(ds, cfg)), must(data.NewLoader(ds, cfg))
				for epoch := range 3 {
					what := fmt.Sprintf("%s, %+v, %d workers, epoch %d", name, cfg, w, epoch)
					sa, erra := a.Epoch(ctx, la)
					var sb EpochStats
					var errb error
					if w == 1 {
						sb, errb = epochByNext(b, lb)
					} else {
						sb, errb = b.Epoch(ctx, lb)
					}
					if erra != nil || errb != nil || sa != sb {
						t.Fatalf("%s: %+v (%v), then %+v (%v)", what, sa, erra, sb, errb)
					}
					if !equal(a.model.Params(), b.model.Params()) {
						t.Fatalf("%s: the parameters differ", what)
					}
					if sc, err := epochByNext(c, lc); err != nil || sc != sa || !equal(a.model.Params(), c.model.Params()) {
						t.Fatalf("%s: %+v, by Next %+v (%v)", what, sa, sc, err)
					}
				}
			}
		}
	}
}

// epochByNext is Trainer.Epoch written with data.Loader.Next and Step.
func epochByNext(tr *Trainer, l *data.Loader) (EpochStats, error) {
	var st EpochStats
	if err := l.Reset(); err != nil {
		return st, err
	}
	var sq float64
	var elems int
	for {
		X, Y, ok := l.Next()
		if !ok {
			break
		}
		loss, err := tr.Step(X, Y)
		if err != nil {
			return st, err
		}
		n := X.Rows * Y.Cols
		sq += float64(loss) / float64(tr.loss.scale(n))
		elems += n
		st.Batches++
		st.Rows += X.Rows
		st.LastBatchLoss = loss
	}
	st.Loss = tr.loss.fromSum(float32(sq), elems)
	return st, nil
}

// gamma is γₘ = m·u/(1−m·u) for float32's unit roundoff u = 2⁻²⁴.
func gamma(m int) float64 {
	const u = 1.0 / (1 << 24)
	return float64(m) * u / (1 - float64(m)*u)
}

// A step's gradients and loss, Evaluate and Predict with W workers differ
// from one worker's by at most the bounds derived in parallel.go.
func TestWorkersWithinBound(t *testing.T) {
	for _, s := range []struct{ rows, in, out, batch int }{{256, 64, 8, 256}, {100, 16, 3, 100}, {1000, 7, 5, 1000}, {37, 64, 8, 64}, {500, 64, 8, 100}} {
		ds := mediumData(t, s.rows, s.in, s.out)
		X, Y := ds.X, ds.Y
		m0 := must(NewLinear(s.in, s.out, 9))
		one := newTrainerW(t, m0, newSGD(t, 1e-3), s.rows, 1)
		loss1 := must(one.Backward(X, Y))
		g1 := append([]float32(nil), one.Gradients()...)
		P1 := must(linalg.New(s.rows, s.out))
		one.Predict(P1, X)
		evalT := newTrainerW(t, m0, newSGD(t, 1e-3), s.batch, 1)
		eval1 := must(evalT.Evaluate(X, Y))
		b := stepBounds(X, Y, P1, m0, s.batch)
		for _, w := range []int{2, 3, 4, 7} {
			what := fmt.Sprintf("%+v, %d workers", s, w)
			tw := newTrainerW(t, m0, newSGD(t, 1e-3), s.rows, w)
			loss := must(tw.Backward(X, Y))
			for i, v := range tw.Gradients() {
				if d := math.Abs(float64(v) - float64(g1[i])); d > b.grad[i] {
					t.Fatalf("%s: gradient %d is %v, one worker's %v: %g apart, bound %g", what, i, v, g1[i], d, b.grad[i])
				}
			}
			n := float64(s.rows * s.out)
			if d := math.Abs(float64(loss)-float64(loss1)) * n; d > b.sq {
				t.Fatalf("%s: loss %v, one worker's %v", what, loss, loss1)
			}
			P := must(linalg.New(s.rows, s.out))
			tw.Predict(P, X)
			for i := range s.rows {
				for j := range s.out {
					if d := math.Abs(float64(P.At(i, j) - P1.At(i, j))); d > b.pred[i*s.out+j] {
						t.Fatalf("%s: prediction %d,%d is %v, one worker's %v", what, i, j, P.At(i, j), P1.At(i, j))
					}
				}
			}
			ev := newTrainerW(t, m0, newSGD(t, 1e-3), s.batch, w)
			if d := math.Abs(float64(must(ev.Evaluate(X, Y))-eval1)) * n; d > b.eval {
				t.Fatalf("%s: Evaluate differs from one worker's by %g, bound %g", what, d/n, b.eval/n)
			}
		}
	}
}

// bounds are parallel.go's bounds for a step over X, Y with model m.
type bounds struct {
	grad     []float64
	sq, eval float64
	pred     []float64 // row by row
}

// stepBounds computes the bounds from the data, the model and one worker's
// predictions P.
func stepBounds(X, Y, P linalg.Dense, m *Linear, batch int) bounds {
	rows, in, out := X.Rows, X.Cols, Y.Cols
	b := bounds{grad: make([]float64, out*in+out), pred: make([]float64, rows*out)}
	alpha := math.Abs(float64(MSE.gradScale(rows * out)))
	gIn, gRows := 2*gamma(in+2), 2*gamma(rows+2)
	var sqLo, sqHi float64
	for i := range rows {
		for j := range out {
			f := math.Abs(float64(m.B[j]))
			for k := range in {
				f += math.Abs(float64(X.At(i, k)) * float64(m.W.At(j, k)))
			}
			y := float64(Y.At(i, j))
			e := gIn * (f + math.Abs(y))
			b.pred[i*out+j] = gIn * f
			r := math.Abs(float64(P.At(i, j)) - y)
			for k := range in {
				x := math.Abs(float64(X.At(i, k)))
				b.grad[j*in+k] += alpha * (e*x + gRows*(r+e)*x)
			}
			b.grad[out*in+j] += alpha * (e + gRows*(r+e))
			sqLo += 2*r*e + e*e
			sqHi += (r + e) * (r + e)
		}
	}
	b.sq = sqLo + 2*gamma(rows*out+2)*sqHi
	b.eval = sqLo + 2*gamma(batch*out+2)*sqHi
	return b
}

// memberStates returns the scheduler states of tm's goroutines, from a dump
// of every goroutine's stack ("select" when parked).
func memberStates(tm *team) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	head := regexp.MustCompile(`^goroutine \d+ \[([a-z ]+)`)
	self := fmt.Sprintf("regress.(*team).member(%p", tm)
	var states []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if m := head.FindStringSubmatch(g); m != nil && strings.Contains(g, self) {
			states = append(states, m[1])
		}
	}
	return states
}

// waitStates waits (up to a minute, on a busy machine) for tm's goroutines
// to be n, all parked, and fails with their states if they are not.
func waitStates(t *testing.T, tm *team, n int) {
	t.Helper()
	var st []string
	for end := time.Now().Add(time.Minute); time.Now().Before(end); {
		st = memberStates(tm)
		parked := 0
		for _, s := range st {
			if s == "select" {
				parked++
			}
		}
		if len(st) == n && parked == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the team's goroutines: %q, want %d parked", st, n)
}

// After a run the workers park (an idle trainer burns no CPU); Close ends
// them and the trainer goes on in one goroutine; so does the garbage
// collector, for a trainer dropped without Close.
func TestWorkersParkAndClose(t *testing.T) {
	ds := mediumData(t, 2000, 32, 4)
	m0 := must(NewLinear(32, 4, 1))
	tr := newTrainerW(t, m0, newSGD(t, 1e-3), 256, 3)
	one := newTrainerW(t, m0, newSGD(t, 1e-3), 256, 1)
	l := must(data.NewLoader(ds, data.LoaderConfig{BatchSize: 256, Shuffle: true}))
	ctx := context.Background()
	if _, err := tr.Epoch(ctx, l); err != nil {
		t.Fatal(err)
	}
	tm := tr.team
	waitStates(t, tm, 2)
	tr.Close()
	tr.Close() // twice is fine
	if st := memberStates(tm); len(st) != 0 {
		t.Fatalf("after Close: %q", st)
	}
	copy(tr.model.Params(), one.model.Params())
	la := must(data.NewLoader(ds, data.LoaderConfig{BatchSize: 256, Shuffle: true, Seed: 2}))
	lb := must(data.NewLoader(ds, data.LoaderConfig{BatchSize: 256, Shuffle: true, Seed: 2}))
	for range 2 {
		sa, erra := tr.Epoch(ctx, la)
		sb, errb := one.Epoch(ctx, lb)
		if erra != nil || errb != nil || sa != sb || !equal(tr.model.Params(), one.model.Params()) {
			t.Fatalf("after Close: %+v (%v), one worker %+v (%v)", sa, erra, sb, errb)
		}
	}
	tm = func() *team {
		tr := must(NewTrainer(m0.Clone(), MSE, newSGD(t, 1e-3), 256))
		tr.SetWorkers(2)
		tr.Epoch(ctx, l)
		return tr.team
	}()
	for range 1000 {
		runtime.GC()
		if len(memberStates(tm)) == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the goroutines of a trainer dropped without Close are still there")
}

// Workers take part in nothing that allocates: steps, epochs, Evaluate and
// Predict with every count of workers, with and without Std.
func TestWorkersNoAllocations(t *testing.T) {
	ds := mediumData(t, 3000, 64, 8)
	X, Y := ds.X.Slice(0, 256), ds.Y.Slice(0, 256)
	P := must(linalg.New(ds.Len(), 8))
	ctx := context.Background()
	wf := must(NewWelford(64))
	wf.AddRows(ds.X)
	for i, w := range []int{0, 1, 2, 4, 2} {
		m := must(NewLinear(64, 8, 1))
		if i == 4 {
			m.Std = wf.Standardizer()
		}
		tr := newTrainerW(t, m, newSGD(t, 1e-4), 256, w)
		l := must(data.NewLoader(ds, data.LoaderConfig{BatchSize: 256, Shuffle: true}))
		var err error
		for name, f := range map[string]func(){
			"Step":     func() { _, err = tr.Step(X, Y) },
			"Epoch":    func() { _, err = tr.Epoch(ctx, l) },
			"Evaluate": func() { _, err = tr.Evaluate(ds.X, ds.Y) },
			"Predict":  func() { err = tr.Predict(P, ds.X) },
		} {
			if a := zeroalloc.AllocsPerRun(20, f); a != 0 || err != nil {
				t.Errorf("%d workers (Std %v): %s: %v allocations per run (err %v), want 0", w, m.Std != nil, name, a, err)
			}
		}
	}
}

// SetWorkers refuses counts it cannot run; the default splits only batches
// large enough to pay.
func TestSetWorkers(t *testing.T) {
	tr := must(NewTrainer(must(NewLinear(64, 8, 1)), MSE, newSGD(t, 1e-3), 1024))
	defer tr.Close()
	for _, n := range []int{-1, maxChunks + 1} {
		if err := tr.SetWorkers(n); err == nil || !strings.HasPrefix(err.Error(), "regress: SetWorkers: ") {
			t.Errorf("SetWorkers(%d): %v", n, err)
		}
	}
	tr.SetWorkers(0)
	w := tr.workers
	if w != min(runtime.GOMAXPROCS(0), 4) {
		t.Errorf("default workers %d, want min(GOMAXPROCS, 4)", w)
	}
	perRow := 64 * 8
	for _, rows := range []int{1, 16, 31, 32, 64, 256, 1024} {
		chunks, _ := tr.chunksFor(rows, perRow)
		want := max(1, min(w, rows*perRow/minChunkWork))
		if want > 1 {
			want, _ = split(rows, want)
		}
		if chunks != want {
			t.Errorf("%d rows of %d: %d chunks, want %d", rows, perRow, chunks, want)
		}
	}
	tr.SetWorkers(3)
	for _, rows := range []int{1, 16, 17, 33, 48, 49, 1000} {
		chunks, share := tr.chunksFor(rows, perRow)
		if chunks < 1 || chunks > 3 || share%chunkAlign != 0 && chunks > 1 || (chunks-1)*share >= rows {
			t.Errorf("%d rows over 3 workers: %d chunks of %d", rows, chunks, share)
		}
	}
}

// The caller runs its jobs alone as counted, then posts only to a member
// that is awake: when all are parked it wakes them and runs the job alone.
func TestTeamPostsOnlyToAwake(t *testing.T) {
	tm := newTeam(2, func(int) {}, func(int) {}, func(int) bool { return false })
	defer tm.close()
	tm.solo = 2
	for i := range 2 {
		if share, _ := tm.post(1, false); share || tm.solo != 1-i {
			t.Fatalf("job %d alone: posted, or solo %d", i, tm.solo)
		}
	}
	p := &tm.members[0].parked
	for end := time.Now().Add(time.Minute); !p.sleeping.Load(); {
		if time.Now().After(end) {
			t.Fatal("the idle member does not park")
		}
		runtime.Gosched()
	}
	if share, _ := tm.post(1, false); share {
		t.Fatal("posted to a parked member")
	}
	for end := time.Now().Add(time.Minute); ; {
		if share, _ := tm.post(1, false); share {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the member woken by post is not taken back")
		}
		runtime.Gosched()
	}
}

// A member the caller woke runs no job until it is up, and one still parked
// wakeGrace after (a thread other programs keep from running) makes the
// caller run alone for twice as many jobs each time in a row, waking it
// again in its last jobs alone; once it is up, the caller shares.
func TestTeamBacksOffWhileMembersStayParked(t *testing.T) {
	tm := &team{members: make([]member, 1)}
	m := &tm.members[0]
	m.parked.init()
	m.parked.sleeping.Store(true)
	for range 3 { // waking: no backoff
		if share, _ := tm.post(1, false); share || tm.solo != 0 || tm.wokeAt.IsZero() {
			t.Fatalf("posts to a member being woken: share %v, solo %d, woke at %v", share, tm.solo, tm.wokeAt)
		}
	}
	for want := 1; want <= 2*maxSolo; want *= 2 {
		tm.wokeAt = tm.wokeAt.Add(-2 * wakeGrace) // long enough ago
		if share, _ := tm.post(1, false); share || tm.solo != min(want, maxSolo) {
			t.Fatalf("member still parked: share %v, solo %d, want %d", share, tm.solo, min(want, maxSolo))
		}
		for tm.solo > 0 {
			select {
			case <-m.parked.ch:
			default:
			}
			solo := tm.solo
			if share, _ := tm.post(1, false); share {
				t.Fatal("shared a job it was to run alone")
			}
			if woke := len(m.parked.ch) == 1; woke != (solo <= wakeBefore) {
				t.Fatalf("%d jobs alone left: woke the member %v", solo, woke)
			}
		}
	}
	m.parked.sleeping.Store(false)
	if share, _ := tm.post(1, false); !share || !tm.wokeAt.IsZero() {
		t.Fatalf("member up: share %v, woke at %v", share, tm.wokeAt)
	}
}

// With one member parked and another awake, the caller wakes the parked one
// and shares the job with the awake one.
func TestTeamSharesWithAwakeWhileWaking(t *testing.T) {
	tm := &team{members: make([]member, 2)}
	for i := range tm.members {
		tm.members[i].parked.init()
	}
	tm.members[0].parked.sleeping.Store(true)
	if share, _ := tm.post(2, false); !share || tm.wokeAt.IsZero() || len(tm.members[0].parked.ch) != 1 {
		t.Fatalf("share %v, woke at %v, wake-ups sent %d", share, tm.wokeAt, len(tm.members[0].parked.ch))
	}
}

// A long job goes to parked members too: the caller wakes them and posts it
// (waking pays for a chunk that long), the member runs its chunk while the
// caller runs its own, and the job neither counts down nor sets the jobs the
// caller runs alone.
func TestTeamSharesLongJobsWithParked(t *testing.T) {
	var started atomic.Bool // chunk 1 has started
	var concurrent atomic.Bool
	work := func(c int) {
		if c == 1 {
			started.Store(true)
			return
		}
		// Chunk 0 waits for chunk 1 to start elsewhere, which it never
		// does if the caller runs the job alone.
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); runtime.Gosched() {
			if started.Load() {
				concurrent.Store(true)
				return
			}
		}
	}
	tm := newTeam(2, work, func(int) {}, func(int) bool { return false })
	defer tm.close()
	p := &tm.members[0].parked
	for end := time.Now().Add(time.Minute); !p.sleeping.Load(); {
		if time.Now().After(end) {
			t.Fatal("the idle member does not park")
		}
		runtime.Gosched()
	}
	tm.solo = 3
	tm.do(2, true)
	if !concurrent.Load() || tm.solo != 3 || tm.backoff != 0 {
		t.Fatalf("long job with a parked member: chunk 1 ran beside chunk 0 %v, solo %d (want 3), backoff %d", concurrent.Load(), tm.solo, tm.backoff)
	}
	// A member that never comes: the caller runs its chunk too, and a
	// short job would now be run alone; a long one is not counted.
	ran := 0
	gone := &team{work: func(int) { ran++ }, after: func(int) {}, busy: func(int) bool { return false }, members: make([]member, 1)}
	gone.caller.init()
	gone.members[0].parked.init()
	gone.members[0].parked.sleeping.Store(true)
	gone.do(2, true)
	if ran != 2 || gone.solo != 0 || gone.backoff != 0 || len(gone.members[0].parked.ch) != 1 {
		t.Fatalf("long job, member gone: %d chunks run, solo %d, backoff %d, wake-ups %d", ran, gone.solo, gone.backoff, len(gone.members[0].parked.ch))
	}
}

// Which jobs wake parked workers: Evaluate over the validation tenth of the
// README's 1,000,000-row CSV (16 → 2) and over BenchmarkEvaluate's 100,000
// rows (64 → 8) with two workers; not a step of 256 or 4,096 rows.
func TestLongJobs(t *testing.T) {
	for _, c := range []struct {
		share, in, out int
		want           bool
	}{
		{50_000, 16, 2, true},
		{50_000, 64, 8, true},
		{128, 64, 8, false},
		{2048, 64, 8, false},
		{1 << 20, 1, 1, true},
		{1 << 18, 1, 1, false},
	} {
		if got := longJob(c.share, c.in, c.out); got != c.want {
			t.Errorf("chunks of %d rows, %d → %d: long %v, want %v", c.share, c.in, c.out, got, c.want)
		}
	}
}
