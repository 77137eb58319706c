package ui

import (
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/goldenvault"
	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/store"
)

func init() { testhooks.ScryptWorkFactor = 10 }

const cases = `{"title":"Задержание у аптеки","narrative":"Полиция изъяла шприцы.","incident_date":"2025-02-14","country":"RU","status":"open","violations":[{"type":"arbitrary_arrest","perpetrator":"police"}],"people":[{"role":"victim","pseudonym":"Пётр"}],"consent":{"obtained":true,"scope":["legal_partners"]}}
{"title":"Penolakan layanan metadon","incident_date":"2025-06","country":"ID","status":"under_review","violations":[{"type":"denial_of_oat","perpetrator":"health_worker"}]}
{"title":"Extorsión en retén","incident_date":"2024","country":"BO","status":"closed","violations":[{"type":"extortion","perpetrator":"police"}]}
{"title":"Internação compulsória","incident_date":"2025-09-03","country":"BR","status":"referred"}
`

// fixture makes a vault with four cases and returns its folder and
// recovery key.
func fixture(t *testing.T) (string, *crypto.RecoveryKey) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, rk, err := store.Create(dir, "the right passphrase", store.CreateOptions{OrgName: "UI Test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddCases(t.Context(), strings.NewReader(cases)); err != nil {
		t.Fatal(err)
	}
	// The person's name was asked already: a save goes straight through
	// (author_test.go asks it).
	if err := v.SetSetting(t.Context(), settingAuthorAsked, "1"); err != nil {
		t.Fatal(err)
	}
	v.Close()
	return dir, rk
}

func start(t *testing.T, dir, lang string) (*App, fyne.Window) {
	t.Helper()
	begin(t)
	newApp(t)
	w := newWindow()
	a := New(w, Config{VaultDir: dir, Lang: lang})
	a.Start()
	t.Cleanup(func() {
		onUI(a.Lock) // background refreshes may still be landing
		w.Close()
	})
	return a, w
}

// eventually polls cond on the UI goroutine until it holds; it fails only
// after patience.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		ok := false
		onUI(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("still waiting for %s after %s: a hang or a bug (no loaded machine is that slow)", what, patience)
}

// patience is how long eventually waits before it fails: long enough that
// only a hang or a bug reaches it, never a slow or loaded machine.
const patience = 5 * time.Minute

// find returns the first visible object of type T in the window that
// satisfies match.
func find[T fyne.CanvasObject](w fyne.Window, match func(T) bool) (found T, ok bool) {
	onUI(func() {
		census.look(w)
		// Dialogs first: they are on top of the window's content.
		roots := append(w.Canvas().Overlays().List(), w.Content())
		for _, root := range roots {
			for _, o := range shown(root) {
				if x, is := o.(T); is && match(x) {
					found, ok = x, true
					return
				}
			}
		}
	})
	return found, ok
}

func labelWith(w fyne.Window, sub string) bool {
	_, ok := find(w, func(l *widget.Label) bool { return strings.Contains(l.Text, sub) })
	return ok
}

func button(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	b, ok := find(w, func(b *widget.Button) bool { return b.Text == text })
	if !ok {
		t.Fatalf("no button %q", text)
	}
	return b
}

func hashDir(t *testing.T, dir string) string {
	h := sha256.New()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return string(h.Sum(nil))
}

func unlockWith(t *testing.T, a *App, w fyne.Window, pass string) {
	t.Helper()
	e, ok := find(w, func(e *widget.Entry) bool { return e.Password })
	if !ok {
		t.Fatal("no passphrase field")
	}
	typeIn(t, w, e, pass)
	press(t, w, a.T("ui.unlock.button"))
}

func TestUnlockWrongThenRight(t *testing.T) {
	dir, _ := fixture(t)
	db := filepath.Join(dir, store.DBFile)
	before := hashFile(t, db)
	a, w := start(t, dir, "en")
	// Enter in the field unlocks, as the button does.
	e, ok := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase" })
	if !ok {
		t.Fatal("no passphrase field")
	}
	typeIn(t, w, e, "not the passphrase")
	key(t, w, fyne.KeyReturn)
	eventually(t, "the wrong-passphrase message", func() bool {
		return labelWith(w, "Wrong passphrase. The attempt was recorded: 1 wrong attempt since the last unlock")
	})
	// To the recovery key and back: the passphrase field again.
	press(t, w, "Use the recovery key instead")
	if _, shown := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "Passphrase" }); shown {
		t.Fatal("the passphrase field stays with the recovery key")
	}
	press(t, w, "Use the passphrase instead")
	if _, shown := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "Passphrase" }); !shown {
		t.Fatal("no passphrase field after Use the passphrase instead")
	}
	if a.Vault() != nil {
		t.Fatal("a wrong passphrase opened the vault")
	}
	if hashFile(t, db) != before {
		t.Fatal("a wrong passphrase changed the database")
	}
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	// The failed attempt is in the audit log now.
	log, err := a.Vault().AuditLog(t.Context())
	if err != nil || len(log) == 0 || log[len(log)-1].Action != store.AuditUnlockFailed || log[len(log)-1].Detail != "1 failed attempt(s) before this unlock" {
		t.Fatalf("failed unlock not recorded: %v %v", log, err)
	}
}

