package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A rolled-back epoch that diverged within itself (a batch's loss became
// Inf or NaN) is noted with that loss, not 0, and the rate halves each time;
// streamed, the epochs are whole passes (-epochs 2: two of them kept).
func TestRollbackNote(t *testing.T) {
	path := bigCSV(t, 2000)
	for _, mem := range []string{"1024", "0"} {
		r := ok(t, runCmd(t, "", "train", "-data", path, "-y", "y", "-epochs", "2", "-lr", "50", "-rollbacks", "12", "-mem-mb", mem, "-chunk-rows", "256"))
		notes := regexp.MustCompile(`epoch 1 diverged \(loss (\S+)\): rolled back, learning rate now (\S+)\n`).FindAllStringSubmatch(r.stderr, -1)
		if len(notes) == 0 {
			t.Fatalf("-mem-mb %s: no rollback noted:\n%s", mem, r.stderr)
		}
		for i, n := range notes {
			if n[1] != "+Inf" && n[1] != "NaN" {
				t.Errorf("-mem-mb %s: rollback %d noted loss %s, want the diverged batch's +Inf or NaN", mem, i+1, n[1])
			}
			if lr, _ := strconv.ParseFloat(n[2], 64); lr != 50/float64(int(1)<<(i+1)) {
				t.Errorf("-mem-mb %s: rollback %d: rate %s", mem, i+1, n[2])
			}
		}
		if want := "trained 2 epochs"; !strings.Contains(r.stdout, want) {
			t.Errorf("-mem-mb %s: %q lacks %q", mem, r.stdout, want)
		}
	}
}
