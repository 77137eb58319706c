package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/app"
)

// Earlier versions used Fyne's file dialog, which left the last folder in
// the preferences file, in plain text. Starting the app removes it, and
// leaves no key holding a path; the language stays. (The dialog's list or
// grid choice, a number, may stay.)
func TestStartForgetsFileDialogFolder(t *testing.T) {
	// Not t.TempDir: Fyne's preferences watcher may still touch the folder
	// as the test ends.
	root, err := os.MkdirTemp("", "dossier-prefs-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	t.Setenv("HOME", root)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, ".config"))
	t.Setenv("AppData", filepath.Join(root, "AppData"))
	conf, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(conf, "fyne", appID, "preferences.json")
	os.MkdirAll(filepath.Dir(file), 0o700)
	old := `{"language":"fr","fyne:fileDialogLastFolder":"file:///home/x/Cases/Maria%20Ivanova","fyne:fileDialogViewLayout":1}`
	if err := os.WriteFile(file, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}

	a := app.NewWithID(appID)
	forgetFileDialog(a.Preferences())

	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var prefs map[string]any
	if err := json.Unmarshal(b, &prefs); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for k, v := range prefs {
		if s, ok := v.(string); k == fyneLastFolder || ok && strings.ContainsAny(s, `/\`) {
			t.Errorf("left in the preferences file: %s=%v", k, v)
		}
	}
	if prefs["language"] != "fr" {
		t.Fatalf("the language was lost: %s", b)
	}
}
