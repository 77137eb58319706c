// Command dossier is Dossier's desktop application.
//
//	dossier [--vault DIR] [--lang CODE]
//
// Without --vault it opens the default vault (dossier in the user's data
// folder), or offers to create one.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"
	"github.com/sirupsen/logrus"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/internal/atomicfile"
	"github.com/dossier-hr/dossier/internal/oswatch"
	"github.com/dossier-hr/dossier/store"
	"github.com/dossier-hr/dossier/ui"
)

func main() {
	vault := flag.String("vault", "", "vault `folder` (default: dossier in the user's data folder)")
	language := flag.String("lang", "", "interface `language`: "+strings.Join(assets.Languages, ", ")+" (default: the system's)")
	level := flag.String("log-level", "warn", "log `level` on standard error: error, warn, info, debug (logs never hold case content)")
	neutral := flag.Bool("neutral-window", os.Getenv("DOSSIER_NEUTRAL_WINDOW") == "1", "title the window \"Notes\" with a plain page icon, for a laptop others see (cosmetic; also DOSSIER_NEUTRAL_WINDOW=1)")
	flag.Parse()
	log := logrus.New()
	lvl, err := logrus.ParseLevel(*level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dossier: --log-level: use error, warn, info or debug")
		os.Exit(2)
	}
	log.SetLevel(lvl)
	dir := *vault
	if dir == "" {
		if dir, err = store.DefaultDir(); err != nil {
			fmt.Fprintln(os.Stderr, "dossier:", err)
			os.Exit(1)
		}
	}
	old := forgetFynePreferences(log)
	// No ID: Fyne then keeps no preferences file (see forgetFynePreferences).
	a := app.NewWithID("")
	l := *language
	if l == "" {
		// The language chosen in Settings (in Fyne's preferences before
		// this version), else the system's.
		if old == "" {
			old = systemLanguage()
		}
		l = savedLanguage(old)
	}
	if !slices.Contains(assets.Languages, l) {
		fmt.Fprintf(os.Stderr, "dossier: no translation for %q; use one of %s\n", l, strings.Join(assets.Languages, ", "))
		os.Exit(2)
	}
	if *neutral {
		a.SetIcon(fyne.NewStaticResource("notes.png", assets.NeutralIcon))
	} else {
		a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	}
	w := a.NewWindow("")
	// Small enough for the 1024x600 screens of old netbooks, with a task
	// bar and the window's title; a person with more room maximises it.
	w.Resize(fyne.NewSize(1000, 540))
	ui.New(w, ui.Config{VaultDir: dir, Lang: l, Log: log, SaveLanguage: saveLanguage, WatchOS: watchOS, NeutralWindow: *neutral}).Start()
	w.ShowAndRun()
}

// watchOS locks the vault when the system says the person left the
// computer (see internal/oswatch): always on, as a person expects.
func watchOS(onLock func(oswatch.Reason)) (stop func(), err error) {
	return oswatch.Watch(context.Background(), onLock)
}

// Dossier keeps nothing in Fyne's preferences, and runs Fyne without an
// application ID so that Fyne keeps no preferences file at all:
//   - earlier versions used Fyne's file dialog, which left the last folder
//     used in that file, in plain text that every user of the machine can
//     read, where a folder's name can name a person;
//   - with a preferences file, Fyne watches its folder and rewrites the
//     file as the app quits; the watcher can read it half-written ("Fyne
//     error: Preferences load error: EOF" on standard error), a race in
//     Fyne's shutdown that the real-window suite met.
// The language chosen in Settings is kept in a file of Dossier's own.

// oldAppID named Fyne's preferences folder (~/.config/fyne/org.dossier.app
// on Linux) in earlier versions.
const oldAppID = "org.dossier.app"

// fynePreferencesFile is where earlier versions had Fyne keep preferences.
func fynePreferencesFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "fyne", oldAppID, "preferences.json"), nil
}

// forgetFynePreferences removes the preferences file of earlier versions
// (and its folder, when nothing else is in it), and returns the language
// it held, to be kept in Dossier's own file. It logs what it did, never
// what the file held.
func forgetFynePreferences(log logrus.FieldLogger) (language string) {
	file, err := fynePreferencesFile()
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		log.WithField("error", ui.ErrorKind(err)).Warn("the preferences file of an earlier version could not be read")
		return ""
	}
	var prefs struct {
		Language string `json:"language"`
	}
	if json.Unmarshal(b, &prefs) == nil && slices.Contains(assets.Languages, prefs.Language) {
		language = prefs.Language
		if savedLanguage("") == "" {
			if err := saveLanguage(language); err != nil {
				log.WithField("error", ui.ErrorKind(err)).Warn("the language could not be kept")
			}
		}
	}
	if err := os.Remove(file); err != nil {
		log.WithField("error", ui.ErrorKind(err)).Warn("the preferences file of an earlier version could not be removed")
		return language
	}
	os.Remove(filepath.Dir(file)) // only when empty
	log.Info("removed the preferences file of an earlier version")
	return language
}

// systemLanguage is the system's language if Dossier has it, else English.
func systemLanguage() string {
	code, _, _ := strings.Cut(lang.SystemLocale().String(), "-")
	if slices.Contains(assets.Languages, code) {
		return code
	}
	return "en"
}

// The language chosen in Settings is kept in a small file of Dossier's
// own, written whole under a temporary name and renamed into place. In
// Fyne's preferences, each change rewrote the file in place while Fyne
// watched it, and Fyne read it half-written ("Preferences load error:
// EOF" on standard error).

// languageFile is where the chosen language is kept: dossier/language
// in the user's configuration folder.
func languageFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "dossier", "language"), nil
}

// savedLanguage returns the language kept by saveLanguage, or fallback.
func savedLanguage(fallback string) string {
	f, err := languageFile()
	if err != nil {
		return fallback
	}
	b, err := os.ReadFile(f)
	if l := strings.TrimSpace(string(b)); err == nil && slices.Contains(assets.Languages, l) {
		return l
	}
	return fallback
}

// saveLanguage keeps the language for the next start.
func saveLanguage(lang string) error {
	f, err := languageFile()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(f, []byte(lang+"\n"), 0o600)
}
