//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The hostile cases of edgefit stats and edgefit solve: stats files that are
// corrupt, truncated, of other columns, of another model or version, not
// files, or named twice; outputs that are inputs; input the stats pass
// refuses. The stats files are made by the command in each case's
// directory (madeStats), then damaged.
var statsCases = []hostileCase{
	{name: "a corrupt stats file", args: args("solve -stats a.stats,b.stats -o m2.st"), setup: both(madeStats("a.stats", "apples,oranges"), damaged("b.stats", flipLast)), want: `^edgefit solve: b\.stats: not a valid edgefit stats file: CRC-32 of the data is [0-9a-f]{8}, the header says "[0-9a-f]{8}": the file is corrupt$`},
	{name: "a truncated stats file", args: args("solve -stats a.stats,b.stats"), setup: both(madeStats("a.stats", "apples,oranges"), damaged("b.stats", func(b []byte) []byte { return b[:len(b)-100] })), want: `^edgefit solve: b\.stats: not a valid edgefit stats file: tensor "\w+": data offsets .* \(file truncated\?\)$`, readme: true},
	{name: "stats of other columns", args: args("solve -stats a.stats,b.stats -o m2.st"), setup: both(madeStats("a.stats", "apples,oranges"), madeStats("b.stats", "apples")), want: `^edgefit solve: b\.stats: stats of columns "temp,rainfall,humidity,oranges" → "apples", a\.stats has "temp,rainfall,humidity" → "apples,oranges": merge only stats of the same columns, in the same order$`, readme: true},
	{name: "stats of the columns in another order", args: args("solve -stats a.stats,b.stats"), setup: both(madeStats("a.stats", "apples,oranges"), madeStats("b.stats", "oranges,apples")), want: `^edgefit solve: b\.stats: stats of columns .* → "oranges,apples", a\.stats has .* → "apples,oranges"`},
	{name: "stats with and without an intercept", args: args("solve -stats a.stats,b.stats"), setup: both(madeStats("a.stats", "apples"), madeStats("b.stats", "apples", "-bias=false")), want: `^edgefit solve: b\.stats: stats without an intercept \(-bias=false\), a\.stats has them with an intercept: merge only stats of the same model$`},
	{name: "a stats file of a newer version", args: args("solve -stats a.stats,b.stats"), setup: both(madeStats("a.stats", "apples"), damaged("b.stats", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"format_version":"1"`), []byte(`"format_version":"2"`), 1)
	})), want: `^edgefit solve: b\.stats: not a valid edgefit stats file: format version 2 is newer than this program reads \(1\)$`, readme: true},
	{name: "a model file as a stats file", args: args("solve -stats m.st"), want: `^edgefit solve: m\.st: not a valid edgefit stats file: __metadata__ has "format": "edgefit" \(a model file\), want "edgefit-stats"$`},
	{name: "a stats file as a model", args: args("predict -model a.stats 1,2,3"), setup: madeStats("a.stats", "apples"), want: `^edgefit predict: a\.stats: not a valid edgefit model file: __metadata__ has "format": "edgefit-stats", want "edgefit" or "pt" \(PyTorch\)$`},
	{name: "-stats is a directory", args: args("solve -stats sub"), setup: mkdir("sub"), want: `^edgefit solve: sub: not a regular file$`},
	{name: "-stats is a FIFO", args: args("solve -stats a.stats,fifo"), setup: both(madeStats("a.stats", "apples"), mkfifo("fifo")), want: `^edgefit solve: fifo: not a regular file$`},
	{name: "-stats names a missing file", args: args("solve -stats a.stats,none.stats"), setup: madeStats("a.stats", "apples"), want: `^edgefit solve: open none\.stats: no such file or directory$`},
	{name: "-o is one of the stats files", args: args("solve -stats a.stats,b.stats -o b.stats"), setup: both(madeStats("a.stats", "apples"), madeStats("b.stats", "apples")), want: `^edgefit solve: -o b\.stats is the same file as -stats b\.stats: refusing to overwrite an input$`, readme: true},
	{name: "a stats file named twice (a hard link)", args: args("solve -stats a.stats,h.stats"), setup: both(madeStats("a.stats", "apples"), link("a.stats", "h.stats")), want: `^edgefit solve: -stats names a\.stats and h\.stats, the same file: its rows would count twice$`},
	{name: "stats of a constant input", args: args("solve -stats c.stats -o m2.st"), files: map[string]string{"c.csv": "a,b,y\n1,5,2\n2,5,3\n3,5,5\n"}, setup: statsOfCSV("c.stats", "c.csv", "y"), want: `^edgefit solve: least squares: XᵀX is singular: input "b" is constant or a linear combination of the inputs before it$`},
	{name: "solve -ridge below 0", args: args("solve -stats a.stats -ridge -1"), setup: madeStats("a.stats", "apples"), want: `^edgefit solve: -ridge -1: want a finite number ≥ 0$`},
	{name: "solve without -stats", args: args("solve -o m2.st"), want: `^edgefit solve: -stats is required`},
	{name: "solve with stdout full", args: args("solve -stats a.stats -o m2.st"), setup: madeStats("a.stats", "apples"), stdout: "full", want: `^edgefit solve: writing the results: .*no space left on device \(no model written\)$`},
	{name: "stats -o is the data", args: args("stats -data d.csv -y apples -o d.csv"), want: `^edgefit stats: -o d\.csv is the same file as -data d\.csv: refusing to overwrite an input$`},
	{name: "stats -o is a directory", args: args("stats -data d.csv -y apples -o sub"), setup: mkdir("sub"), want: `^edgefit stats: -o sub is a directory, not a regular file: refusing to replace it$`},
	{name: "stats without -o", args: args("stats -data d.csv -y apples"), want: `^edgefit stats: -o is required: the stats file to write$`},
	{name: "stats of a CSV with a bad value", args: args("stats -data bad.csv -y y -o b.stats"), files: map[string]string{"bad.csv": "a,y\n1,2\n1,x\n"}, want: `^edgefit stats: bad\.csv:3:3: column "y": "x" is not a number`},
	{name: "stats of a CSV without rows", args: args("stats -data e.csv -y y -o b.stats"), files: map[string]string{"e.csv": "a,y\n"}, want: `^edgefit stats: e\.csv: no data rows after the header$`},
	{name: "stats: SIGINT while reading the data", args: args("stats -data /dev/stdin -y y -o b.stats"), stdinGen: stream("a,b,y\n", "1,2,3\n4,6,5\n2,9,1\n", huge), signal: syscall.SIGINT, sigAfter: 1 << 20, memMB: 200, want: `^edgefit stats: interrupted: no stats file written$`},
	{name: "stats with stdout full", args: args("stats -data d.csv -y apples -o b.stats"), stdout: "full", want: `^edgefit stats: writing the results: .*no space left on device \(no stats file written\)$`},
}

// statsOfCSV makes a stats file of a CSV file in the case's directory.
func statsOfCSV(name, csv, y string, flags ...string) setupFunc {
	return func(t *testing.T, dir string) {
		args := append([]string{"stats", "-data", filepath.Join(dir, csv), "-y", y, "-o", filepath.Join(dir, name)}, flags...)
		ok(t, runCmd(t, "", args...))
	}
}

// madeStats makes a stats file of d.csv for the targets y.
func madeStats(name, y string, flags ...string) setupFunc {
	return statsOfCSV(name, "d.csv", y, flags...)
}

// damaged makes a stats file of d.csv for apples and oranges, then
// rewrites it with edit.
func damaged(name string, edit func([]byte) []byte) setupFunc {
	return func(t *testing.T, dir string) {
		madeStats(name, "apples,oranges")(t, dir)
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, edit(b))
	}
}

// flipLast flips a bit of the last value (the row count).
func flipLast(b []byte) []byte {
	b[len(b)-8] ^= 1
	return b
}
