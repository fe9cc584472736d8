package streams

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The read engine stays in plain sight: a change to one read strategy
// touches that strategy's file, so no type keeps its methods in more than
// four files, and no type with methods grows past twelve fields (a type
// that needs more is two pieces).
func TestTypesStayNarrow(t *testing.T) {
	const maxFiles, maxFields = 4, 12
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	methodFiles := map[string]map[string]bool{}
	fields := map[string]int{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Recv == nil {
					return false
				}
				typ := n.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				id, ok := typ.(*ast.Ident)
				if !ok {
					t.Fatalf("%s: method %s: unexpected receiver", name, n.Name.Name)
				}
				if methodFiles[id.Name] == nil {
					methodFiles[id.Name] = map[string]bool{}
				}
				methodFiles[id.Name][name] = true
				return false
			case *ast.TypeSpec:
				if st, ok := n.Type.(*ast.StructType); ok {
					for _, fl := range st.Fields.List {
						fields[n.Name.Name] += max(1, len(fl.Names))
					}
				}
			}
			return true
		})
	}
	if len(methodFiles) == 0 {
		t.Fatal("found no methods: is the test reading the package's files?")
	}
	for typ, fs := range methodFiles {
		if len(fs) > maxFiles {
			t.Errorf("type %s keeps its methods in %d files (at most %d)", typ, len(fs), maxFiles)
		}
		if fields[typ] > maxFields {
			t.Errorf("type %s has %d fields (at most %d)", typ, fields[typ], maxFields)
		}
	}
}
