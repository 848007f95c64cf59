package suggestion_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"jianyi/internal/suggestion"
)

// TestRecordedActionsComplete keeps RecordedActions the one list of timeline actions that
// front doors label: every Action constant is on it (but ActConclude, which nothing
// records), and the service records actions only through those constants, never a string
// literal or a name put together at run time.
func TestRecordedActionsComplete(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{} // Action constant → value
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, sp := range g.Specs {
				vs := sp.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Action" {
					continue
				}
				for i, n := range vs.Names {
					v, err := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
					if err != nil {
						t.Fatal(err)
					}
					consts[n.Name] = v
				}
			}
		}
	}

	listed := map[string]bool{}
	for _, a := range suggestion.RecordedActions() {
		if listed[string(a)] {
			t.Errorf("RecordedActions lists %q twice", a)
		}
		listed[string(a)] = true
	}
	for name, v := range consts {
		if !listed[v] && name != "ActConclude" {
			t.Errorf("%s (%q) is not in RecordedActions", name, v)
		}
	}
	if listed[string(suggestion.ActConclude)] {
		t.Errorf("RecordedActions lists %q, which nothing records", suggestion.ActConclude)
	}

	// The action of every step{...} and of every s.event(...) call is string(<constant>), or
	// string(act) where act only ever holds constants (or is staffMove's Action parameter).
	check := func(what string, e ast.Expr) {
		pos := fset.Position(e.Pos())
		call, ok := e.(*ast.CallExpr)
		if ok {
			if fn, ok := call.Fun.(*ast.Ident); ok && fn.Name == "string" && len(call.Args) == 1 {
				if id, ok := call.Args[0].(*ast.Ident); ok {
					if _, isConst := consts[id.Name]; isConst || id.Name == "act" {
						return
					}
				}
			}
		}
		t.Errorf("%s: %s action is not string(Act...): write an Action constant and list it in RecordedActions", pos, what)
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				if id, ok := x.Type.(*ast.Ident); ok && id.Name == "step" {
					for _, el := range x.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "action" {
							check("step", kv.Value)
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "event" && len(x.Args) >= 3 {
					// write passes each step's own action on; the step literal was checked.
					if a, ok := x.Args[2].(*ast.SelectorExpr); !ok || a.Sel.Name != "action" {
						check("event", x.Args[2])
					}
				}
			case *ast.AssignStmt:
				// A variable that carries an action is set from constants only.
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "act" && i < len(x.Rhs) {
						if r, ok := x.Rhs[i].(*ast.Ident); !ok || consts[r.Name] == "" {
							t.Errorf("%s: act is set from something other than an Action constant", fset.Position(x.Pos()))
						}
					}
				}
			}
			return true
		})
	}
}
