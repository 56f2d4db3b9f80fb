package main

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/edgefit/edgefit/regress"
)

// userText drops the library's package prefixes ("regress: ", "data: ",
// "modelfile: ", "serve: ", "linalg: ", "edgefit: ") from an error's text, at its start and after a ": ": the
// command's line starts with its own name, and a package's name means
// nothing to its user.
func userText(s string) string {
	for _, p := range []string{"regress: ", "data: ", "modelfile: ", "serve: ", "linalg: ", "edgefit: "} {
		for strings.HasPrefix(s, p) {
			s = s[len(p):]
		}
		for strings.Contains(s, ": "+p) {
			s = strings.ReplaceAll(s, ": "+p, ": ")
		}
	}
	return s
}

// explainOverflow names the target column of a loss that overflowed
// float32 because the targets are too large, and says where the data is.
func explainOverflow(err error, data string, outputs []string) error {
	var o *regress.OverflowError
	if !errors.As(err, &o) || o.Column >= len(outputs) {
		return err
	}
	return fmt.Errorf("%s: target %s reaches %.3g at epoch %d: its squared error overflows float32 (max %.3g), whatever the learning rate: divide it by 1e%d, and the predictions back up",
		data, clipArg(outputs[o.Column]), o.Max, o.Epoch, math.MaxFloat32, int(math.Floor(math.Log10(float64(o.Max)))))
}
