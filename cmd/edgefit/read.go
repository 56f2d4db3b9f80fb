package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/edgefit/edgefit/regress"
	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// What the commands read is bounded: a CSV row, field and column count by
// regress's limits (MaxCSVRow, MaxCSVField, MaxCSVColumns), an -init file by
// the size its weights can take, and train's working set (chunk buffers and
// least squares) by the memory allowed, checked before it is allocated.

// workMinBudget is the working memory train may always take, whatever
// -mem-mb: -mem-mb bounds the rows held in memory, down to none (0).
const workMinBudget = 256 << 20

// bufferRows returns the rows of train's chunk buffers: -chunk-rows, or fewer
// when a regular file cannot hold that many rows (every value takes two
// bytes at least, a digit and a separator). It refuses a run whose buffers,
// which grow with the number of columns, would not fit the memory allowed:
// chunk rows of k inputs and n targets, the least squares (O((k+n)²)
// float64) and the model's state.
func bufferRows(f *trainFlags, regular bool, k, n int) (int, error) {
	rows := chunkRows(f.chunk, f.batch)
	if regular {
		st, err := os.Stat(f.data)
		if err != nil {
			return 0, err
		}
		most := st.Size()/int64(2*(k+n)) + 1
		if most < int64(rows) {
			rows = int((most + int64(f.batch) - 1) / int64(f.batch) * int64(f.batch))
		}
	}
	return rows, checkWorkingSet(f, rows, k, n)
}

func checkWorkingSet(f *trainFlags, rows, k, n int) error {
	chunk := int64(rows)
	// float32 chunks (inputs, targets, predictions), and the float64 rows
	// of the passes that read float64 (two pairs in the first: passAhead).
	bufs := 4*chunk*int64(k+2*n) + 2*8*min(chunk, pass64Rows)*int64(k+n)
	// The QR's triangle and block of rows, and the solutions; with a ridge
	// term, the triangle of the penalised problem too.
	p := int64(k + n)
	ls := 8 * (2*p*p + 72*p + 4*int64(k)*int64(n))
	if f.ridge > 0 {
		ls += 8 * (p*p + p*int64(k))
	}
	model := 4 * 8 * int64(k+1) * int64(n) // weights, gradients, optimiser moments, best epoch
	allowed := max(int64(f.memMB)<<20, workMinBudget)
	if bufs+ls+model <= allowed {
		return nil
	}
	return fmt.Errorf("%s: %d input columns need %s (least squares %s, buffers of %d rows %s), over the %s allowed: use fewer inputs (-x), lower -chunk-rows or raise -mem-mb",
		f.data, k, mib(bufs+ls+model), mib(ls+model), chunk, mib(bufs), mib(allowed))
}

func mib(b int64) string { return strconv.FormatInt((b+1<<20-1)>>20, 10) + " MiB" }

// pipeBudgetError says that a -data that is not a regular file did not fit
// in memory.
func pipeBudgetError(f *trainFlags) error {
	return fmt.Errorf("%s is not a regular file (a pipe or a device), so it is read once, into memory, and its rows passed -mem-mb %d: save it to a file to train by streaming passes over it, or raise -mem-mb", f.data, f.memMB)
}

// readFileMax reads a file of at most limit bytes; what is what the file is,
// for the error.
func readFileMax(path, what string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s %s: larger than %s, more than its weights can take", what, path, sizeText(limit))
	}
	return b, nil
}

func sizeText(b int64) string {
	if b >= 1<<20 {
		return mib(b)
	}
	return strconv.FormatInt(b, 10) + " bytes"
}

// clipArg quotes a command-line argument for an error message, cut to about
// 60 characters.
func clipArg(s string) string {
	q := strconv.Quote(s)
	if len(q) <= 62 {
		return q
	}
	cut := 0
	for i := range s {
		if len(strconv.Quote(s[:i])) > 62 {
			break
		}
		cut = i
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// constantInputs returns the inputs nothing is learned from: the constant
// ones, or without a bias only those always 0 (a constant input is then the
// intercept's stand-in).
func constantInputs(w *regress.Welford, bias bool) []int {
	c := w.Constant()
	if bias {
		return c
	}
	var zero []int
	for _, p := range c {
		if w.Mean[p] == 0 {
			zero = append(zero, p)
		}
	}
	return zero
}

// constantWarning is the warning for input columns that never vary.
func constantWarning(names []string, idx []int) string {
	var b strings.Builder
	for i, p := range idx {
		if i > 0 {
			b.WriteString(", ")
		}
		if b.Len() > 150 {
			fmt.Fprintf(&b, "… (%d in all)", len(idx))
			break
		}
		b.WriteString(clipArg(names[p]))
	}
	s := "s are"
	if len(idx) == 1 {
		s = " is"
	}
	return fmt.Sprintf("warning: input column%s constant in the training rows, so nothing is learned from them: %s", s, b.String())
}

// predictCSV predicts the rows of a CSV file (with or without a header, see
// data.NewCSVInputReader) one at a time: each is read into x, then
// predict is called with a function naming where the row is (file:line).
func predictCSV(in io.Reader, name string, mf *modelfile.File, x []float32, predict func(where func() string) error) error {
	cr, err := data.NewCSVInputReader(in, name, mf.In, mf.Inputs)
	if err != nil {
		return err
	}
	rows := 0
	for {
		err := cr.Next(x, nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := predict(func() string { return fmt.Sprintf("%s:%d", name, cr.Line()) }); err != nil {
			return err
		}
		rows++
	}
	if rows == 0 {
		return fmt.Errorf("%s: no rows to predict", name)
	}
	return nil
}
