package repocheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
)

// Module is the import path of Dossier's module.
const Module = "github.com/dossier-hr/dossier"

// Package is what `go list -deps -test -json` says of one package: its
// path (a test variant is "P [P.test]", an external test "P_test [P.test]")
// and everything it depends on, directly or not.
type Package struct {
	ImportPath string
	Deps       []string
}

// ListPackages runs `go list -deps -test -json ./...` in root.
func ListPackages(root string) ([]Package, error) {
	cmd := exec.Command("go", "list", "-deps", "-test", "-json", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var pkgs []Package
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

// layer returns the layer of one of the module's packages ("crypto",
// "store", "export", "ui", "cmd", or "" for the others), and whether the
// path is the module's at all. Sub-packages belong to their parent's layer
// (store/strip is store); a test variant to its package's.
func layer(importPath string) (string, bool) {
	p, _, _ := strings.Cut(importPath, " ")
	p = strings.TrimSuffix(strings.TrimSuffix(p, ".test"), "_test")
	rest, ok := strings.CutPrefix(p, Module+"/")
	if !ok {
		return "", p == Module
	}
	top, _, _ := strings.Cut(rest, "/")
	switch top {
	case "crypto", "store", "export", "ui", "cmd":
		return top, true
	}
	return "", true
}

// forbidden says which layers a layer must not depend on: crypto ← store ←
// export ← ui ← cmd.
var forbidden = map[string][]string{
	"crypto": {"store", "export", "ui", "cmd"},
	"store":  {"export", "ui", "cmd"},
	"export": {"ui", "cmd"},
	"ui":     {"cmd"},
}

// LayerViolations lists each dependency that breaks the layering: a lower
// layer depending on a higher one, Fyne outside ui and cmd (with their
// tests), Fyne's app package outside cmd.
func LayerViolations(pkgs []Package) []string {
	var out []string
	for _, p := range pkgs {
		l, ours := layer(p.ImportPath)
		if !ours {
			continue
		}
		for _, d := range p.Deps {
			dl, dOurs := layer(d)
			switch {
			case dOurs && dl != "":
				for _, f := range forbidden[l] {
					if dl == f {
						out = append(out, fmt.Sprintf("%s (%s) depends on %s (%s)", p.ImportPath, l, d, dl))
					}
				}
			case d == "fyne.io/fyne/v2/app" && l != "cmd":
				out = append(out, fmt.Sprintf("%s depends on %s: only cmd may start an app", p.ImportPath, d))
			case (d == "fyne.io/fyne/v2" || strings.HasPrefix(d, "fyne.io/fyne/v2/")) && l != "ui" && l != "cmd":
				out = append(out, fmt.Sprintf("%s depends on %s: only ui and cmd use Fyne", p.ImportPath, d))
			}
		}
	}
	sort.Strings(out)
	return slicesCompact(out)
}

func slicesCompact(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
