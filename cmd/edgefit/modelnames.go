package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/edgefit/edgefit/regress/data"
	"github.com/edgefit/edgefit/regress/modelfile"
)

// nameFlags are -inputs and -outputs, which name the columns of a model file
// that has no names (a PyTorch file) or rename those of one that has.
type nameFlags struct{ inputs, outputs *string }

func addNameFlags(fs *flagSet) nameFlags {
	return nameFlags{
		fs.String("inputs", "", "the model's input column `names`, comma-separated, in order (for a model without names, such as a PyTorch file)"),
		fs.String("outputs", "", "the model's output column `names`, comma-separated, in order"),
	}
}

// apply sets the model's column names from the flags given.
func (n nameFlags) apply(mf *modelfile.File) error {
	for _, c := range []struct {
		flag, kind string
		s          *string
		want       int
		dst        *[]string
	}{{"-inputs", "input", n.inputs, mf.In, &mf.Inputs}, {"-outputs", "output", n.outputs, mf.Out, &mf.Outputs}} {
		if *c.s == "" {
			continue
		}
		names := splitNames(*c.s)
		if len(names) != c.want {
			return fmt.Errorf("%s: %d names for the model's %d %ss", c.flag, len(names), c.want, c.kind)
		}
		*c.dst = names
	}
	return nil
}

// modelKind says, in an error, where a model without names came from.
func modelKind(mf *modelfile.File) string {
	if mf.Source == modelfile.SourcePyTorch {
		return "a " + mf.Source + " model, which has no column names"
	}
	return "a model without column names"
}

// namesByPosition names an unnamed model's columns after the header of the
// CSV file path: its first In columns are the inputs, the next Out the
// outputs, the order in which the model was trained.
func namesByPosition(path, modelPath string, mf *modelfile.File) error {
	fail := func(why string) error {
		return fmt.Errorf("%s: %s, and %s: name the columns with -inputs and -outputs", modelPath, modelKind(mf), why)
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return fail(path + " is not a regular file to read the header of first")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(io.LimitReader(f, data.MaxCSVRow))
	cr.TrimLeadingSpace, cr.Comment, cr.FieldsPerRecord = true, '#', -1
	rec, err := cr.Read()
	if err != nil || len(rec) != mf.In+mf.Out {
		return fail(fmt.Sprintf("the header of %s does not have %d columns (%d inputs, then %d outputs) to take by position", path, mf.In+mf.Out, mf.In, mf.Out))
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(strings.TrimPrefix(rec[i], "\ufeff"))
	}
	if mf.Inputs == nil {
		mf.Inputs = rec[:mf.In]
	}
	if mf.Outputs == nil {
		mf.Outputs = rec[mf.In:]
	}
	return nil
}
