package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"

	"github.com/edgefit/edgefit"
	"golang.org/x/sys/cpu"
)

func cmdInfo(e *env, args []string) error {
	fs := newFlags(e, "info", "[-model MODEL]")
	model := fs.String("model", "", "describe this model `file` (shape, columns, bias, standardisation) instead of the machine")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	w := e.stdout
	if *model != "" {
		return describeModel(w, *model)
	}
	fmt.Fprintf(w, "platform      %s/%s, %s, %d CPUs\n", runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.NumCPU())
	fmt.Fprintf(w, "kernels       %s\n", edgefit.Active().Name())
	fmt.Fprintf(w, "why           %s\n", edgefit.Selection())
	var names []string
	for _, im := range edgefit.Implementations() {
		names = append(names, im.Name())
	}
	fmt.Fprintf(w, "available     %s\n", strings.Join(names, ", "))
	env := os.Getenv(edgefit.EnvKernels)
	if env == "" {
		env = "unset"
	}
	fmt.Fprintf(w, "override      %s=generic|avx2|neon|rvv (now %s)\n", edgefit.EnvKernels, env)
	var feats any
	var key []string
	switch runtime.GOARCH {
	case "amd64", "386":
		feats, key = cpu.X86, []string{"AVX2", "FMA", "AVX", "AVX512F"}
	case "arm64":
		feats, key = cpu.ARM64, []string{"ASIMD", "FP", "SVE"}
	case "riscv64":
		feats, key = cpu.RISCV64, []string{"V"}
	case "arm":
		feats, key = cpu.ARM, []string{"NEON", "VFPv4"}
	}
	if feats == nil {
		fmt.Fprintf(w, "CPU features  none known to golang.org/x/sys/cpu on %s\n", runtime.GOARCH)
		return nil
	}
	have := map[string]bool{}
	var yes, no []string
	v := reflect.ValueOf(feats)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if f := v.Field(i); f.Kind() == reflect.Bool && strings.HasPrefix(name, "Has") {
			have[name[3:]] = f.Bool()
			if f.Bool() {
				yes = append(yes, name[3:])
			} else {
				no = append(no, name[3:])
			}
		}
	}
	var kf []string
	for _, k := range key {
		if b, ok := have[k]; ok {
			kf = append(kf, k+" "+yesNo(b))
		}
	}
	fmt.Fprintf(w, "CPU (kernels) %s\n", strings.Join(kf, ", "))
	fmt.Fprintf(w, "CPU has       %s\n", strings.Join(yes, " "))
	fmt.Fprintf(w, "CPU lacks     %s\n", strings.Join(no, " "))
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
