// Key handling of an open or locked vault: the unlock guard, the
// passphrase and recovery wraps in the key file, and the audit entries
// their changes leave. The vault's life cycle (create, open, close, its
// files) is in vault.go.

package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/dossier-hr/dossier/crypto"
)

// countFailedUnlock counts a wrong passphrase in the key file, whether or
// not the guard is on: the count survives the program (the command line is
// one process per attempt, and the database cannot be written while
// locked), and the next unlock writes it to the audit log (openUnlocked).
// With the guard on, the attempt that reaches its limit destroys the
// passphrase wrap. The vault's database and wraps are not touched
// otherwise. The error returned is an *UnlockFailure carrying the guard's
// state after the attempt.
func countFailedUnlock(dir string, tried *crypto.KeyFile, wrong error) error {
	// The attempt took a KDF run (a second). Count on the key file as it
	// is now, not as it was read: a passphrase change, a recovery key
	// replacement or another count written meanwhile (the app open while
	// dossierctl is tried) must not be undone by this write. If the wraps
	// changed, the attempt was against old ones: it is not counted. Only
	// the short span between this read and the rename is left unguarded.
	kf, err := crypto.ReadKeyFile(filepath.Join(dir, KeyFileName))
	if err != nil || !bytes.Equal(kf.Passphrase, tried.Passphrase) || !bytes.Equal(kf.Recovery, tried.Recovery) {
		return wrong
	}
	kf.FailedUnlocks++
	wiped := kf.WipeAfter > 0 && kf.FailedUnlocks >= kf.WipeAfter
	if wiped {
		kf.WipePassphrase()
	}
	if err := kf.Write(filepath.Join(dir, KeyFileName)); err != nil {
		switch {
		case wiped:
			return fmt.Errorf("%w; the limit of wrong attempts was reached but the key file could not be rewritten, so the passphrase was NOT destroyed: %v", wrong, err)
		case kf.WipeAfter == 0:
			// Only a record (a vault on a read-only disk, say): the
			// passphrase was refused, which is what matters.
			return wrong
		}
		return fmt.Errorf("%w (the attempt could not be counted: %v)", wrong, err)
	}
	if wiped {
		wrong = fmt.Errorf("%w; %w", wrong, crypto.ErrPassphraseWiped)
	}
	return &UnlockFailure{Guard: guardOf(kf), err: wrong}
}

// UnlockFailure is the error of a wrong passphrase that was counted: it
// wraps crypto.ErrWrongPassphrase (and crypto.ErrPassphraseWiped when the
// attempt destroyed the wrap) and carries the guard's state after the
// attempt. The app and dossierctl say what it holds, rather than each
// reading the key file again.
type UnlockFailure struct {
	Guard UnlockGuard
	err   error
}

func (e *UnlockFailure) Error() string { return e.err.Error() }
func (e *UnlockFailure) Unwrap() error { return e.err }

// GuardAfter returns the guard's state after the failed unlock err reports,
// and false if err is no counted wrong passphrase.
func GuardAfter(err error) (UnlockGuard, bool) {
	var f *UnlockFailure
	if errors.As(err, &f) {
		return f.Guard, true
	}
	return UnlockGuard{}, false
}

// UnlockGuard is the state of the optional guard against guessing.
type UnlockGuard struct {
	WipeAfter int  // wrong passphrases in a row before the wipe; 0: off
	Failed    int  // wrong passphrases since the last unlock
	Wiped     bool // the passphrase wrap is gone; only the recovery key opens
}

// Left is how many wrong passphrases remain before the wipe, or -1 when
// the guard is off.
func (g UnlockGuard) Left() int {
	if g.WipeAfter == 0 {
		return -1
	}
	return max(g.WipeAfter-g.Failed, 0)
}

// ReadUnlockGuard reads the guard's state from a (locked) vault's key file,
// so an unlock screen can warn before the last attempts.
func ReadUnlockGuard(dir string) (UnlockGuard, error) {
	kf, err := readKeyFile(dir)
	if err != nil {
		return UnlockGuard{}, err
	}
	return guardOf(kf), nil
}

func guardOf(kf *crypto.KeyFile) UnlockGuard {
	return UnlockGuard{WipeAfter: kf.WipeAfter, Failed: kf.FailedUnlocks, Wiped: kf.PassphraseWiped}
}

// UnlockGuard returns the guard's state of the open vault.
func (v *Vault) UnlockGuard() UnlockGuard { return guardOf(v.kf) }

// SetWipeAfter turns the guard on (n wrong passphrases in a row destroy the
// passphrase wrap, leaving only the recovery key) or off (n = 0). It guards
// against guessing through Dossier by someone at the keyboard; an attacker
// who copies the disk faces only the KDF. The change is audited.
func (v *Vault) SetWipeAfter(ctx context.Context, n int) error {
	if n < 0 || n > crypto.MaxWipeAfter {
		return fmt.Errorf("%w: the number of attempts must be from 1 to %d, or 0 for off", ErrInvalid, crypto.MaxWipeAfter)
	}
	kf := *v.kf
	kf.WipeAfter, kf.FailedUnlocks = n, 0
	detail := "off"
	if n > 0 {
		detail = fmt.Sprintf("wipe the passphrase key after %d wrong attempts", n)
	}
	return v.replaceKeyFile(ctx, &kf, AuditUnlockGuard, detail)
}

