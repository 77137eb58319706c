package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"fyne.io/fyne/v2/widget"
	"github.com/sirupsen/logrus"

	"github.com/dossier-hr/dossier/crypto"
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
// starts with MRK), and does say what was done; on the failing paths too
// (a missing evidence file, a folder gone when evidence is saved, a
// tampered bundle, wrong passphrases), whose errors hold paths and names:
// it says only the kinds of the errors.
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

	// Failing paths, in a folder whose name names a person: their errors
	// hold paths and names, the log only their kinds. An evidence file
	// gone before it is attached:
	folder := filepath.Join(t.TempDir(), "MRKfolder of Olena")
	os.Mkdir(folder, 0o700)
	drop(t, w, filepath.Join(folder, "MRKmissing-video.mp4"))
	eventually(t, "the attach form again", func() bool { return labelWith(w, "MRKmissing-video.mp4") })
	press(t, w, "Attach")
	eventually(t, "the attach error", func() bool { return labelWith(w, "no such file or directory") })
	press(t, w, "OK")
	// Evidence saved into a folder no file can be written in:
	press(t, w, "Save the original")
	saveFile(t, w, filepath.Join(unwritableFolder(t, folder, "MRKread-only"), "MRKsaved-photo.jpg"))
	eventually(t, "the save error", func() bool { return labelWith(w, "Something went wrong") })
	press(t, w, "OK")
	press(t, w, "Share…")
	clickText(t, w, "Protect with a one-off passphrase instead (for someone not in your contacts)")
	var pass *widget.Entry
	onUI(func() { pass = a.main.lastShare.pass })
	typeIn(t, w, pass, "MRKsharepassphrase copper 47")
	press(t, w, "Write the bundle…")
	share := filepath.Join(t.TempDir(), "MRKshare.age")
	saveFile(t, w, share)
	eventually(t, "the share", func() bool { return labelWith(w, "tell the passphrase another way") })
	press(t, w, "OK")
	press(t, w, "Cancel")
	menu(t, w, "Vault", "Statistics…")
	eventually(t, "the statistics", func() bool { return labelWith(w, "By perpetrator") })
	press(t, w, "Close")
	press(t, w, "Back up")
	press(t, w, "Next")
	backup := filepath.Join(t.TempDir(), "MRKbackup.age")
	saveFile(t, w, backup)
	eventually(t, "the backup", func() bool { return labelWith(w, "Backup written and verified") })
	press(t, w, "OK")
	// A tampered bundle, refused:
	b, _ := os.ReadFile(backup)
	b[len(b)/2] ^= 1
	tampered := filepath.Join(folder, "MRKtampered.age")
	os.WriteFile(tampered, b, 0o600)
	press(t, w, "Import")
	openFile(t, w, tampered)
	eventually(t, "the refusal of the bundle", func() bool { return labelWith(w, "This bundle was refused and nothing was changed") })
	press(t, w, "OK")
	// A wrong passphrase for the share, then given up:
	press(t, w, "Import")
	openFile(t, w, share)
	eventually(t, "the passphrase question", func() bool { return labelWith(w, "No key of this vault opens this bundle") })
	pass, _ = find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "One-off passphrase for this bundle" })
	typeIn(t, w, pass, "MRKwrong share passphrase")
	press(t, w, "Next")
	eventually(t, "the question again", func() bool { return labelWith(w, "This passphrase does not open the bundle either.") })
	press(t, w, "Cancel")
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
	for _, want := range []string{"unlock failed", "vault unlocked", "case saved", "evidence attached", "share written", "backup written", "statistics shown", "settings saved", "vault locked",
		"attach failed", "open: file does not exist", "saving evidence failed", "bundle refused", "the bundle is damaged, truncated or was altered"} {
		if !strings.Contains(got, want) {
			t.Errorf("the log does not say %q:\n%s", want, got)
		}
	}
}

// unwritableFolder makes a folder called name in parent in which no file
// can be made: without write permission, or, for root, whom permissions
// do not stop, a link to /proc, where not even root makes files.
func unwritableFolder(t *testing.T, parent, name string) string {
	t.Helper()
	dir := filepath.Join(parent, name)
	if os.Geteuid() == 0 {
		if err := os.Symlink("/proc", dir); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	return dir
}

// ErrorKind keeps the kind of an error and drops its text: paths, names.
func TestErrorKind(t *testing.T) {
	_, notThere := os.Open(filepath.Join(t.TempDir(), "MRKname", "MRKfile"))
	linkErr := os.Rename(filepath.Join(t.TempDir(), "MRKfrom"), filepath.Join(t.TempDir(), "MRKto"))
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{notThere, "open: file does not exist"},
		{fmt.Errorf("attaching MRKvideo.mp4: %w", notThere), "open: file does not exist"},
		{linkErr, "rename: file does not exist"},
		{&os.PathError{Op: "write", Path: "/MRKstick/f", Err: syscall.EIO}, "write: input/output error"},
		{fmt.Errorf("case MRKtitle: %w", crypto.ErrWrongPassphrase), "wrong passphrase"},
		{fmt.Errorf("%w: %w", export.ErrVerify, export.ErrBadSignature), export.ErrBadSignature.Error()},
		{&store.FieldError{Field: "MRKfield", Msg: "MRKmsg", Reason: "required"}, "invalid case: required"},
		{errors.New("MRK something else"), "other"},
	} {
		if got := ErrorKind(c.err); got != c.want || strings.Contains(got, "MRK") {
			t.Errorf("ErrorKind(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
