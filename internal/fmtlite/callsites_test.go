package fmtlite

import (
	"go/ast"
	"go/build"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const self = "github.com/edgefit/edgefit/internal/fmtlite"

// TestCallSites takes the place of go vet's printf check, which does not
// know this package: it type-checks every package of the module that
// imports it (for this GOARCH; CI runs it on several) and checks each call,
// direct or through a wrapper such as func(format string, a ...any), passes
// a constant format whose verbs, operand count and operand types the
// package supports.
func TestCallSites(t *testing.T) {
	dirs := importers(t, filepath.Join("..", ".."))
	if len(dirs) < 2 {
		t.Fatalf("found %d packages importing %s, want the root package and regress/modelfile at least", len(dirs), self)
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	calls := 0
	for _, dir := range dirs {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		var files []*ast.File
		for _, name := range pkg.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}}
		conf := types.Config{Importer: imp.(types.ImporterFrom)}
		if _, err := conf.Check(pkg.ImportPath, fset, files, info); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		calls += checkCalls(t, fset, files, info)
	}
	if calls < 50 {
		t.Fatalf("checked %d calls, fewer than the module makes", calls)
	}
}

// importers lists the directories under root whose non-test files import
// this package (nested modules excluded).
func importers(t *testing.T, root string) []string {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root || d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if pkg, err := build.ImportDir(path, 0); err == nil {
			for _, p := range pkg.Imports {
				if p == self {
					dirs = append(dirs, path)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// checkCalls checks the calls in files and returns how many it checked.
func checkCalls(t *testing.T, fset *token.FileSet, files []*ast.File, info *types.Info) int {
	// Wrappers: functions whose body passes their (format, a...) on.
	wrappers := map[types.Object]int{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			fd, ok := n.(*ast.FuncDecl)
			if ok && fd.Body != nil {
				if i, ok := forwards(fd, info); ok {
					wrappers[info.Defs[fd.Name]] = i
				}
			}
			return true
		})
	}
	n := 0
	for _, f := range files {
		ast.Inspect(f, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok {
				return true
			}
			i, ok := formatIndex(call, info, wrappers)
			if !ok || call.Ellipsis.IsValid() { // a wrapper's own forwarding call
				return true
			}
			n++
			pos := fset.Position(call.Pos())
			tv := info.Types[call.Args[i]]
			if tv.Value == nil || tv.Value.Kind() != constant.String {
				t.Errorf("%s: format is not a constant string", pos)
				return true
			}
			obj := callee(call, info)
			wrap := obj.Pkg().Path() == self && obj.Name() == "Errorf"
			if msg := checkFormat(constant.StringVal(tv.Value), call.Args[i+1:], info, wrap); msg != "" {
				t.Errorf("%s: %s", pos, msg)
			}
			return true
		})
	}
	return n
}

// callee is the function or method a call names, or nil.
func callee(call *ast.CallExpr, info *types.Info) types.Object {
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		return info.Uses[fun]
	case *ast.SelectorExpr:
		return info.Uses[fun.Sel]
	}
	return nil
}

// formatIndex returns the index of the format argument if call is to this
// package's functions or to a wrapper.
func formatIndex(call *ast.CallExpr, info *types.Info, wrappers map[types.Object]int) (int, bool) {
	obj := callee(call, info)
	if obj == nil {
		return 0, false
	}
	if obj.Pkg() != nil && obj.Pkg().Path() == self {
		switch obj.Name() {
		case "Sprintf", "Errorf":
			return 0, true
		case "Appendf":
			return 1, true
		}
	}
	i, ok := wrappers[obj]
	return i, ok
}

// forwards reports whether fd's last two parameters are (format string,
// a ...any) and its body passes them to this package: the format's index.
func forwards(fd *ast.FuncDecl, info *types.Info) (int, bool) {
	sig, _ := info.Defs[fd.Name].Type().(*types.Signature)
	if sig == nil || !sig.Variadic() || sig.Params().Len() < 2 {
		return 0, false
	}
	k := sig.Params().Len()
	format, args := sig.Params().At(k-2), sig.Params().At(k-1)
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || !call.Ellipsis.IsValid() || len(call.Args) < 2 {
			return true
		}
		if obj := callee(call, info); obj == nil || obj.Pkg() == nil || obj.Pkg().Path() != self {
			return true
		}
		f, _ := call.Args[len(call.Args)-2].(*ast.Ident)
		a, _ := call.Args[len(call.Args)-1].(*ast.Ident)
		found = found || f != nil && a != nil && info.Uses[f] == format && info.Uses[a] == args
		return true
	})
	return k - 2, found
}

// checkFormat checks the verbs of format against the operands; wrap says
// %w is allowed (Errorf).
func checkFormat(format string, args []ast.Expr, info *types.Info, wrap bool) string {
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("0123456789.", format[j]) >= 0 {
			j++
		}
		if j == len(format) {
			return "format ends in a bare %"
		}
		verb := format[i : j+1]
		i = j
		if verb == "%%" {
			continue
		}
		if n == len(args) {
			return "format " + strconvQuote(format) + " has more verbs than operands"
		}
		if !supportedType(verb, info.TypeOf(args[n]), wrap) {
			return "verb " + verb + " of " + strconvQuote(format) + " with an operand of type " + info.TypeOf(args[n]).String()
		}
		n++
	}
	if n != len(args) {
		return "format " + strconvQuote(format) + " has fewer verbs than operands"
	}
	return ""
}

func strconvQuote(s string) string { return Sprintf("%q", s) }

// supportedType reports whether the package formats an operand of type typ
// with verb as fmt does (see the package doc and TestMatchesFmt); wrap
// says the call is Errorf's, where %w wraps an error.
func supportedType(verb string, typ types.Type, wrap bool) bool {
	last := verb[len(verb)-1]
	errType := types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
	if types.Implements(typ, errType) {
		return last == 's' || last == 'v' || last == 'w' && wrap
	}
	if types.Identical(typ, types.NewSlice(types.Typ[types.Int64])) {
		return last == 'v' || last == 'd'
	}
	b, ok := typ.(*types.Basic) // a named type could have a String method
	if !ok {
		return false
	}
	switch b.Kind() {
	case types.String, types.UntypedString:
		return verb == "%s" || verb == "%v" || verb == "%q"
	case types.Float32, types.Float64, types.UntypedFloat:
		return verb == "%v" || last == 'f' && verb[1] != '0'
	case types.Int, types.Int32, types.Int64, types.Uint, types.Uint8, types.Uint32, types.Uint64, types.UntypedInt, types.UntypedRune:
		return last == 'd' || last == 'x' || verb == "%v" || verb == "%c"
	}
	return false
}
