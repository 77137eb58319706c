package export

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// forgerBackup is what someone who knows only the victim's public
// recovery recipient can make: a full backup of a vault of their own,
// made with this package's writer, signed by their own organisation. It
// returns the bundle (encrypted to the forger's recovery key), the
// forger's recovery key and identity.
func forgerBackup(t *testing.T) ([]byte, *crypto.RecoveryKey, *crypto.OrgIdentity) {
	t.Helper()
	v, rk, err := store.Create(filepath.Join(t.TempDir(), "forger"), "forger passphrase", store.CreateOptions{OrgName: "Origin Network"})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.AddCases(ctx, strings.NewReader(cases)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "forged.age")
	if _, err := WriteFile(ctx, v, path, Options{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	id, _ := v.Identity()
	return data, rk, id
}

// editMeta changes the settings entry of a bundle's entries.
func editMeta(t *testing.T, entries []tarEntry, edit func(meta map[string][]byte)) []tarEntry {
	t.Helper()
	i := indexOf(entries, entryMeta)
	var meta map[string][]byte
	if err := json.Unmarshal(entries[i].data, &meta); err != nil {
		t.Fatal(err)
	}
	edit(meta)
	entries[i].data = marshal(meta)
	return entries
}

// restoreBytes restores a bundle given as bytes with rk, and checks that a
// refused restore leaves no folder behind.
func restoreBytes(t *testing.T, data []byte, rk *crypto.RecoveryKey, org string) error {
	t.Helper()
	p := writeTemp(t, data)
	dir := filepath.Join(t.TempDir(), "r")
	_, err := Restore(ctx, []string{p}, rk, dir, "p", RestoreOptions{Organisation: org})
	if err != nil {
		if _, serr := os.Stat(dir); !os.IsNotExist(serr) {
			t.Fatal("a refused restore left its folder behind")
		}
	}
	return err
}

// A backup forged by someone who knows only the public recovery
// recipient is refused, however the forger dresses its settings, by
// Restore and by VerifyBackup alike.
func TestForgedBackupRefused(t *testing.T) {
	victim, rk, _ := fullVault(t)
	own, _ := victim.Identity()
	forged, forgerRK, forger := forgerBackup(t)
	x, _ := rk.X25519()
	toVictim := func(e []tarEntry) []tarEntry { return e }
	attempts := map[string][]byte{
		// The forger's backup as written, encrypted to the victim's
		// recovery key: the restored vault would back up to the forger.
		"as written": reencrypt(t, forged, forgerRK.Identity(), rk.Recipient(), toVictim),
		// Settings naming the victim's recovery key, with the forger's
		// own binding (made with the forger's recovery key).
		"victim's recipients": forge(t, forger, rk.Recipient(), editMeta(t, entriesOf(t, forged, forgerRK.Identity()), func(m map[string][]byte) {
			m["recovery_recipient"] = []byte(rk.RecipientString())
			m["recovery_recipient_x25519"] = []byte(x.Recipient().String())
		})),
		// The same with the victim's binding copied over.
		"a copied binding": forge(t, forger, rk.Recipient(), editMeta(t, entriesOf(t, forged, forgerRK.Identity()), func(m map[string][]byte) {
			vm, _ := victim.BackupMeta(ctx)
			m["recovery_recipient"] = []byte(rk.RecipientString())
			m["recovery_recipient_x25519"] = []byte(x.Recipient().String())
			m["recovery_binding"] = store.BackupRecoveryBinding(vm)
		})),
		// Only the classic recipient left to the forger.
		"the forger's classic recipient": forge(t, forger, rk.Recipient(), editMeta(t, entriesOf(t, forged, forgerRK.Identity()), func(m map[string][]byte) {
			m["recovery_recipient"] = []byte(rk.RecipientString())
			// A binding the forger cannot make, so that the classic
			// recipient alone is what refuses it.
			m["recovery_binding"] = crypto.RecoveryBinding(rk, forger.PublicKey())
		})),
	}
	for name, data := range attempts {
		err := restoreBytes(t, data, rk, "")
		if !errors.Is(err, ErrNotBound) || !errors.Is(err, ErrVerify) {
			t.Errorf("%s: restore got %v, want ErrNotBound", name, err)
		}
		_, err = VerifyBackup(ctx, strings.NewReader(string(data)), rk, "")
		if !errors.Is(err, ErrNotBound) {
			t.Errorf("%s: verify got %v, want ErrNotBound", name, err)
		}
	}
	// Posing as a backup made before bindings: refused unless the person
	// confirms the organisation, and the forger's is not the victim's.
	unbound := forge(t, forger, rk.Recipient(), editMeta(t, entriesOf(t, forged, forgerRK.Identity()), func(m map[string][]byte) {
		m["recovery_recipient"] = []byte(rk.RecipientString())
		m["recovery_recipient_x25519"] = []byte(x.Recipient().String())
		delete(m, "recovery_binding")
	}))
	if err := restoreBytes(t, unbound, rk, ""); !errors.Is(err, ErrNoBinding) || !errors.Is(err, ErrVerify) {
		t.Errorf("unbound, no organisation confirmed: %v", err)
	}
	if err := restoreBytes(t, unbound, rk, own.Fingerprint()); !errors.Is(err, ErrNotBound) {
		t.Errorf("unbound, the victim's organisation confirmed: %v", err)
	}
}

// A backup made before bindings existed restores only once the person
// confirms its organisation's fingerprint; a wrong one is refused. The
// restored vault is bound, so its own backups restore without asking.
func TestUnboundBackupNeedsTheOrganisation(t *testing.T) {
	v, rk, _ := fullVault(t)
	mustExec(t, v, "DELETE FROM meta WHERE key = 'recovery_binding'")
	path := filepath.Join(t.TempDir(), "old.age")
	m, err := WriteFile(ctx, v, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.RecoveryBound || m.RecoveryKey != rk.ID() {
		t.Fatalf("an unbound backup says bound %v, key %q (want %q)", m.RecoveryBound, m.RecoveryKey, rk.ID())
	}
	id, _ := v.Identity()
	other, _ := crypto.NewOrgIdentity()
	dir := filepath.Join(t.TempDir(), "r")
	for name, tc := range map[string]struct {
		org  string
		want error
	}{"no organisation": {"", ErrNoBinding}, "another organisation": {other.Fingerprint(), ErrNotBound}} {
		if _, err := Restore(ctx, []string{path}, rk, dir, "p", RestoreOptions{Organisation: tc.org}); !errors.Is(err, tc.want) || !errors.Is(err, ErrVerify) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
		if _, err := VerifyBackup(ctx, openFile(t, path), rk, tc.org); !errors.Is(err, tc.want) {
			t.Errorf("verify, %s: got %v, want %v", name, err, tc.want)
		}
	}
	// Typed as read over the phone: lower case, spaces.
	typed := strings.ToLower(strings.ReplaceAll(id.Fingerprint(), "-", " "))
	if _, err := VerifyBackup(ctx, openFile(t, path), rk, typed); err != nil {
		t.Fatalf("verify with the organisation confirmed: %v", err)
	}
	if _, err := Restore(ctx, []string{path}, rk, dir, "p", RestoreOptions{Organisation: typed}); err != nil {
		t.Fatalf("the organisation confirmed: %v", err)
	}
	r, err := store.Open(dir, "p", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if ok, _ := r.RecoveryBound(ctx); !ok {
		t.Fatal("the restored vault is not bound")
	}
	next := filepath.Join(t.TempDir(), "next.age")
	if m, err := WriteFile(ctx, r, next, Options{}); err != nil || !m.RecoveryBound {
		t.Fatalf("backup of the restored vault: %v", err)
	}
	if _, err := Restore(ctx, []string{next}, rk, filepath.Join(t.TempDir(), "r2"), "p", RestoreOptions{}); err != nil {
		t.Fatalf("a backup of the restored vault: %v", err)
	}
}

// A backup states the recovery key it opens with, and VerifyBackup checks
// it opens with the key the person holds and is bound to it.
func TestBackupStatesItsRecoveryKey(t *testing.T) {
	v, rk, _ := fullVault(t)
	path := filepath.Join(t.TempDir(), "b.age")
	m, err := WriteFile(ctx, v, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.RecoveryKey != rk.ID() || !m.RecoveryBound {
		t.Fatalf("backup says key %q bound %v; want %q", m.RecoveryKey, m.RecoveryBound, rk.ID())
	}
	got, err := VerifyBackup(ctx, openFile(t, path), rk, "")
	if err != nil || got.RecoveryKey != rk.ID() || !got.RecoveryBound || got.Cases != 3 {
		t.Fatalf("verify: %+v, %v", got, err)
	}
	other, _ := crypto.NewRecoveryKey()
	if _, err := VerifyBackup(ctx, openFile(t, path), other, ""); !errors.Is(err, ErrNotAddressed) {
		t.Fatalf("verify with another recovery key: %v", err)
	}
	// X25519 backups name the same key.
	xpath := filepath.Join(t.TempDir(), "x.age")
	if m, err := WriteFile(ctx, v, xpath, Options{X25519: true}); err != nil || m.RecoveryKey != rk.ID() {
		t.Fatalf("x25519 backup: %+v %v", m, err)
	}
	if _, err := VerifyBackup(ctx, openFile(t, xpath), rk, ""); err != nil {
		t.Fatalf("verify an x25519 backup: %v", err)
	}
}

func openFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// FuzzNormalFingerprint: what a person types for --organisation. A
// fingerprint, however spaced, dashed or cased, reads as itself; the
// result is canonical (normalising it again changes nothing) and never
// holds a space or a lower-case letter.
func FuzzNormalFingerprint(f *testing.F) {
	id, _ := crypto.NewOrgIdentity()
	fp := id.Fingerprint()
	f.Add(fp)
	f.Add(strings.ToLower(strings.ReplaceAll(fp, "-", " ")))
	f.Add("  abcd-efgh ijkl\tmnop ")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		n := normalFingerprint(s)
		if normalFingerprint(n) != n {
			t.Fatalf("%q normalises to %q, then to %q", s, n, normalFingerprint(n))
		}
		if strings.ContainsAny(n, " \t") || n != strings.ToUpper(n) {
			t.Fatalf("%q normalises to %q", s, n)
		}
		if normalFingerprint(strings.ToLower(strings.ReplaceAll(fp, "-", " "+s[:0]))) != fp {
			t.Fatal("a fingerprint typed in lower case with spaces does not read as itself")
		}
	})
}
