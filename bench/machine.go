package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// cpuModel names the processor as the operating system reports it, or the
// architecture when it does not (any system without /proc/cpuinfo).
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH + " (model unknown)"
	}
	defer f.Close()
	var model, flags string
	cpus := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "processor":
			cpus++
		case "model name", "Model", "CPU part":
			if model == "" {
				model = v
			}
		case "flags", "Features":
			if flags == "" {
				flags = v
			}
		}
	}
	if model == "" {
		model = runtime.GOARCH + " (model unknown)"
	}
	var feats []string
	have := map[string]bool{}
	for _, f := range strings.Fields(flags) {
		have[f] = true
	}
	for _, f := range []string{"avx2", "fma", "avx512f", "asimd", "neon"} {
		if have[f] {
			feats = append(feats, f)
		}
	}
	s := model
	if cpus > 0 {
		s += ", " + strconv.Itoa(cpus) + " logical CPUs"
	}
	if len(feats) > 0 {
		s += " (" + strings.Join(feats, ", ") + ")"
	}
	return s
}
