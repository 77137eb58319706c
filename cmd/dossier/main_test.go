package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

// Earlier versions kept preferences in Fyne's file, where Fyne's file
// dialog left the last folder used in plain text. Starting the app
// removes that file, keeps its language in Dossier's own, and says
// nothing of what it held in the log.
func TestStartForgetsFynePreferences(t *testing.T) {
	root := t.TempDir()
	t.Setenv("HOME", root)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, ".config"))
	t.Setenv("AppData", filepath.Join(root, "AppData"))
	file, err := fynePreferencesFile()
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(file), 0o700)
	old := `{"language":"fr","fyne:fileDialogLastFolder":"file:///home/x/Cases/Maria%20Ivanova","fyne:fileDialogViewLayout":1}`
	if err := os.WriteFile(file, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	log := logrus.New()
	log.SetOutput(&logged)
	log.SetLevel(logrus.DebugLevel)

	if got := forgetFynePreferences(log); got != "fr" {
		t.Errorf("the old language: %q, want fr", got)
	}
	if _, err := os.Stat(filepath.Dir(file)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Fyne's preferences folder is still there (%v)", err)
	}
	if got := savedLanguage("en"); got != "fr" {
		t.Errorf("the language kept for the next start: %q, want fr", got)
	}
	if strings.Contains(logged.String(), "Maria") || strings.Contains(logged.String(), "Cases") {
		t.Errorf("the log names what the file held: %s", logged.String())
	}
	// A file that cannot be read: said in the log without its path.
	os.MkdirAll(file, 0o700) // a folder where the file was: reading fails
	logged.Reset()
	forgetFynePreferences(log)
	if !strings.Contains(logged.String(), "could not be read") || strings.Contains(logged.String(), root) {
		t.Errorf("the log of an unreadable file: %s", logged.String())
	}
	os.Remove(file)
	// A second start finds nothing to do.
	if got := forgetFynePreferences(log); got != "" {
		t.Errorf("second start: %q", got)
	}
}

// The language chosen in Settings is kept for the next start, in a file
// of Dossier's own written whole; without one, the fallback.
func TestLanguageKept(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if got := savedLanguage("pt"); got != "pt" {
		t.Fatalf("nothing kept yet: %q", got)
	}
	if err := saveLanguage("ru"); err != nil {
		t.Fatal(err)
	}
	if got := savedLanguage("pt"); got != "ru" {
		t.Fatalf("kept %q, want ru", got)
	}
	f, _ := languageFile()
	os.WriteFile(f, []byte("xx\n"), 0o600)
	if got := savedLanguage("pt"); got != "pt" {
		t.Fatalf("an unknown language was taken: %q", got)
	}
}