// ReplaceRecoveryKey wraps the vault's key to a new recovery key, which
// replaces the old one: the old key no longer opens the vault, and
// backups made from now on are encrypted to the new one. Backups made
// before keep opening with the old key only. Give the new key to the person
// (and have it saved) before calling this.
//
// The key file and the vault's settings change together: the settings in
// a transaction, the key file written before it commits. If the two are
// interrupted in between, the key file (new) wins at the next unlock,
// which brings the settings in line (healRecoveryRecipients).
func (v *Vault) ReplaceRecoveryKey(ctx context.Context, rk *crypto.RecoveryKey) error {
	kf := *v.kf
	if err := kf.SetRecovery(v.key, rk); err != nil {
		return err
	}
	tx, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := tx.setRecoveryRecipients(kf.RecoveryRecipient, kf.RecoveryRecipientX25519); err != nil {
		return err
	}
	if err := v.rebindRecoveryKey(tx, rk); err != nil {
		return err
	}
	if err := tx.audit(AuditRecoveryKeyChange, "", ""); err != nil {
		return err
	}
	if err := writeKeyFile(v.dir, &kf, v.key); err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	*v.kf = kf
	return nil
}

func (t *writeTx) setRecoveryRecipients(pq, x25519 string) error {
	if err := t.retireRecoveryRecipient(pq); err != nil {
		return err
	}
	for k, val := range map[string]string{"recovery_recipient": pq, "recovery_recipient_x25519": x25519} {
		if _, err := t.tx.ExecContext(t.ctx, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", k, val); err != nil {
			return fmt.Errorf("writing the recovery recipient: %w", err)
		}
	}
	return nil
}

// healRecoveryRecipients finishes a recovery key replacement that was cut
// off after the key file was written but before the settings committed.
// It takes recipients only from an authenticated key file: it runs after
// authenticateKeyFile, which refuses a key file whose MAC fails and drops,
// from one too old to have a MAC, recipients the settings do not hold.
func (v *Vault) healRecoveryRecipients() error {
	if v.kf.RecoveryRecipient == "" || !v.kf.Sealed() {
		return nil // never replaced, or not authenticated
	}
	cur, err := v.RecoveryRecipient(context.Background())
	if err != nil || cur == v.kf.RecoveryRecipient {
		return err
	}
	if err := v.checkNotRetired(v.kf.RecoveryRecipient); err != nil {
		return err
	}
	tx, err := v.begin(context.Background())
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := tx.setRecoveryRecipients(v.kf.RecoveryRecipient, v.kf.RecoveryRecipientX25519); err != nil {
		return err
	}
	if err := v.rebindRecoveryKey(tx, nil); err != nil {
		return err
	}
	if err := tx.audit(AuditRecoveryKeyChange, "", "completed at unlock after an interruption"); err != nil {
		return err
	}
	return tx.commit()
}

// replaceKeyFile audits a change of the key file, then writes it. The
// audit entry is committed first: if the write then fails, the log says a
// change was attempted, which is true; the other order could leave a
// change in force that the log does not show.
func (v *Vault) replaceKeyFile(ctx context.Context, kf *crypto.KeyFile, action, detail string) error {
	tx, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := tx.audit(action, "", detail); err != nil {
		return err
	}
	// The guard's setting, for RepairKeyFile to put back.
	if err := tx.markKeyFileSealed(kf.WipeAfter); err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	if err := writeKeyFile(v.dir, kf, v.key); err != nil {
		return err
	}
	*v.kf = *kf
	return nil
}

// ChangePassphrase sets a new passphrase. Only the key file changes, and
// atomically: after a crash exactly one of the old and new passphrases
// works. The recovery key keeps working.
func (v *Vault) ChangePassphrase(passphrase string) error {
	kf := *v.kf
	if err := kf.SetPassphrase(v.key, passphrase); err != nil {
		return err
	}
	return v.replaceKeyFile(context.Background(), &kf, AuditPassphraseChange, "")
}

// RecordFailedUnlocks writes n failed unlock attempts to the audit log. A
// failed attempt cannot write the database — the vault is locked — so Open
// counts it in the key file and the next unlock calls this with the count.
func (v *Vault) RecordFailedUnlocks(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	tx, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := tx.audit(AuditUnlockFailed, "", fmt.Sprintf("%d failed attempt(s) before this unlock", n)); err != nil {
		return err
	}
	return tx.commit()
}

// RecordIdentityExport records in the audit log that the organisation's
// secret identity was written out of the vault (for age, see
// docs/recover-without-dossier.md); kind says which one ("post-quantum",
// "x25519"). It is written before the identity leaves the vault, so that
// a failed write can only over-report: an identity outside the vault
// opens every share and backup made to the organisation, and the person
// who reviews the log must be able to see that it left.
func (v *Vault) RecordIdentityExport(ctx context.Context, kind string) error {
	return v.write(ctx, func(t *writeTx) error {
		return t.audit(AuditIdentityExport, "", kind+" identity written out")
	})
}
