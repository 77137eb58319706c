package repocheck

import (
	"strings"
	"testing"
)

// The module's packages keep to the layers of the design: crypto ← store ←
// export ← ui ← cmd, Fyne only in ui and cmd, an app started only by cmd.
func TestLayering(t *testing.T) {
	pkgs, err := ListPackages("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, v := range LayerViolations(pkgs) {
		t.Error(v)
	}
}

// LayerViolations finds each kind of break.
func TestLayerViolationsFound(t *testing.T) {
	m := Module + "/"
	pkgs := []Package{
		{ImportPath: m + "crypto", Deps: []string{m + "internal/atomicfile", "filippo.io/age"}},
		{ImportPath: m + "crypto [" + m + "crypto.test]", Deps: []string{m + "store"}},
		{ImportPath: m + "store/strip", Deps: []string{m + "export"}},
		{ImportPath: m + "export", Deps: []string{m + "store", m + "ui"}},
		{ImportPath: m + "ui", Deps: []string{"fyne.io/fyne/v2", "fyne.io/fyne/v2/app", m + "cmd/dossierctl"}},
		{ImportPath: m + "store_test [" + m + "store.test]", Deps: []string{"fyne.io/fyne/v2/widget"}},
		{ImportPath: m + "cmd/dossier", Deps: []string{"fyne.io/fyne/v2/app", m + "ui"}},
	}
	got := strings.Join(LayerViolations(pkgs), "\n")
	for _, want := range []string{
		"crypto [" + m + "crypto.test] (crypto) depends on " + m + "store",
		"store/strip (store) depends on " + m + "export",
		"export (export) depends on " + m + "ui",
		"ui depends on fyne.io/fyne/v2/app",
		"ui (ui) depends on " + m + "cmd/dossierctl",
		"store.test] depends on fyne.io/fyne/v2/widget",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no violation %q in:\n%s", want, got)
		}
	}
	if n := len(LayerViolations(pkgs)); n != 6 {
		t.Errorf("%d violations, want 6:\n%s", n, got)
	}
}
