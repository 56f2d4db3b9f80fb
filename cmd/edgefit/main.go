// Command edgefit trains and runs linear regression models on the edgefit
// kernels.
//
// With no arguments it runs the PyTorch tutorial's crop model end to end
// ("the main job"); the subcommands train on a CSV file, predict, evaluate,
// benchmark the kernels and describe the machine:
//
//	edgefit                                   the tutorial's crop model
//	edgefit train -data FILE.csv -y COLS ...  train, optionally save a model
//	edgefit predict -model MODEL [ROW ...]    predict rows
//	edgefit eval -model MODEL -data FILE.csv  MSE, RMSE, MAE, R² per output
//	edgefit serve -model MODEL [-addr A]      serve predictions over HTTP
//	edgefit stats -data FILE.csv -y COLS -o F a device's least-squares stats
//	edgefit solve -stats A,B,... [-o MODEL]   merge stats: the exact model
//	edgefit bench                             the kernel table
//	edgefit info [-model MODEL]               CPU features and kernels chosen, or a model file
//
// Every mistake in the input is one line on stderr and exit status 2.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// env is what a command reads and writes, so that tests run commands in
// process with their own streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	tty            bool // stderr is a terminal: draw the progress bar
}

var commands = []struct {
	name, summary string
	run           func(e *env, args []string) error
}{
	{"train", "train a model on a CSV file", cmdTrain},
	{"predict", "predict rows with a saved model", cmdPredict},
	{"eval", "evaluate a saved model on a CSV file", cmdEval},
	{"serve", "serve predictions of a saved model over HTTP", cmdServe},
	{"stats", "write a CSV file's least-squares statistics, to merge", cmdStats},
	{"solve", "merge stats files into the exact least-squares model", cmdSolve},
	{"bench", "measure the kernels against the machine's peak", cmdBench},
	{"info", "show the CPU features seen and the kernels chosen, or describe a model file", cmdInfo},
}

func main() {
	tty := false
	if st, err := os.Stderr.Stat(); err == nil {
		tty = st.Mode()&os.ModeCharDevice != 0
	}
	os.Exit(run(os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, tty: tty}))
}

// run runs one command and returns the exit status: 0, or 2 after printing
// one line on stderr.
func run(args []string, e *env) (code int) {
	out := bufio.NewWriter(e.stdout)
	e.stdout = out
	name := "edgefit"
	defer func() {
		if r := recover(); r != nil {
			out.Flush()
			fmt.Fprintf(e.stderr, "%s: internal error: %v\n", name, oneLine(fmt.Sprint(r)))
			code = 2
		}
	}()
	var err error
	switch {
	case len(args) == 0:
		err = cmdTutorial(e)
	case args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		usage(e.stdout)
	default:
		err = fmt.Errorf("unknown command %q (want train, predict, eval, serve, stats, solve, bench or info; edgefit help lists them)", args[0])
		for _, c := range commands {
			if c.name == args[0] {
				name = "edgefit " + c.name
				err = c.run(e, args[1:])
			}
		}
	}
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %s\n", name, oneLine(userText(err.Error())))
		return 2
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: edgefit [command] [flags]")
	fmt.Fprintln(w, "\nWith no command, trains the PyTorch tutorial's crop model on its 15 rows.")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nedgefit COMMAND -h lists a command's flags.")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// flagSet is a command's flags and its -h text.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// newFlags returns a flag set whose errors come back as errors (printed as
// one line on stderr by run) and whose -h prints the flags on stdout, where
// a user asking for them can page them. A bad flag never prints the usage:
// stdout may be a file meant for results.
func newFlags(e *env, name, synopsis string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the flag package calls it on every error
	fs.help = func() {
		fmt.Fprintf(e.stdout, "usage: edgefit %s %s\n\nflags:\n", name, synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses flags; flags may follow positional arguments too, and every
// argument after "--" is positional.
func parse(fs *flagSet, args []string) ([]string, error) {
	var pos, rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, err
			}
			return nil, fmt.Errorf("%v (edgefit %s -h lists the flags)", err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
