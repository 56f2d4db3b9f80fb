package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/edgefit/edgefit/regress/modelfile"
)

// checkOutput checks, before anything is read or trained, that the model
// can be saved to out: it is none of the inputs (by identity, so hard and
// symbolic links count), it is a regular file if it exists, and its
// directory takes a new file.
func checkOutput(out string, inputs map[string]string) error {
	if out == "" {
		return nil
	}
	if ost, err := os.Stat(out); err == nil {
		for flag, in := range inputs {
			if ist, err := os.Stat(in); err == nil && os.SameFile(ost, ist) {
				return fmt.Errorf("-o %s is the same file as %s %s: refusing to overwrite an input", out, flag, in)
			}
		}
	}
	if err := modelfile.CheckPath(out); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("-o %s: %v", out, pe.Err)
		}
		return fmt.Errorf("-o %s", strings.TrimPrefix(err.Error(), "modelfile: saving model: "))
	}
	dir := filepath.Dir(out)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("-o %s: directory %s does not exist", out, dir)
	}
	// The only sure test that the directory takes a file is making one
	// (permissions, a read-only mount, ACLs all count).
	probe, err := os.CreateTemp(dir, ".edgefit-probe*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("-o %s: cannot write in directory %s: %v", out, dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// flush writes out what w buffers, when it buffers (run gives commands a
// buffered stdout).
func flush(w any) error {
	if f, ok := w.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// report writes the results and saves the model: the model goes in place
// only once the results are on stdout, so that every failure (a full disk
// or a closed pipe on stdout, an interrupt) leaves no model file. The chart
// and notes go to stderr last, so that a failure leaves stderr one line.
func report(ctx context.Context, e *env, f *trainFlags, res *trainResult) error {
	if f.out == "" {
		if err := res.print(e, f); err != nil {
			return err
		}
		if err := flush(e.stdout); err != nil {
			return err
		}
		res.printNotes(e, f)
		return nil
	}
	res.Model = f.out
	var printErr error
	err := modelfile.SaveIf(f.out, res.mf, func() error {
		if err := ctx.Err(); err != nil {
			return err // interrupted while the model was written
		}
		if printErr = res.print(e, f); printErr == nil {
			printErr = flush(e.stdout)
		}
		return printErr
	})
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted: no model written")
	}
	if err != nil && err == printErr {
		return fmt.Errorf("writing the results: %v (no model written)", err)
	}
	if err != nil {
		return fmt.Errorf("saving the model: %v", err)
	}
	res.printNotes(e, f)
	return nil
}
