package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/widget"
	"github.com/sirupsen/logrus"

	"github.com/dossier-hr/dossier/internal/testimg"
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
	w := newWindow()
	a := New(w, Config{VaultDir: dir, Lang: "en", Log: log, AutoLock: -1})
	a.Start()
	t.Cleanup(func() { onUI(a.Lock); w.Close() })

	unlockWith(t, a, w, "MRKwrongpassphrase")
	eventually(t, "the refusal", func() bool { return labelWith(w, "Wrong passphrase") })
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })

	// A case typed in the editor, with a person, then searched and shown.
	press(t, w, "New case")
	e := a.main.editorForTest()
	typeIn(t, w, e.title, "MRKtitle raid")
	typeIn(t, w, e.narrative, "MRKnarrative of the night")
	typeIn(t, w, e.locality, "MRKlocality")
	press(t, w, "Add a person")
	choose(t, w, e.prows[0].role, "Victim")
	typeIn(t, w, e.prows[0].pseudonym, "MRKpseudonym")
	typeIn(t, w, e.prows[0].legalName, "MRKlegalname")
	clickText(t, w, "Consent obtained")
	clickText(t, w, "Share with legal partners")
	press(t, w, "Save")
	eventually(t, "the saved case", func() bool { return labelWith(w, "Saved as revision 1.") })
	typeIn(t, w, a.main.search, "MRKtitle")
	eventually(t, "the search", func() bool { return a.main.count.Text == "1 case" })
	clickText(t, w, "MRKtitle raid")
	eventually(t, "the case", func() bool { return labelWith(w, "MRKnarrative of the night") })

	// Evidence with a telling name, a share with a passphrase, statistics,
	// a backup, the settings.
	photo := filepath.Join(t.TempDir(), "MRKphoto-of-injuries.jpg")
	os.WriteFile(photo, testimg.JPEGWithMetadata(), 0o600)
	drop(t, w, photo)
	eventually(t, "the attach form", func() bool { return labelWith(w, "MRKphoto-of-injuries.jpg") })
	from, _ := attachFields(t, w)
	typeIn(t, w, from, "MRKsender")
	press(t, w, "Attach")
	eventually(t, "the attachment", func() bool { return labelWith(w, "1 file attached and hashed.") })
	press(t, w, "OK")
	press(t, w, "Share…")
	clickText(t, w, "Protect with a one-off passphrase instead (for someone not in your contacts)")
	var pass *widget.Entry
	onUI(func() { pass = a.main.lastShare.pass })
	typeIn(t, w, pass, "MRKsharepassphrase copper 47")
	press(t, w, "Write the bundle…")
	saveFile(t, w, filepath.Join(t.TempDir(), "MRKshare.age"))
	eventually(t, "the share", func() bool { return labelWith(w, "tell the passphrase another way") })
	press(t, w, "OK")
	press(t, w, "Cancel")
	menu(t, w, "Vault", "Statistics…")
	eventually(t, "the statistics", func() bool { return labelWith(w, "By perpetrator") })
	press(t, w, "Close")
	press(t, w, "Back up")
	press(t, w, "Next")
	saveFile(t, w, filepath.Join(t.TempDir(), "MRKbackup.age"))
	eventually(t, "the backup", func() bool { return labelWith(w, "Backup written and verified") })
	press(t, w, "OK")
	f := openSettings(t, a, w)
	typeIn(t, w, f.author, "MRKauthor")
	retype(t, w, f.autoLock, "30")
	press(t, w, "Save")
	eventually(t, "the name kept", func() bool { return a.Vault().Author() == "MRKauthor" })
	press(t, w, "Lock")

	got := logs.String()
	if strings.Contains(got, "MRK") {
		t.Fatalf("the log holds content:\n%s", got)
	}
	for _, want := range []string{"unlock failed", "vault unlocked", "case saved", "evidence attached", "share written", "backup written", "statistics shown", "settings saved", "vault locked"} {
		if !strings.Contains(got, want) {
			t.Errorf("the log does not say %q:\n%s", want, got)
		}
	}
}