// A key file changed outside Dossier (someone else's recovery recipients
// added, to have backups encrypted to them): the right passphrase does
// not open the vault, the person is told what happened and what to do,
// in their language, and nothing in the folder changes.
func TestUnlockAlteredKeyFile(t *testing.T) {
	dir, _ := fixture(t)
	other, err := crypto.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	kp := filepath.Join(dir, store.KeyFileName)
	b, err := os.ReadFile(kp)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["recovery_recipient"] = other.RecipientString()
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, store.DBFile)
	before, keyBefore := hashFile(t, db), hashFile(t, kp)
	a, w := start(t, dir, "fr")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the altered key file message", func() bool {
		return labelWith(w, "Le fichier de clé de ce coffre (vault.key) a été modifié en dehors de Dossier")
	})
	if a.Vault() != nil {
		t.Fatal("a vault with an altered key file opened")
	}
	if hashFile(t, db) != before || hashFile(t, kp) != keyBefore {
		t.Fatal("a refused unlock changed the vault folder")
	}
}

// A vault folder Dossier did not make (a trigger planted in its
// database): the right passphrase does not open it, the person is told
// why and what to do, and the planted trigger never runs.
func TestUnlockPlantedVault(t *testing.T) {
	dir, _ := fixture(t)
	v, err := store.Open(dir, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = testhooks.VaultExec(v, `CREATE TRIGGER planted AFTER INSERT ON audit BEGIN INSERT INTO meta(key, value) VALUES ('planted', 'ran'); END`)
	v.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, store.DBFile)
	before := hashFile(t, db)
	a, w := start(t, dir, "en")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the planted-vault message", func() bool {
		return labelWith(w, "This vault folder holds database objects Dossier did not make, so it was not opened")
	})
	if a.Vault() != nil {
		t.Fatal("a planted vault opened")
	}
	if hashFile(t, db) != before {
		t.Fatal("opening a planted vault changed its database")
	}
}

func TestSearchFilterSelectAndLock(t *testing.T) {
	dir, _ := fixture(t)
	a, w := start(t, dir, "en")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	m := a.main

	// Search as you type: the count follows the query after the debounce.
	typeIn(t, w, m.search, "аптеке")
	eventually(t, "search results", func() bool { return m.count.Text == "1 case" })
	retype(t, w, m.search, "")
	eventually(t, "all cases again", func() bool { return m.count.Text == "4 cases" })

	// Filter by status.
	choose(t, w, m.status, "Closed")
	eventually(t, "filtered list", func() bool { return m.count.Text == "1 case" })
	choose(t, w, m.status, "All statuses")
	eventually(t, "unfiltered list", func() bool { return m.count.Text == "4 cases" })

	// Newest incident first; clicking a row shows the case.
	eventually(t, "the newest first", func() bool {
		s, ok := m.row(0)
		return ok && s.Title == "Internação compulsória"
	})
	clickText(t, w, "Internação compulsória")
	eventually(t, "the case view", func() bool {
		return labelWith(w, "Internação compulsória") && labelWith(w, "Incident date: 2025-09-03")
	})
	clickText(t, w, "Задержание у аптеки")
	eventually(t, "vocabulary labels", func() bool {
		return labelWith(w, "Arbitrary arrest — Police") && labelWith(w, "Пётр (Victim)") && labelWith(w, "Share with legal partners")
	})

	// Lock drops the vault and shows the unlock screen.
	press(t, w, "Lock")
	if a.Vault() != nil {
		t.Fatal("the vault is still open after Lock")
	}
	eventually(t, "the unlock screen", func() bool { return labelWith(w, "Unlock the vault") })
	if labelWith(w, "Пётр") || labelWith(w, "Internação") {
		t.Fatal("case content still on screen after Lock")
	}
}

