package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/sirupsen/logrus"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/store"
)

// lockedBuffer is a log sink safe for the app's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The app's log, at debug level, through the workflows that touch case
// content, evidence names and secrets, holds none of them (every marker
// starts with MRK), and does say what was done.
func TestLogsHoldNoContent(t *testing.T) {
	dir, _ := fixture(t)
	var logs lockedBuffer
	log := logrus.New()
	log.SetOutput(&logs)
	log.SetLevel(logrus.DebugLevel)
	newApp(t)
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1000, 700))
	a := New(w, Config{VaultDir: dir, Lang: "en", Log: log, AutoLock: -1})
	a.Start()
	t.Cleanup(func() { onUI(a.Lock); w.Close() })

	unlockWith(t, a, w, "MRKwrongpassphrase")
	eventually(t, "the refusal", func() bool { return labelWith(w, "Wrong passphrase") })
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })

	// A case typed in the editor, with a person, then searched and shown.
	var e *editor
	onUI(func() {
		test.Tap(button(t, w, "New case"))
		e = a.main.editorForTest()
		test.Type(e.title, "MRKtitle raid")
		e.narrative.SetText("MRKnarrative of the night")
		e.locality.SetText("MRKlocality")
		test.Tap(button(t, w, "Add a person"))
		e.prows[0].role.SetSelected("Victim")
		e.prows[0].pseudonym.SetText("MRKpseudonym")
		e.prows[0].legalName.SetText("MRKlegalname")
		e.consent.SetChecked(true)
		e.scopes.SetSelected([]string{"Share with legal partners"})
		test.Tap(button(t, w, "Save"))
	})
	eventually(t, "the saved case", func() bool { return labelWith(w, "Saved as revision 1.") })
	onUI(func() { test.Type(a.main.search, "MRKtitle") })
	eventually(t, "the search", func() bool { return a.main.count.Text == "1 case" })

	// Evidence with a telling name, a share with a passphrase, statistics,
	// a backup, the settings.
	photo := filepath.Join(t.TempDir(), "MRKphoto-of-injuries.jpg")
	os.WriteFile(photo, testimg.JPEGWithMetadata(), 0o600)
	list, _ := a.Vault().List(t.Context(), store.Query{Text: "MRKtitle"})
	c, _ := a.Vault().Get(t.Context(), list[0].ID)
	onUI(func() { a.main.attach(c, []string{photo}, store.AttachOptions{ReceivedFrom: "MRKsender"}) })
	eventually(t, "the attachment", func() bool { return labelWith(w, "1 file attached and hashed.") })
	onUI(func() { test.Tap(button(t, w, "OK")) })
	var f *shareForm
	onUI(func() {
		f = a.main.showShare(c)
		f.byPass.SetChecked(true)
		f.pass.SetText("MRKsharepassphrase copper 47")
	})
	share := filepath.Join(t.TempDir(), "share.age")
	onUI(func() { a.main.writeShare(c, f, share) })
	eventually(t, "the share", func() bool { return labelWith(w, "tell the passphrase another way") })
	onUI(func() { a.main.showStats() })
	onUI(func() { a.main.backupTo(filepath.Join(t.TempDir(), "b.age"), export.KindFull) })
	eventually(t, "the backup", func() bool { return labelWith(w, "Backup written and verified") })
	onUI(func() { a.Lock() })

	got := logs.String()
	if strings.Contains(got, "MRK") {
		t.Fatalf("the log holds content:\n%s", got)
	}
	for _, want := range []string{"unlock failed", "vault unlocked", "case saved", "evidence attached", "share written", "backup written", "statistics shown"} {
		if !strings.Contains(got, want) {
			t.Errorf("the log does not say %q:\n%s", want, got)
		}
	}
}
