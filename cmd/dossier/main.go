// Command dossier is Dossier's desktop application.
//
//	dossier [--vault DIR] [--lang CODE]
//
// Without --vault it opens the default vault (dossier in the user's data
// folder), or offers to create one.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"
	"github.com/sirupsen/logrus"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/store"
	"github.com/dossier-hr/dossier/ui"
)

func main() {
	vault := flag.String("vault", "", "vault `folder` (default: dossier in the user's data folder)")
	language := flag.String("lang", "", "interface `language`: "+strings.Join(assets.Languages, ", ")+" (default: the system's)")
	level := flag.String("log-level", "warn", "log `level` on standard error: error, warn, info, debug (logs never hold case content)")
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
	a := app.NewWithID(appID)
	forgetFileDialog(a.Preferences())
	l := *language
	if l == "" {
		// The language chosen in Settings, else the system's.
		l = a.Preferences().StringWithFallback("language", systemLanguage())
	}
	if !slices.Contains(assets.Languages, l) {
		fmt.Fprintf(os.Stderr, "dossier: no translation for %q; use one of %s\n", l, strings.Join(assets.Languages, ", "))
		os.Exit(2)
	}
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("Dossier")
	// Small enough for the 1024x600 screens of old netbooks, with a task
	// bar and the window's title; a person with more room maximises it.
	w.Resize(fyne.NewSize(1000, 540))
	ui.New(w, ui.Config{VaultDir: dir, Lang: l, Log: log}).Start()
	w.ShowAndRun()
}

// appID names Fyne's preferences folder (~/.config/fyne/org.dossier.app on
// Linux), outside the vault: nothing there may hold a path or a name.
const appID = "org.dossier.app"

// fyneLastFolder is where Fyne's file dialog, which Dossier used before it
// had its own chooser, kept the last folder used: in the preferences file,
// in plain text that every user of the machine can read, where a folder's
// name can name a person. The chooser keeps it in memory only.
const fyneLastFolder = "fyne:fileDialogLastFolder"

// forgetFileDialog removes what earlier versions left in the preferences
// file; it writes the file only if there was something to remove.
func forgetFileDialog(p fyne.Preferences) {
	if p.String(fyneLastFolder) != "" {
		p.RemoveValue(fyneLastFolder)
	}
}

// systemLanguage is the system's language if Dossier has it, else English.
func systemLanguage() string {
	code, _, _ := strings.Cut(lang.SystemLocale().String(), "-")
	if slices.Contains(assets.Languages, code) {
		return code
	}
	return "en"
}