func TestQuickLockShortcut(t *testing.T) {
	dir, _ := fixture(t)
	a, w := start(t, dir, "en")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	shortcut(t, w, &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	if a.Vault() != nil {
		t.Fatal("Ctrl+L did not lock the vault")
	}
	if !labelWith(w, "Unlock the vault") {
		t.Fatal("Ctrl+L did not return to the unlock screen")
	}
	// The menu item does the same.
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return a.Vault() != nil })
	if mm := w.MainMenu(); mm == nil || mm.Items[0].Items[0].Label != "Lock" || mm.Items[0].Items[0].Shortcut == nil {
		t.Fatal("no Lock item with its shortcut in the menu")
	}
	menu(t, w, "Vault", "Lock")
	if a.Vault() != nil {
		t.Fatal("the menu item did not lock the vault")
	}
}

func TestRecoveryKeyUnlock(t *testing.T) {
	dir, rk := fixture(t)
	a, w := start(t, dir, "fr")
	press(t, w, "Utiliser plutôt la clé de récupération")
	e, ok := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == a.T("ui.unlock.recovery_key") })
	if !ok {
		t.Fatal("no field for the recovery key")
	}
	typeIn(t, w, e, "not a key")
	press(t, w, "Déverrouiller")
	eventually(t, "the bad-key message", func() bool { return labelWith(w, "Ce n'est pas une clé de récupération") })
	other, _ := crypto.NewRecoveryKey()
	retype(t, w, e, strings.ToLower(other.String()))
	press(t, w, "Déverrouiller")
	eventually(t, "the wrong-key message", func() bool { return labelWith(w, "n'ouvre pas ce coffre") })
	paste(t, w, e, groupKey(rk.String())) // as copied from the screen, with spaces and breaks
	press(t, w, "Déverrouiller")
	eventually(t, "the case list in French", func() bool { return labelWith(w, "4 cas") })
}

func TestCreateVault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	a, w := start(t, dir, "en")
	if !labelWith(w, "Create a vault") {
		t.Fatal("no create screen without a vault")
	}
	org, _ := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "Organisation name" })
	pass, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase" })
	confirm, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase again" })
	typeIn(t, w, org, "Harm Reduction Network")
	typeIn(t, w, pass, "short")
	if !labelWith(w, "Too short") {
		t.Fatal("no strength warning while typing")
	}
	press(t, w, "Create the vault")
	if !labelWith(w, "Too short") || store.Exists(dir) {
		t.Fatal("a weak passphrase was accepted")
	}
	retype(t, w, pass, "password 123456")
	press(t, w, "Create the vault")
	if !labelWith(w, "Too common") || store.Exists(dir) {
		t.Fatal("a common passphrase was accepted")
	}
	retype(t, w, pass, "kopi tubruk pagi hari")
	typeIn(t, w, confirm, "kopi tubruk pagi har")
	press(t, w, "Create the vault")
	if !labelWith(w, "The two passphrases differ.") || store.Exists(dir) {
		t.Fatal("mismatched passphrases were accepted")
	}
	if !labelWith(w, "Strong enough.") {
		t.Fatal("no strength confirmation")
	}
	typeIn(t, w, confirm, "i")
	press(t, w, "Create the vault")
	eventually(t, "the recovery key screen", func() bool { return labelWith(w, "AGE-SECRET-KEY-PQ-1") })
	if !store.Exists(dir) {
		t.Fatal("no vault created")
	}
	if !labelWith(w, "Recovery key id: ") {
		t.Fatal("the recovery key's id is not shown with it")
	}
	// The key shown, copied as it is displayed, opens the vault.
	shown, _ := find(w, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "AGE-SECRET-KEY-PQ-1") })
	rk, err := crypto.ParseRecoveryKey(shown.Text)
	if err != nil {
		t.Fatalf("the key on screen does not parse: %v", err)
	}
	v2, err := store.OpenWithRecoveryKey(dir, rk, store.Options{})
	if err != nil {
		t.Fatalf("the key on screen does not open the vault: %v", err)
	}
	if card, err := export.OwnCard(v2); err != nil || card.Name != "Harm Reduction Network" {
		t.Fatalf("the organisation typed is not the vault's: %+v %v", card, err)
	}
	v2.Close()
	// Saved to a file for printing: owner-only, and dossierctl reads it.
	keyFile := filepath.Join(t.TempDir(), "rk.txt")
	press(t, w, "Save to a file, to print…")
	saveFile(t, w, keyFile)
	eventually(t, "the saved message", func() bool { return labelWith(w, "Saved, readable only by you.") })
	press(t, w, "OK")
	if fi, _ := os.Stat(keyFile); fi.Mode().Perm() != 0o600 {
		t.Fatalf("recovery key file mode %v", fi.Mode().Perm())
	}
	if back, err := crypto.ReadRecoveryKey(keyFile); err != nil || back.String() != rk.String() {
		t.Fatalf("the saved key does not read back: %v", err)
	}
	cont := button(t, w, "Continue")
	press(t, w, "Continue")
	if !cont.Disabled() || a.Vault() != nil {
		t.Fatal("Continue enabled before the key was confirmed saved")
	}
	clickText(t, w, "I have written down or printed the recovery key")
	press(t, w, "Continue")
	eventually(t, "the empty case list", func() bool { return labelWith(w, "0 cases") })
}

