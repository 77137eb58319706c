package store

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/crypto"
)

// editKeyFile changes vault.key as an attacker would: its JSON, with no
// key at hand.
func editKeyFile(t *testing.T, dir string, change func(m map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, KeyFileName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// attackerRecipients are the public halves of a recovery key someone
// else holds.
func attackerRecipients(t *testing.T) (pq, x string) {
	t.Helper()
	rk, err := crypto.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	xi, err := rk.X25519()
	if err != nil {
		t.Fatal(err)
	}
	return rk.RecipientString(), xi.Recipient().String()
}

func plantRecipients(pq, x string) func(m map[string]any) {
	return func(m map[string]any) {
		m["recovery_recipient"], m["recovery_recipient_x25519"] = pq, x
	}
}

// backupRecipients are the recipients full backups are encrypted to.
func backupRecipients(t *testing.T, v *Vault) (string, string) {
	t.Helper()
	pq, err := v.RecoveryRecipient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	x, err := v.RecoveryRecipientX25519(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return pq, x
}

// The attack of issue 10: someone who can write vault.key, and knows no
// passphrase, adds their own recovery recipients to it. The next unlock,
// by passphrase or recovery key, refuses the key file and writes
// nothing; backups were never redirected.
func TestPlantedRecipientsRefused(t *testing.T) {
	v, rk, dir := testVault(t)
	realPQ, realX := backupRecipients(t, v)
	v.Close()
	atkPQ, atkX := attackerRecipients(t)
	editKeyFile(t, dir, plantRecipients(atkPQ, atkX))
	before := hashDir(t, dir)

	for name, open := range map[string]func() (*Vault, error){
		"passphrase":   func() (*Vault, error) { return Open(dir, "test passphrase", Options{}) },
		"recovery key": func() (*Vault, error) { return OpenWithRecoveryKey(dir, rk, Options{}) },
	} {
		v, err := open()
		if err == nil {
			pq, x := backupRecipients(t, v)
			v.Close()
			if pq == atkPQ || x == atkX {
				t.Fatalf("%s: the planted recipients were taken: backups would go to the attacker", name)
			}
			t.Fatalf("%s: the altered key file opened", name)
		}
		if !errors.Is(err, ErrKeyFileAltered) || !errors.Is(err, crypto.ErrKeyFileAltered) {
			t.Fatalf("%s: %v, want ErrKeyFileAltered", name, err)
		}
	}
	if after := hashDir(t, dir); !equalHashes(before, after) {
		t.Fatal("a refused unlock changed the vault folder")
	}

	// The way out: the key file rewritten from the vault's settings.
	rep, err := RepairKeyFile(dir, WithPassphrase("test passphrase"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Altered || !rep.RecipientsIgnored {
		t.Fatalf("repair report %+v", rep)
	}
	v, err = OpenWithRecoveryKey(dir, rk, Options{})
	if err != nil {
		t.Fatalf("after the repair: %v", err)
	}
	defer v.Close()
	if pq, x := backupRecipients(t, v); pq != realPQ || x != realX {
		t.Fatal("after the repair, backups do not go to the vault's recovery key")
	}
	if v.kf.RecoveryRecipient != realPQ || v.kf.RecoveryRecipientX25519 != realX {
		t.Fatal("the repaired key file names other recipients than the vault's")
	}
	acts := auditActions(t, v)
	if last := acts[len(acts)-1]; !strings.HasPrefix(last, AuditKeyFileRepaired+":") || !strings.Contains(last, "dropped") {
		t.Fatalf("last audit entry %q", last)
	}
	if _, _, err := v.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func equalHashes(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, h := range a {
		if b[k] != h {
			return false
		}
	}
	return true
}

// Each field the MAC covers, changed in the file, is refused at unlock
// and nothing is written; the MAC removed from a sealed vault's key file
// too.
func TestKeyFileFieldsAltered(t *testing.T) {
	atkPQ, atkX := attackerRecipients(t)
	cases := map[string]func(m map[string]any){
		"recovery_recipient":        func(m map[string]any) { m["recovery_recipient"] = atkPQ },
		"recovery_recipient_x25519": func(m map[string]any) { m["recovery_recipient_x25519"] = atkX },
		"wipe_after":                func(m map[string]any) { m["wipe_after"] = 1 },
		"wipe_after removed":        func(m map[string]any) { delete(m, "wipe_after") },
		"recovery wrap":             nil, // an older recovery wrap: below
		"mac flipped": func(m map[string]any) {
			// Flip a bit of the MAC itself, not of its base64 text
			// (which could make the text invalid, a different refusal).
			b, err := base64.StdEncoding.DecodeString(m["mac"].(string))
			if err != nil {
				panic(err)
			}
			b[0] ^= 1
			m["mac"] = base64.StdEncoding.EncodeToString(b)
		},
		"mac removed": func(m map[string]any) { delete(m, "mac") },
		"mac empty":   func(m map[string]any) { m["mac"] = "" },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			v, rk, dir := testVault(t)
			if err := v.SetWipeAfter(ctx, 5); err != nil {
				t.Fatal(err)
			}
			if change == nil {
				// A recovery key replaced: the wrap to the old key,
				// put back, would let the old key open the vault.
				old, err := os.ReadFile(filepath.Join(dir, KeyFileName))
				if err != nil {
					t.Fatal(err)
				}
				fresh, _ := crypto.NewRecoveryKey()
				if err := v.ReplaceRecoveryKey(ctx, fresh); err != nil {
					t.Fatal(err)
				}
				var m map[string]any
				json.Unmarshal(old, &m)
				change = func(n map[string]any) { n["recovery"] = m["recovery"] }
			}
			v.Close()
			editKeyFile(t, dir, change)
			before := hashDir(t, dir)
			if v, err := Open(dir, "test passphrase", Options{}); !errors.Is(err, ErrKeyFileAltered) {
				if err == nil {
					v.Close()
				}
				t.Fatalf("passphrase: %v, want ErrKeyFileAltered", err)
			}
			if v, err := OpenWithRecoveryKey(dir, rk, Options{}); !errors.Is(err, ErrKeyFileAltered) && !errors.Is(err, crypto.ErrWrongRecoveryKey) {
				if err == nil {
					v.Close()
				}
				t.Fatalf("recovery key: %v, want ErrKeyFileAltered", err)
			}
			if after := hashDir(t, dir); !equalHashes(before, after) {
				t.Fatal("a refused unlock changed the vault folder")
			}
			// Repair gives the vault back, guard as it was set.
			rep, err := RepairKeyFile(dir, WithPassphrase("test passphrase"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Altered || rep.WipeAfter != 5 || !rep.WipeAfterRecorded {
				t.Fatalf("repair report %+v", rep)
			}
			v, err = Open(dir, "test passphrase", Options{})
			if err != nil {
				t.Fatalf("after the repair: %v", err)
			}
			if g := v.UnlockGuard(); g.WipeAfter != 5 {
				t.Fatalf("guard after the repair %+v", g)
			}
			v.Close()
		})
	}
}

// What changes while the vault is locked is not covered: a counted wrong
// passphrase and the guard's wipe leave a key file that still opens.
func TestKeyFileLockedChangesStillOpen(t *testing.T) {
	v, rk, dir := testVault(t)
	if err := v.SetWipeAfter(ctx, 2); err != nil {
		t.Fatal(err)
	}
	v.Close()
	for range 2 {
		if _, err := Open(dir, "wrong", Options{}); !errors.Is(err, crypto.ErrWrongPassphrase) {
			t.Fatal(err)
		}
	}
	if g, _ := ReadUnlockGuard(dir); !g.Wiped {
		t.Fatalf("guard %+v", g)
	}
	v, err := OpenWithRecoveryKey(dir, rk, Options{})
	if err != nil {
		t.Fatalf("after the wipe: %v", err)
	}
	v.Close()
}

// A key file from before key files were sealed (no MAC, the database not
// marked) opens; recipients in it that differ from the settings are
// dropped, never taken; it is sealed and the vault marked, so that
// removing the MAC afterwards is refused.
func TestLegacyKeyFileSealed(t *testing.T) {
	for _, planted := range []bool{false, true} {
		v, _, dir := testVault(t)
		realPQ, realX := backupRecipients(t, v)
		if err := execForTest(v, "DELETE FROM meta WHERE key IN ('key_file_mac', 'key_file_wipe_after')"); err != nil {
			t.Fatal(err)
		}
		v.Close()
		atkPQ, atkX := attackerRecipients(t)
		editKeyFile(t, dir, func(m map[string]any) {
			delete(m, "mac")
			if planted {
				plantRecipients(atkPQ, atkX)(m)
			}
		})
		v, err := Open(dir, "test passphrase", Options{})
		if err != nil {
			t.Fatalf("planted %v: a legacy key file: %v", planted, err)
		}
		if pq, x := backupRecipients(t, v); pq != realPQ || x != realX {
			t.Fatalf("planted %v: backups would go to %q, %q", planted, pq, x)
		}
		if v.IgnoredKeyFileRecipients() != planted {
			t.Fatalf("planted %v: IgnoredKeyFileRecipients %v", planted, v.IgnoredKeyFileRecipients())
		}
		acts := append([]string{""}, auditActions(t, v)...)
		if last := acts[len(acts)-1]; !strings.HasPrefix(last, AuditKeyFileSealed+":") || strings.Contains(last, "ignored") != planted {
			t.Fatalf("planted %v: last audit entry %q", planted, last)
		}
		v.Close()
		kf, err := crypto.ReadKeyFile(filepath.Join(dir, KeyFileName))
		if err != nil {
			t.Fatal(err)
		}
		if !kf.Sealed() || kf.RecoveryRecipient == atkPQ || kf.RecoveryRecipientX25519 == atkX {
			t.Fatalf("planted %v: the key file after the upgrade: sealed %v, recipients %q %q", planted, kf.Sealed(), kf.RecoveryRecipient, kf.RecoveryRecipientX25519)
		}
		v, err = Open(dir, "test passphrase", Options{})
		if err != nil {
			t.Fatalf("planted %v: the sealed key file: %v", planted, err)
		}
		v.Close()
		editKeyFile(t, dir, func(m map[string]any) { delete(m, "mac") })
		if _, err := Open(dir, "test passphrase", Options{}); !errors.Is(err, ErrKeyFileAltered) {
			t.Fatalf("planted %v: MAC removed after the upgrade: %v", planted, err)
		}
	}
}

// The repair works with the recovery key too, and on a vault that never
// recorded the guard's setting turns the guard off and says so. A wrong
// passphrase is refused and counted, as at any unlock.
func TestRepairKeyFile(t *testing.T) {
	v, rk, dir := testVault(t)
	realPQ, _ := backupRecipients(t, v)
	if err := execForTest(v, "DELETE FROM meta WHERE key = 'key_file_wipe_after'"); err != nil {
		t.Fatal(err)
	}
	v.Close()
	atkPQ, atkX := attackerRecipients(t)
	editKeyFile(t, dir, func(m map[string]any) {
		plantRecipients(atkPQ, atkX)(m)
		m["wipe_after"] = 7
	})
	if _, err := RepairKeyFile(dir, WithPassphrase("wrong"), Options{}); !errors.Is(err, crypto.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if g, _ := ReadUnlockGuard(dir); g.Failed != 1 {
		t.Fatalf("the wrong passphrase was not counted: %+v", g)
	}
	rep, err := RepairKeyFile(dir, WithRecoveryKey(rk), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Altered || !rep.RecipientsIgnored || rep.WipeAfter != 0 || rep.WipeAfterRecorded || !rep.WipeAfterChanged {
		t.Fatalf("repair report %+v", rep)
	}
	for _, open := range []func() (*Vault, error){
		func() (*Vault, error) { return Open(dir, "test passphrase", Options{}) },
		func() (*Vault, error) { return OpenWithRecoveryKey(dir, rk, Options{}) },
	} {
		v, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if pq, _ := backupRecipients(t, v); pq != realPQ {
			t.Fatal("backups redirected")
		}
		if g := v.UnlockGuard(); g.WipeAfter != 0 {
			t.Fatalf("guard %+v", g)
		}
		v.Close()
	}
	// An intact key file repairs to itself, and says it was intact.
	rep, err = RepairKeyFile(dir, WithPassphrase("test passphrase"), Options{})
	if err != nil || rep.Altered || rep.RecipientsIgnored {
		t.Fatalf("an intact key file: %+v %v", rep, err)
	}
}

// Full backups do not carry the settings about the folder's key file,
// and a restore does not take them from a backup.
func TestKeyFileSettingsStayLocal(t *testing.T) {
	v, rk, _ := testVault(t)
	meta, err := v.BackupMeta(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k := range meta {
		if localMeta(k) {
			t.Fatalf("a backup carries %q", k)
		}
	}
	dir := filepath.Join(t.TempDir(), "restored")
	r, err := CreateForRestore(dir, "restored passphrase", rk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := r.BeginLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range meta {
		if err := l.Meta(k, val); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Meta(metaKeyFileSealed, []byte("0")); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := r.FinishRestore(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	editKeyFile(t, dir, func(m map[string]any) { delete(m, "mac") })
	if _, err := Open(dir, "restored passphrase", Options{}); !errors.Is(err, ErrKeyFileAltered) {
		t.Fatalf("a restored vault's key file without its MAC: %v", err)
	}
}

// An older key file Dossier wrote itself passes the MAC (the data key
// never changes). Put back after a recovery key replacement, it would
// bring the replaced key back as the one backups go to: it is refused,
// and the repair makes the current recovery key the only one again.
func TestOlderKeyFilePutBack(t *testing.T) {
	v, _, dir := testVault(t)
	b, _ := crypto.NewRecoveryKey()
	if err := v.ReplaceRecoveryKey(ctx, b); err != nil {
		t.Fatal(err)
	}
	older, err := os.ReadFile(filepath.Join(dir, KeyFileName)) // names b
	if err != nil {
		t.Fatal(err)
	}
	c, _ := crypto.NewRecoveryKey()
	if err := v.ReplaceRecoveryKey(ctx, c); err != nil {
		t.Fatal(err)
	}
	v.Close()
	if err := os.WriteFile(filepath.Join(dir, KeyFileName), older, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, u := range map[string]Unlock{"passphrase": WithPassphrase("test passphrase"), "replaced recovery key": WithRecoveryKey(b)} {
		v, err := OpenWith(dir, u, Options{})
		if err == nil {
			pq, _ := backupRecipients(t, v)
			v.Close()
			if pq == b.RecipientString() {
				t.Fatalf("%s: backups would go to the replaced recovery key", name)
			}
			t.Fatalf("%s: an older key file opened", name)
		}
		if !errors.Is(err, ErrKeyFileAltered) {
			t.Fatalf("%s: %v, want ErrKeyFileAltered", name, err)
		}
	}
	rep, err := RepairKeyFile(dir, WithPassphrase("test passphrase"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Altered || !rep.RecipientsIgnored {
		t.Fatalf("repair report %+v", rep)
	}
	if _, err := OpenWithRecoveryKey(dir, b, Options{}); !errors.Is(err, crypto.ErrWrongRecoveryKey) {
		t.Fatalf("the replaced recovery key after the repair: %v", err)
	}
	v, err = OpenWithRecoveryKey(dir, c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if pq, _ := backupRecipients(t, v); pq != c.RecipientString() {
		t.Fatal("backups do not go to the current recovery key")
	}
}
