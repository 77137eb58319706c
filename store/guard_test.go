package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/crypto"
)

func auditActions(t *testing.T, v *Vault) []string {
	t.Helper()
	log, err := v.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Action+":"+e.Detail)
	}
	return out
}

func TestUnlockGuardWipesPassphraseWrap(t *testing.T) {
	v, rk, dir := testVault(t)
	if err := v.SetWipeAfter(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if g := v.UnlockGuard(); g.WipeAfter != 3 || g.Left() != 3 {
		t.Fatalf("guard %+v", g)
	}
	v.Close()

	// Two wrong, then the right one: opens, the two are audited, the count
	// starts again.
	for i := 1; i <= 2; i++ {
		_, err := Open(dir, "wrong", Options{})
		if !errors.Is(err, crypto.ErrWrongPassphrase) || errors.Is(err, crypto.ErrPassphraseWiped) {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if g, _ := ReadUnlockGuard(dir); g.Failed != i || g.Left() != 3-i {
			t.Fatalf("after %d wrong: %+v", i, g)
		}
		// The state after the attempt comes with the error: what the
		// key file now says.
		if g, ok := GuardAfter(err); !ok || g.Failed != i || g.Left() != 3-i {
			t.Fatalf("GuardAfter after %d wrong: %+v %v", i, g, ok)
		}
	}
	v, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g := v.UnlockGuard(); g.Failed != 0 {
		t.Fatalf("count not reset by an unlock: %+v", g)
	}
	acts := auditActions(t, v)
	if last := acts[len(acts)-1]; !strings.HasPrefix(last, AuditUnlockFailed+":2 ") {
		t.Fatalf("last audit entry %q, want the 2 failures", last)
	}
	v.Close()
	if g, _ := ReadUnlockGuard(dir); g.Failed != 0 {
		t.Fatalf("count not reset on disk: %+v", g)
	}

	// Three wrong in a row: the third destroys the passphrase wrap.
	for i := 1; i <= 3; i++ {
		_, err := Open(dir, "wrong", Options{})
		if wiped := errors.Is(err, crypto.ErrPassphraseWiped); wiped != (i == 3) || !errors.Is(err, crypto.ErrWrongPassphrase) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := Open(dir, "test passphrase", Options{}); !errors.Is(err, crypto.ErrPassphraseWiped) {
		t.Fatalf("right passphrase after the wipe: %v, want ErrPassphraseWiped", err)
	}
	if g, _ := ReadUnlockGuard(dir); !g.Wiped || g.Left() != 0 {
		t.Fatalf("guard after wipe %+v", g)
	}

	// The recovery key still opens, records the attempts, and a new
	// passphrase brings the passphrase back; the guard stays on.
	v, err = OpenWithRecoveryKey(dir, rk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	acts = auditActions(t, v)
	if last := acts[len(acts)-1]; !strings.HasPrefix(last, AuditUnlockFailed+":3 ") {
		t.Fatalf("last audit entry %q", last)
	}
	if err := v.ChangePassphrase("a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v, err = Open(dir, "a brand new passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if g := v.UnlockGuard(); g.Wiped || g.WipeAfter != 3 || g.Failed != 0 {
		t.Fatalf("guard after new passphrase %+v", g)
	}
	if _, _, err := v.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestUnlockGuardOff(t *testing.T) {
	v, _, dir := testVault(t)
	if g := v.UnlockGuard(); g.WipeAfter != 0 || g.Left() != -1 {
		t.Fatalf("default guard %+v", g)
	}
	if err := v.SetWipeAfter(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := v.SetWipeAfter(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{-1, crypto.MaxWipeAfter + 1} {
		if err := v.SetWipeAfter(ctx, n); !errors.Is(err, ErrInvalid) {
			t.Fatalf("SetWipeAfter(%d): %v", n, err)
		}
	}
	acts := auditActions(t, v)
	if got := strings.Join(acts[len(acts)-2:], "|"); got != AuditUnlockGuard+":wipe the passphrase key after 2 wrong attempts|"+AuditUnlockGuard+":off" {
		t.Fatalf("audit %q", got)
	}
	v.Close()
	// Off, a wrong passphrase is still counted, in the key file only (the
	// database is locked), and the next unlock audits the count: the same
	// for the app and dossierctl, which is one process per attempt.
	before := hashDir(t, dir)
	for i := 1; i <= 5; i++ {
		_, err := Open(dir, "wrong", Options{})
		g, ok := GuardAfter(err)
		if !errors.Is(err, crypto.ErrWrongPassphrase) || !ok || g.Failed != i || g.WipeAfter != 0 || g.Left() != -1 {
			t.Fatalf("attempt %d: %v, guard %+v %v", i, err, g, ok)
		}
	}
	after := hashDir(t, dir)
	if after[DBFile] != before[DBFile] {
		t.Fatal("the database changed by a wrong passphrase")
	}
	if g, _ := ReadUnlockGuard(dir); g.Failed != 5 || g.Wiped {
		t.Fatalf("count on disk %+v", g)
	}
	v, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	acts = auditActions(t, v)
	if last := acts[len(acts)-1]; last != AuditUnlockFailed+":5 failed attempt(s) before this unlock" {
		t.Fatalf("last audit entry %q", last)
	}
	if g, _ := ReadUnlockGuard(dir); g.Failed != 0 {
		t.Fatalf("count not reset: %+v", g)
	}
	// A passphrase refused before any attempt (two lines) is not counted.
	if _, err := Open(dir, "two\nlines", Options{}); !errors.Is(err, crypto.ErrPassphraseLineBreak) {
		t.Fatal(err)
	} else if _, ok := GuardAfter(err); ok {
		t.Fatal("a refused passphrase was counted")
	}
}

func TestReplaceRecoveryKey(t *testing.T) {
	v, old, dir := testVault(t)
	fresh, err := crypto.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ReplaceRecoveryKey(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if r, _ := v.RecoveryRecipient(ctx); r != fresh.RecipientString() {
		t.Fatalf("backups would go to %q", r)
	}
	x, _ := fresh.X25519()
	if r, _ := v.RecoveryRecipientX25519(ctx); r != x.Recipient().String() {
		t.Fatalf("classic backups would go to %q", r)
	}
	acts := auditActions(t, v)
	if acts[len(acts)-1] != AuditRecoveryKeyChange+":" {
		t.Fatalf("audit %q", acts[len(acts)-1])
	}
	v.Close()
	if _, err := OpenWithRecoveryKey(dir, old, Options{}); !errors.Is(err, crypto.ErrWrongRecoveryKey) {
		t.Fatalf("the old recovery key after replacement: %v", err)
	}
	v2, err := OpenWithRecoveryKey(dir, fresh, Options{})
	if err != nil {
		t.Fatalf("the new recovery key: %v", err)
	}
	v2.Close()
	v3, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatalf("the passphrase after replacement: %v", err)
	}
	v3.Close()
}

// A replacement cut off after the key file was written, before the
// settings committed, is finished at the next unlock.
func TestReplaceRecoveryKeyInterrupted(t *testing.T) {
	v, _, dir := testVault(t)
	fresh, _ := crypto.NewRecoveryKey()
	interruptReplacement(t, v, dir, fresh)
	v.Close()
	v2, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if r, _ := v2.RecoveryRecipient(ctx); r != fresh.RecipientString() {
		t.Fatalf("settings not healed: backups would go to %q", r)
	}
	acts := auditActions(t, v2)
	if acts[len(acts)-1] != AuditRecoveryKeyChange+":completed at unlock after an interruption" {
		t.Fatalf("audit %q", acts[len(acts)-1])
	}
	if _, _, err := v2.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// interruptReplacement does what ReplaceRecoveryKey does up to the key
// file and stops there, as a kill before the settings commit would: the
// key file, sealed as writeKeyFile writes it, wraps to fresh; nothing else
// changed.
func interruptReplacement(t *testing.T, v *Vault, dir string, fresh *crypto.RecoveryKey) {
	t.Helper()
	kf := *v.kf
	if err := kf.SetRecovery(v.key, fresh); err != nil {
		t.Fatal(err)
	}
	if err := kf.Seal(v.key); err != nil {
		t.Fatal(err)
	}
	if err := kf.Write(filepath.Join(dir, KeyFileName)); err != nil {
		t.Fatal(err)
	}
}
