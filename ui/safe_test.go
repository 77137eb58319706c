package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// callbackArgs names the constructors and methods that take a callback a
// person triggers, and which argument it is.
var callbackArgs = map[string]int{
	"widget.NewButton": 1, "widget.NewButtonWithIcon": 2, "widget.NewCheck": 1,
	"widget.NewSelect": 1, "widget.NewRadioGroup": 1, "widget.NewCheckGroup": 1,
	"fyne.NewMenuItem": 1, "dialog.NewConfirm": 2, "dialog.ShowConfirm": 2,
	"dialog.NewCustomConfirm": 4, "dialog.ShowCustomConfirm": 4, "dialog.NewForm": 4,
	"dialog.ShowForm": 4, "dialog.NewFileOpen": 0, "dialog.NewFileSave": 0,
	"dialog.NewFolderOpen": 0, "AddShortcut": 1, "SetOnDropped": 0, "SetOnClosed": 0,
	"SetCloseIntercept": 0, "SetOnTypedKey": 0, "SetOnTypedRune": 0,
}

// callbackFields are the fields that hold such callbacks.
var callbackFields = map[string]bool{
	"OnTapped": true, "OnChanged": true, "OnSubmitted": true, "OnSelected": true,
	"OnUnselected": true, "OnDismiss": true, "OnClosed": true, "OnCursorChanged": true,
}

// unguarded lists, in one file, the callbacks not wrapped in safe and the
// goroutines not started with goSafe, by position.
func unguarded(fset *token.FileSet, f *ast.File) []token.Pos {
	var out []token.Pos
	isSafe := func(e ast.Expr) bool {
		if id, ok := e.(*ast.Ident); ok && id.Name == "nil" {
			return true
		}
		c, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		switch fn := c.Fun.(type) {
		case *ast.Ident:
			return fn.Name == "safe"
		case *ast.IndexExpr: // safe[T](…)
			id, ok := fn.X.(*ast.Ident)
			return ok && id.Name == "safe"
		}
		return false
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.GoStmt:
			out = append(out, x.Pos())
		case *ast.CallExpr:
			name := ""
			switch fn := x.Fun.(type) {
			case *ast.SelectorExpr:
				if id, ok := fn.X.(*ast.Ident); ok {
					name = id.Name + "." + fn.Sel.Name
				}
				if _, ok := callbackArgs[name]; !ok {
					name = fn.Sel.Name
				}
			}
			if i, ok := callbackArgs[name]; ok && i < len(x.Args) && !isSafe(x.Args[i]) {
				out = append(out, x.Args[i].Pos())
			}
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if sel, ok := l.(*ast.SelectorExpr); ok && callbackFields[sel.Sel.Name] && i < len(x.Rhs) && !isSafe(x.Rhs[i]) {
					out = append(out, x.Rhs[i].Pos())
				}
			}
		case *ast.KeyValueExpr:
			if id, ok := x.Key.(*ast.Ident); ok && callbackFields[id.Name] && !isSafe(x.Value) {
				out = append(out, x.Value.Pos())
			}
		}
		return true
	})
	return out
}

// Every callback a person can trigger and every goroutine of the interface
// recovers a panic: a fault in one must not end the program.
func TestEveryCallbackRecovers(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "safe.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range unguarded(fset, f) {
			t.Errorf("%s: a callback or goroutine that does not recover a panic (wrap it in safe, or start it with goSafe)", fset.Position(p))
			n++
		}
	}
	if n > 0 {
		t.Logf("%d unguarded", n)
	}
	_ = os.Getenv
}

// A fault in a button's callback is stopped: the app goes on, says so, and
// logs where without values.
func TestPanicInCallbackIsRecovered(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	secret := "Мария Иванова"
	// A control with a fault, put where a person can click it.
	b := widget.NewButton("fault", safe(func() { panic("a value that names " + secret) }))
	onUI(func() {
		a.main.detail.Add(b)
		a.main.detail.Refresh()
	})
	press(t, w, "fault")
	if a.crashes.Load() != 1 {
		t.Fatal("the fault was not recovered")
	}
	eventually(t, "the message", func() bool { return labelWith(w, "Something went wrong") })
	if a.Vault() == nil {
		t.Fatal("the vault closed")
	}
	// The report the person can copy says where, not what.
	clip := fyne.CurrentApp().Clipboard()
	press(t, w, "Copy the report")
	if r := clip.Content(); !strings.Contains(r, "panic of type string") || !strings.Contains(r, "safe_test.go") || strings.Contains(r, secret) {
		t.Fatalf("the copied report:\n%s", r)
	}
	press(t, w, "Close")
	// The app still works: the list still answers a search.
	typeIn(t, w, a.main.search, "аптеке")
	eventually(t, "search results", func() bool { return strings.HasPrefix(a.main.count.Text, "1 ") })
}

func TestCrashReportHoldsNoValues(t *testing.T) {
	var report string
	func() {
		defer func() { report = crashReport(recover(), []byte(sampleStack)) }()
		panic("a value that names Мария")
	}()
	for _, bad := range []string{"Мария", "0xc000", "+0x"} {
		if strings.Contains(report, bad) {
			t.Errorf("the report holds %q:\n%s", bad, report)
		}
	}
	for _, want := range []string{"panic of type string", "ui.(*App).Lock(…)", "/ui/app.go:123"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	func() {
		defer func() { report = crashReport(recover(), nil) }()
		var s []int
		_ = s[len(s)-1+0*len(report)]
	}()
	if !strings.Contains(report, "index out of range [-1]") {
		t.Errorf("a runtime error's own words are lost: %s", report)
	}
}

const sampleStack = `goroutine 7 [running]:
github.com/dossier-hr/dossier/ui.(*App).Lock(0xc000123456, {0xc000abc, 0x5})
	/src/ui/app.go:123 +0x45
github.com/dossier-hr/dossier/ui.safe[...].func1({0xc0001, 0x2, 0x2})
	/src/ui/safe.go:40 +0x1f
`
