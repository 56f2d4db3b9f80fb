//go:build linux

package main

import "syscall"

// The hostile cases by class (issue 10's items in parentheses); the
// reading cases are in hostile_read_test.go, crafted model files in
// hostile_model_test.go.
var commandCases = []hostileCase{
	// Outputs that are inputs (issue 10 item 1).
	{name: "-o is the training data", args: args("train -data d.csv -y apples -o d.csv"), want: `^edgefit train: -o d\.csv is the same file as -data d\.csv: refusing`, readme: true},
	{name: "-o is the training data, streamed", args: args("train -data d.csv -y apples -mem-mb 0 -o d.csv"), want: `same file as -data d\.csv`},
	{name: "-o is the data under another spelling", args: args("train -data d.csv -y apples -o ./sub/../d.csv"), setup: mkdir("sub"), want: `-o \./sub/\.\./d\.csv is the same file as -data d\.csv`},
	{name: "-o is a hard link to the data", args: args("train -data d.csv -y apples -o h.csv"), setup: link("d.csv", "h.csv"), want: `-o h\.csv is the same file as -data d\.csv`, readme: true},
	{name: "-data is a symlink to -o", args: args("train -data s.csv -y apples -o d.csv"), setup: symlink("d.csv", "s.csv"), want: `-o d\.csv is the same file as -data s\.csv`},
	{name: "-o is a symlink to the data", args: args("train -data d.csv -y apples -o s.csv"), setup: symlink("d.csv", "s.csv"), want: `-o s\.csv is the same file as -data d\.csv`},
	{name: "-o is the -init file", args: args("train -data d.csv -y apples,oranges -init i.json -o i.json"), files: map[string]string{"i.json": initJSON}, want: `-o i\.json is the same file as -init i\.json`, readme: true},
	{name: "-o is a FIFO given as -data (refused before reading it)", args: args("train -data rows -y y -o rows"), feed: map[string]string{"rows": "x,y\n1,2\n"}, want: `^edgefit train: -o rows is the same file as -data rows: refusing`},
	{name: "-o is the data, which is large (refused before reading)", args: args("train -data big.csv -y y -o big.csv"), setup: bigFile("big.csv", 200000), want: `-o big\.csv is the same file as -data big\.csv`, memMB: 48},

	// Inputs that are not regular files: opening a FIFO blocks, a device
	// may never end.
	{name: "-model is a FIFO", args: args("predict -model fifo 1,2,3"), setup: mkfifo("fifo"), want: `^edgefit predict: fifo: not a regular file$`, readme: true},
	{name: "-model is a directory", args: args("eval -model sub -data d.csv"), setup: mkdir("sub"), want: `^edgefit eval: sub: not a regular file$`},
	{name: "-model is an endless device", args: args("predict -model zero 1,2,3"), setup: zeroDevice("zero"), memMB: 64, want: `^edgefit predict: zero: not a regular file$`},
	{name: "-init is a large file of one line", args: args("train -data d.csv -y apples -init long.json"), setup: repeated("long.json", "9", 8<<20), memMB: 48, want: `^edgefit train: -init long\.json: 8388608 bytes, more than 5 weights can take \(limit 1048896\)$`},
	{name: "-init is a number without end", args: args("train -data d.csv -y apples -init long.json"), setup: repeated("long.json", "9", 1<<19), memMB: 48, want: `^edgefit train: -init long\.json: want \{"weight"`},
	{name: "-init is a FIFO", args: args("train -data d.csv -y apples -init fifo -o m2.st"), setup: mkfifo("fifo"), want: `^edgefit train: -init fifo: not a regular file$`},

	// Outputs that are not regular files (item 2).
	{name: "-o is a directory", args: args("train -data d.csv -y apples -o sub"), setup: mkdir("sub"), want: `^edgefit train: -o sub is a directory, not a regular file: refusing to replace it$`, readme: true},
	{name: "-o is a character device", args: args("train -data d.csv -y apples -o null"), setup: mknod("null", syscall.S_IFCHR, 1, 3), root: true, want: `^edgefit train: -o null is a character device, not a regular file`},
	{name: "-o is a block device", args: args("train -data d.csv -y apples -o loop"), setup: mknod("loop", syscall.S_IFBLK, 7, 0), root: true, want: `-o loop is a block device, not a regular file`},
	{name: "-o is a symlink to a device", args: args("train -data d.csv -y apples -o s"), setup: both(mknod("null", syscall.S_IFCHR, 1, 3), symlink("null", "s")), root: true, want: `-o s is a character device`},
	{name: "-o is a FIFO", args: args("train -data d.csv -y apples -o fifo"), setup: mkfifo("fifo"), want: `^edgefit train: -o fifo is a FIFO, not a regular file`, readme: true},
	{name: "-o is a symlink to a FIFO", args: args("train -data d.csv -y apples -o s"), setup: both(mkfifo("fifo"), symlink("fifo", "s")), want: `-o s is a FIFO`},
	{name: "-o is a socket", args: args("train -data d.csv -y apples -o sock"), setup: socket("sock"), want: `-o sock is a socket, not a regular file`},
	{name: "-o in a missing directory", args: args("train -data d.csv -y apples -o none/m.st"), want: `^edgefit train: -o none/m\.st: directory none does not exist$`, readme: true},
	{name: "-o under a regular file", args: args("train -data d.csv -y apples -o d.csv/m.st"), want: `-o d\.csv/m\.st: not a directory`},
	{name: "-o in a directory without write permission (as a user: root writes anywhere)", args: args("train -data d.csv -y apples -o ro/m.st"), setup: readOnlyDir("ro"), nobody: true, want: `^edgefit train: -o ro/m\.st: cannot write in directory ro: permission denied$`, readme: true},
	{name: "-o in an unwritable directory, streamed", args: args("train -data d.csv -y apples -mem-mb 0 -o ro/m.st"), setup: readOnlyDir("ro"), nobody: true, want: `cannot write in directory ro`},

	// Failures after training leave no model (item 3).
	{name: "stdout is full", args: args("train -data d.csv -y apples -o m2.st"), stdout: "full", want: `^edgefit train: writing the results: .*no space left on device \(no model written\)$`, readme: true},
	{name: "stdout is full, -json", args: args("train -data d.csv -y apples -json -o m2.st"), stdout: "full", want: `no space left on device \(no model written\)`},
	{name: "stdout is full, replacing a model", args: args("train -data d.csv -y apples -o m.st"), stdout: "full", want: `no model written`},
	{name: "stdout is a closed pipe (SIGPIPE)", args: args("train -data d.csv -y apples -o m2.st"), stdout: "closed", want: `^edgefit train: writing the results: .*broken pipe \(no model written\)$`},
	{name: "stdout is full, no -o", args: args("train -data d.csv -y apples"), stdout: "full", want: `no space left on device`},
	{name: "predict with stdout full", args: args("predict -model m.st 1,2,3"), stdout: "full", want: `^edgefit predict: .*no space left on device$`},
	{name: "eval with stdout full", args: args("eval -model m.st -data d.csv"), stdout: "full", want: `^edgefit eval: .*no space left on device$`},

	// Predictions beyond float32 (item 8).
	{name: "predict a row whose prediction overflows", args: args("predict -model m.st 1,3e38,3e38"), want: `^edgefit predict: row 1 "1,3e38,3e38": the prediction for "apples" is \+Inf, beyond float32's range`, readme: true},
	{name: "predict -json, prediction overflows", args: args("predict -json -model m.st 1,2,3 1,3e38,3e38"), want: `row 2 "1,3e38,3e38": the prediction for "apples" is \+Inf`, partial: true},
	{name: "predict a CSV whose row 3 overflows", args: args("predict -model m.st -data o.csv"), files: map[string]string{"o.csv": "temp,rainfall,humidity\n1,2,3\n1,-3e38,-3e38\n"}, want: `^edgefit predict: o\.csv:3: the prediction for "apples" is -Inf`, partial: true},
	{name: "predict from stdin, overflow", args: args("predict -model m.st"), stdin: "1,3e38,3e38\n", want: `^edgefit predict: stdin:1: the prediction for "apples" is \+Inf`},
	{name: "eval with a prediction beyond float32", args: args("eval -json -model m.st -data o.csv"), files: map[string]string{"o.csv": "temp,rainfall,humidity,apples,oranges\n1,2,3,4,5\n1,3e38,3e38,1,1\n"}, want: `^edgefit eval: o\.csv: data row 2: the prediction for "apples" is \+Inf`, readme: true},

	// Duplicate header columns in predict (item 11).
	{name: "predict with a duplicate header column", args: args("predict -model m.st -data dup.csv"), files: map[string]string{"dup.csv": "temp,rainfall,humidity,temp\n1,2,3,4\n"}, want: `^edgefit predict: dup\.csv:1: header names column "temp" twice \(columns 1 and 4\)$`, readme: true},
	{name: "predict, duplicate column from a FIFO", args: args("predict -model m.st -data rows"), feed: map[string]string{"rows": "humidity,rainfall,humidity\n1,2,3\n"}, want: `^edgefit predict: rows:1: header names column "humidity" twice \(columns 1 and 3\)$`},
	{name: "predict, duplicate column on stdin", args: args("predict -model m.st"), stdin: "temp,rainfall,rainfall,humidity\n1,2,3,4\n", want: `^edgefit predict: stdin:1: header names column "rainfall" twice \(columns 2 and 3\)$`},

	// Schedules that underflow and trailing text (items 15, 20).
	{name: "a schedule whose rate underflows", args: args("train -data d.csv -y apples -schedule step:1:0.1 -epochs 100"), want: `^edgefit train: -schedule step:1:0.1: the learning rate 0\.1 falls below float32's normal range \(1\.2e-38\) at epoch 38 of 100`, readme: true},
	{name: "a schedule underflowing at epoch 3", args: args("train -data d.csv -y apples -schedule step:1:1e-30 -epochs 5 -o m2.st"), want: `at epoch 3 of 5`},
	{name: "a schedule with trailing text", args: args("train -data d.csv -y apples -schedule step:30:0.1x"), want: `^edgefit train: -schedule "step:30:0\.1x": want step:EVERY:GAMMA`, readme: true},
	{name: "a schedule with an extra field", args: args("train -data d.csv -y apples -schedule step:30:0.1:2"), want: `-schedule "step:30:0\.1:2": want step:EVERY:GAMMA`},
	{name: "invscaling with trailing text", args: args("train -data d.csv -y apples -schedule invscaling:0.5e"), want: `-schedule "invscaling:0\.5e": want invscaling:POWER`},

	// Learning rates (item 19).
	{name: "-lr 0", args: args("train -data d.csv -y apples -lr 0"), want: `^edgefit train: -lr 0: want a positive number \(leave -lr out for the default\)$`, readme: true},
	{name: "-lr -1", args: args("train -data d.csv -y apples -lr -1"), want: `-lr -1: want a positive number`},
	{name: "-lr +Inf", args: args("train -data d.csv -y apples -lr +Inf -o m2.st"), want: `-lr \+Inf: want a positive number`},
	{name: "-lr beyond float32", args: args("train -data d.csv -y apples -lr 1e39"), want: `^edgefit train: -lr 1e\+39: beyond float32's range$`},
	{name: "-lr NaN", args: args("train -data d.csv -y apples -lr NaN"), want: `-lr NaN: want a positive number`},
	{name: "-lr that rounds to 0 in float32", args: args("train -data d.csv -y apples -lr 1e-50"), want: `^edgefit train: -lr 1e-50: below float32's smallest normal number`, readme: true},
	{name: "-lr subnormal in float32", args: args("train -data d.csv -y apples -optimizer adam -lr 1e-40"), want: `-lr 1e-40: below float32's smallest normal number`},

	// Flags: one line on stderr, nothing on stdout (item 18).
	{name: "an unknown flag", args: args("predict -model m.st -bogus 1,2,3"), want: `^edgefit predict: flag provided but not defined: -bogus \(edgefit predict -h lists the flags\)$`, readme: true},
	{name: "an unknown train flag", args: args("train -data d.csv -y apples -bogus -o m2.st"), want: `^edgefit train: flag provided but not defined: -bogus`},
	{name: "an unknown eval flag", args: args("eval -bogus"), want: `^edgefit eval: flag provided but not defined: -bogus`},
	{name: "an unknown info flag", args: args("info -v"), want: `^edgefit info: flag provided but not defined: -v`},
	{name: "a bad flag value", args: args("train -data d.csv -y apples -epochs many"), want: `^edgefit train: invalid value "many" for flag -epochs`},
	{name: "a flag without its value", args: args("train -data d.csv -y"), want: `^edgefit train: flag needs an argument: -y`},

	// -init (item 20).
	{name: "-init JSON with trailing text", args: args("train -data d.csv -y apples,oranges -init i.json"), files: map[string]string{"i.json": initJSON + " {}"}, want: `^edgefit train: -init i\.json: text after the JSON object, at byte \d+$`, readme: true},
	{name: "-init a model of other columns", args: args("train -data d.csv -y apples -init m.st"), want: `^edgefit train: -init m\.st: a model of 3 inputs and 2 outputs, the data has 4 and 1$`, readme: true},
	{name: "-init a model with the columns swapped", args: args("train -data d.csv -y oranges,apples -init m.st"), want: `-init m\.st: the model's output 1 is "apples", the data's is "oranges"`},
	{name: "-init a damaged model file", args: args("train -data d.csv -y apples,oranges -init bad.st"), files: map[string]string{"bad.st": "\x20\x00\x00\x00\x00\x00\x00\x00{\"weight\": 1}                   "}, want: `^edgefit train: -init bad\.st: a model file, but not a valid edgefit model file`},

	// Training that cannot hold, sizes and values out of range (items 6, 7, 16).
	{name: "targets around 1e20", args: args("train -data big.csv -y y -o m2.st"), files: map[string]string{"big.csv": "a,y\n1,1e20\n2,2e20\n3,3.5e20\n4,4e20\n"}, want: `^edgefit train: big\.csv: target "y" reaches 4e\+20 at epoch 1: its squared error overflows float32 \(max 3\.4e\+38\), whatever the learning rate: divide it by 1e20`, readme: true},
	{name: "targets near float32's limit, streamed", args: args("train -data big.csv -y y -mem-mb 0"), files: map[string]string{"big.csv": "a,y\n1,3e38\n2,-3e38\n3,3e38\n"}, want: `^edgefit train: big\.csv: target "y" reaches 3e\+38 at epoch 1`},
	{name: "a run that diverges", args: args("train -data d.csv -y apples -standardize=false -lr 1e-3 -batch 5 -epochs 50 -o m2.st"), want: `^edgefit train: training diverged at epoch \d+ \(.*\): lower the learning rate or standardise the inputs$`},
	{name: "a momentum that diverges", args: args("train -data d.csv -y apples -momentum 1e30 -o m.st"), want: `^edgefit train: training diverged at epoch \d+`},
	{name: "-momentum below 0", args: args("train -data d.csv -y apples -momentum -1"), want: `^edgefit train: -momentum -1: want a finite number ≥ 0$`},
	{name: "-weight-decay NaN", args: args("train -data d.csv -y apples -optimizer adam -weight-decay NaN"), want: `^edgefit train: -weight-decay NaN: want a finite number ≥ 0$`},
	{name: "-batch beyond its limit", args: args("train -data d.csv -y apples -batch 2000000000"), want: `^edgefit train: -batch 2000000000: want 1 to 1048576$`},
	{name: "-chunk-rows beyond its limit", args: args("train -data d.csv -y apples -chunk-rows 2000000000"), want: `^edgefit train: -chunk-rows 2000000000: want 1 to 16777216$`},
	{name: "-ridge below 0", args: args("train -data d.csv -y apples -init lstsq -ridge -1"), want: `^edgefit train: -ridge -1: want a finite number ≥ 0$`},
	{name: "-epochs 0 without -init", args: args("train -data d.csv -y apples -epochs 0 -o m2.st"), want: `^edgefit train: -epochs 0 exports the starting model untouched: it needs -init \(a file or lstsq\)$`, readme: true},
	{name: "-epochs 0 with -patience", args: args("train -data d.csv -y apples -init lstsq -epochs 0 -val 0.2 -patience 3 -o m2.st"), want: `^edgefit train: -patience stops training early: with -epochs 0 there is none$`},
	{name: "-epochs below 0", args: args("train -data d.csv -y apples -epochs -1 -o m2.st"), want: `^edgefit train: -epochs -1: want 0 or more$`},
	{name: "more columns than the least squares takes", args: args("train -data wide.csv -y y -o m2.st"), files: map[string]string{"wide.csv": wide(4096)}, want: `^edgefit train: wide\.csv: QR of 4096 inputs and 1 targets, want k ≥ 1, n ≥ 1, k\+n ≤ 4096: use fewer inputs \(-x\)$`},
	{name: "predict a short row", args: args("predict -model m.st 1,2"), want: `^edgefit predict: row 1 "1,2" has 2 values, the model takes 3 \(temp, rainfall, humidity\)$`, readme: true},
	{name: "predict a short row on stdin", args: args("predict -model m.st"), stdin: "1,2,3\n1,2\n", partial: true, want: `^edgefit predict: stdin:2: ragged row: 2 fields, the first row has 3$`},
	{name: "predict a short first row on stdin", args: args("predict -model m.st"), stdin: "1,2\n", want: `^edgefit predict: stdin:1: 2 values, want 3 inputs$`},
	{name: "eval data without the model's columns", args: args("eval -model m.st -data x.csv"), files: map[string]string{"x.csv": "a,b\n1,2\n"}, want: `^edgefit eval: x\.csv:1: target column "apples" is not in the header \(columns: a, b\)$`},
}
