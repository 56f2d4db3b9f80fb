//go:build linux

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The hostile cases of the second round (stats -refine, solve -refine):
// two devices a and b (devices: a.csv, b.csv, their stats, round one's
// solution round1.json and their refinements), then refinements of another
// solution, other columns or ridge term, missing a device, damaged, or
// of another kind.
var refineCases = []hostileCase{
	{name: "a refinement of another round's solution", args: args("solve -stats a.stats,b.stats -refine a.refine,o.refine -o m2.st"), setup: both(devices, otherRound), want: `^edgefit solve: o\.refine: a refinement of another solution than these stats files give: refine the solution solve -json prints for the same -stats, in the same order$`, readme: true},
	{name: "a device's refinement missing", args: args("solve -stats a.stats,b.stats -refine a.refine -o m2.st"), setup: devices, want: `^edgefit solve: -refine: the refinement files hold 7 rows, the stats files 15: refine every stats file's rows, once$`, readme: true},
	{name: "refinements for another -ridge", args: args("solve -stats a.stats,b.stats -refine a.refine,b.refine -ridge 1"), setup: devices, want: `^edgefit solve: a\.refine: a refinement of the solution for -ridge 0, solve has -ridge 1: give round one's -ridge$`},
	{name: "a refinement of other columns", args: args("solve -stats a.stats,b.stats -refine a.refine,c.refine"), setup: both(devices, applesRound), want: `^edgefit solve: c\.refine: stats of columns "temp,rainfall,humidity,oranges" → "apples", a\.stats has "temp,rainfall,humidity" → "apples,oranges": merge only stats of the same columns, in the same order$`},
	{name: "a refinement file of a newer version", args: args("solve -stats a.stats,b.stats -refine a.refine,b.refine"), setup: both(devices, edited("b.refine", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"format_version":"1"`), []byte(`"format_version":"2"`), 1)
	})), want: `^edgefit solve: b\.refine: not a valid edgefit refinement file: format version 2 is newer than this program reads \(1\)$`, readme: true},
	{name: "a corrupt refinement file", args: args("solve -stats a.stats,b.stats -refine a.refine,b.refine -o m2.st"), setup: both(devices, edited("b.refine", flipLast)), want: `^edgefit solve: b\.refine: not a valid edgefit refinement file: CRC-32 of the data is [0-9a-f]{8}, the header says "[0-9a-f]{8}": the file is corrupt$`},
	{name: "a stats file as a refinement", args: args("solve -stats a.stats,b.stats -refine a.refine,b.stats"), setup: devices, want: `^edgefit solve: b\.stats: not a valid edgefit refinement file: __metadata__ has "format": "edgefit-stats" \(a stats file\), want "edgefit-refine"$`},
	{name: "a refinement file as stats", args: args("solve -stats a.refine"), setup: devices, want: `^edgefit solve: a\.refine: not a valid edgefit stats file: __metadata__ has "format": "edgefit-refine" \(a refinement file\), want "edgefit-stats"$`},
	{name: "a refinement named twice", args: args("solve -stats a.stats,b.stats -refine a.refine,a.refine"), setup: devices, want: `^edgefit solve: -refine names a\.refine and a\.refine, the same file: its rows would count twice$`},
	{name: "solve -o is a refinement file", args: args("solve -stats a.stats,b.stats -refine a.refine,b.refine -o b.refine"), setup: devices, want: `^edgefit solve: -o b\.refine is the same file as -refine b\.refine: refusing to overwrite an input$`},
	{name: "stats -refine of other columns", args: args("stats -data a.csv -y apples -refine round1.json -o x.refine"), setup: devices, want: `^edgefit stats: a\.csv: columns "temp,rainfall,humidity,oranges" → "apples", round1\.json solves "temp,rainfall,humidity" → "apples,oranges": give round one's -x and -y$`},
	{name: "stats -refine -bias=false of a solution with an intercept", args: args("stats -data a.csv -y apples,oranges -bias=false -refine round1.json -o x.refine"), setup: devices, want: `^edgefit stats: -bias=false, but round1\.json's solution has an intercept$`},
	{name: "stats -refine of a truncated JSON", args: args("stats -data d.csv -y apples -refine r.json -o x.refine"), files: map[string]string{"r.json": "{\n  \"exact\": {\"weight\": [[1, 2,"}, want: `^edgefit stats: r\.json:2:29: not edgefit solve -json's output: unexpected end of JSON input$`},
	{name: "stats -refine of a JSON without a solution", args: args("stats -data d.csv -y apples -refine r.json -o x.refine"), files: map[string]string{"r.json": `{"inputs": ["temp"], "outputs": ["apples"]}`}, want: `^edgefit stats: r\.json: no "exact" solution: want edgefit solve -json's output$`},
	{name: "stats -refine of a stats file", args: args("stats -data a.csv -y apples,oranges -refine a.stats -o x.refine"), setup: devices, want: `^edgefit stats: a\.stats:1:1: not edgefit solve -json's output: invalid character .* looking for beginning of value$`},
	{name: "stats -refine: -o is the JSON", args: args("stats -data a.csv -y apples,oranges -refine round1.json -o round1.json"), setup: devices, want: `^edgefit stats: -o round1\.json is the same file as -refine round1\.json: refusing to overwrite an input$`},
	{name: "stats -refine of a missing JSON", args: args("stats -data d.csv -y apples -refine none.json -o x.refine"), want: `^edgefit stats: -refine: open none\.json: no such file or directory$`},
}

// devices splits d.csv into two devices' rows, a.csv (7 rows) and b.csv
// (8), and runs both rounds up to the refinement files: a.stats, b.stats,
// round1.json (solve -json of a.stats,b.stats), a.refine, b.refine.
func devices(t *testing.T, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "d.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	writeFile(t, filepath.Join(dir, "a.csv"), []byte(strings.Join(lines[:8], "")))
	writeFile(t, filepath.Join(dir, "b.csv"), []byte(lines[0]+strings.Join(lines[8:], "")))
	for _, d := range []string{"a", "b"} {
		statsOfCSV(d+".stats", d+".csv", "apples,oranges")(t, dir)
	}
	roundOneOf(t, dir, "round1.json", "a.stats,b.stats")
	for _, d := range []string{"a", "b"} {
		refineOf(t, dir, d+".refine", d+".csv", "apples,oranges", "round1.json")
	}
}

// roundOneOf writes solve -json's output for the stats files to name.
func roundOneOf(t *testing.T, dir, name, stats string) {
	var paths []string
	for _, s := range strings.Split(stats, ",") {
		paths = append(paths, filepath.Join(dir, s))
	}
	r := ok(t, runCmd(t, "", "solve", "-json", "-stats", strings.Join(paths, ",")))
	writeFile(t, filepath.Join(dir, name), []byte(r.stdout))
}

// refineOf makes the refinement file name of csv for round one's solution.
func refineOf(t *testing.T, dir, name, csv, y, round1 string) {
	ok(t, runCmd(t, "", "stats", "-data", filepath.Join(dir, csv), "-y", y, "-refine", filepath.Join(dir, round1), "-o", filepath.Join(dir, name)))
}

// otherRound makes o.refine, b's refinement of the solution of a.stats
// alone.
func otherRound(t *testing.T, dir string) {
	roundOneOf(t, dir, "other.json", "a.stats")
	refineOf(t, dir, "o.refine", "b.csv", "apples,oranges", "other.json")
}

// applesRound makes c.refine, a's refinement of the solution for apples
// alone.
func applesRound(t *testing.T, dir string) {
	statsOfCSV("c.stats", "a.csv", "apples")(t, dir)
	roundOneOf(t, dir, "c.json", "c.stats")
	refineOf(t, dir, "c.refine", "a.csv", "apples", "c.json")
}

// edited rewrites the file name of the case's directory with edit.
func edited(name string, edit func([]byte) []byte) setupFunc {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, edit(b))
	}
}