func TestGroupKeyRoundTrip(t *testing.T) {
	rk, _ := crypto.NewRecoveryKey()
	g := groupKey(rk.String())
	if !strings.Contains(g, "\n") || !strings.Contains(g, " ") {
		t.Fatalf("not grouped: %q", g)
	}
	back, err := crypto.ParseRecoveryKey(g)
	if err != nil || back.String() != rk.String() {
		t.Fatalf("grouped key does not parse back: %v", err)
	}
}

func TestListFiltersAndSort(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	m := a.main
	check := func(what string, want string) {
		t.Helper()
		eventually(t, what, func() bool { return m.count.Text == want })
	}
	choose(t, w, m.violation, "Extortion")
	check("violation filter", "1 case")
	choose(t, w, m.violation, "All violations")
	choose(t, w, m.perpetrator, "Police")
	check("perpetrator filter", "2 cases")
	choose(t, w, m.perpetrator, "All perpetrators")
	typeIn(t, w, m.country, "id")
	check("country filter", "1 case")
	retype(t, w, m.country, "")
	typeIn(t, w, m.from, "2025-06")
	check("date filter", "2 cases")
	typeIn(t, w, m.to, "2025-06-30")
	check("date range", "1 case")
	retype(t, w, m.from, "someday")
	eventually(t, "a bad date said", func() bool { return strings.HasPrefix(m.queryError.Text, "Not a real date") && m.queryError.Visible() })
	retype(t, w, m.from, "")
	retype(t, w, m.to, "")
	choose(t, w, m.sort, "Oldest incident first")
	check("all again", "4 cases")
	eventually(t, "oldest first", func() bool {
		s, ok := m.row(0)
		return ok && s.IncidentDate == "2024"
	})
	// The Bolivian case, changed last.
	if got, _ := a.Vault().List(t.Context(), store.Query{Text: "retén"}); len(got) != 1 {
		t.Fatal("no Bolivian case")
	} else if _, err := a.Vault().Edit(t.Context(), got[0].ID, []byte(`{"status":"open"}`)); err != nil {
		t.Fatal(err)
	}
	for _, order := range []struct{ label, first string }{
		{"By reference", "Задержание у аптеки"}, // the first added
		{"Recently changed first", "Extorsión en retén"},
		{"Newest incident first", "Internação compulsória"},
	} {
		choose(t, w, m.sort, order.label)
		eventually(t, order.label, func() bool {
			s, ok := m.row(0)
			return ok && s.Title == order.first
		})
	}
	// No case of the fixture needs review: the filter leaves none.
	clickText(t, w, "Needs review only")
	check("the review filter", "0 cases")
	clickText(t, w, "Needs review only")
	check("the review filter off", "4 cases")
}

// A vault made by the release before the evidence folder: the person
// unlocks it as always, its evidence moves out of the database on the
// way, and the app opens on its cases with every file readable.
func TestUnlockReleasedVault(t *testing.T) {
	dir, pass := goldenvault.Copy(t)
	a, w := start(t, dir, "en")
	unlockWith(t, a, w, pass)
	eventually(t, "the case list", func() bool { return labelWith(w, "3 cases") })
	rep, err := a.Vault().CheckStore(t.Context(), true)
	if err != nil || len(rep.Damage) != 0 || rep.Files != 7 {
		t.Fatalf("after unlocking: %+v, %v", rep, err)
	}
}

// The neutral window: "Notes" in the person's language, on the unlock
// screen and once the vault is open, never the app's name.
func TestNeutralWindowTitle(t *testing.T) {
	dir, _ := fixture(t)
	begin(t)
	newApp(t)
	w := newWindow()
	a := New(w, Config{VaultDir: dir, Lang: "ru", NeutralWindow: true})
	a.Start()
	t.Cleanup(func() {
		onUI(a.Lock)
		w.Close()
	})
	var title string
	onUI(func() { title = w.Title() })
	if title != "Заметки" {
		t.Fatalf("unlock screen title %q, want Заметки", title)
	}
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return a.Vault() != nil && w.Title() == "Заметки" })
}
