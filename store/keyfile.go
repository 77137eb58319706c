// The key file's authentication: which key files a vault opens with, the
// upgrade of key files written before they were sealed, and the repair of
// one changed outside Dossier. The MAC itself is crypto's (KeyFile.Seal).

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dossier-hr/dossier/crypto"
)

// ErrKeyFileAltered means the vault's key file was changed by something
// other than Dossier: its MAC does not match the fields it covers, or it
// has none though Dossier sealed this vault's key file before. The vault
// was not opened and nothing was written. It wraps
// crypto.ErrKeyFileAltered. RepairKeyFile rewrites the key file from the
// vault's settings.
var ErrKeyFileAltered = fmt.Errorf("%w; the vault was not opened", crypto.ErrKeyFileAltered)

// Vault settings (meta) about the key file. They describe this folder's
// key file, not the organisation: full backups do not carry them.
const (
	// metaKeyFileSealed is set once a sealed key file was written: from
	// then on a key file without a MAC is refused.
	metaKeyFileSealed = "key_file_mac"
	// metaKeyFileWipeAfter is the guard's setting (KeyFile.WipeAfter)
	// as last sealed, which RepairKeyFile puts back.
	metaKeyFileWipeAfter = "key_file_wipe_after"
	// metaRetiredRecipients lists, one a line, the recovery recipients
	// this vault's settings named before a replacement: a key file naming
	// one is an older key file put back (checkNotRetired).
	metaRetiredRecipients = "recovery_recipients_retired"
)

// localMeta reports whether a setting describes this folder's key file
// rather than the organisation, so that backups neither carry nor bring it.
func localMeta(key string) bool {
	return key == metaKeyFileSealed || key == metaKeyFileWipeAfter || key == metaRetiredRecipients
}

// retireRecoveryRecipient adds the recipient the settings name now to the
// retired ones, when it is about to be replaced by next.
func (t *writeTx) retireRecoveryRecipient(next string) error {
	var cur, retired string
	err := t.tx.QueryRowContext(t.ctx, "SELECT value FROM meta WHERE key = 'recovery_recipient'").Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("reading the recovery recipient: %w", err)
	}
	if cur == "" || cur == next {
		return nil
	}
	err = t.tx.QueryRowContext(t.ctx, "SELECT value FROM meta WHERE key = ?", metaRetiredRecipients).Scan(&retired)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("reading vault settings: %w", err)
	}
	if slices.Contains(strings.Split(retired, "\n"), cur) {
		return nil
	}
	if retired != "" {
		retired += "\n"
	}
	if _, err := t.exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", metaRetiredRecipients, retired+cur); err != nil {
		return fmt.Errorf("writing vault settings: %w", err)
	}
	return nil
}

// checkNotRetired refuses a key file that names a recovery recipient the
// vault replaced: an older key file, which Dossier sealed itself and so
// passes the MAC, put back to bring the old recovery key back as the one
// backups go to.
func (v *Vault) checkNotRetired(recipient string) error {
	retired, err := v.metaString(context.Background(), metaRetiredRecipients)
	if err != nil {
		return err
	}
	if slices.Contains(strings.Split(retired, "\n"), recipient) {
		return fmt.Errorf("%w (it is an older key file, naming a recovery key this vault replaced)", ErrKeyFileAltered)
	}
	return nil
}

// AuditKeyFileSealed records that a key file written before Dossier sealed
// key files was sealed at unlock; AuditKeyFileRepaired that RepairKeyFile
// rewrote a key file from the vault's settings.
const (
	AuditKeyFileSealed   = "key_file_sealed"
	AuditKeyFileRepaired = "key_file_repaired"
)

// writeKeyFile seals kf with the data key and writes it: every write of the
// key file made with the key goes through here.
func writeKeyFile(dir string, kf *crypto.KeyFile, key *crypto.DataKey) error {
	if err := kf.Seal(key); err != nil {
		return err
	}
	return kf.Write(filepath.Join(dir, KeyFileName))
}

// checkKeyFileMAC refuses a key file whose MAC does not match. It runs
// right after the key is unwrapped, before the database is opened.
func checkKeyFileMAC(kf *crypto.KeyFile, key *crypto.DataKey) error {
	if !kf.Sealed() {
		return nil // legacy, or stripped: told apart by the database (checkKeyFileRequired)
	}
	if err := kf.CheckMAC(key); err != nil {
		if errors.Is(err, crypto.ErrKeyFileAltered) {
			return fmt.Errorf("%w (its MAC does not match)", ErrKeyFileAltered)
		}
		return err
	}
	return nil
}

// checkKeyFileRequired refuses a key file without a MAC in a vault whose
// key file Dossier sealed before: its MAC was removed. It reads the
// database and writes nothing.
func checkKeyFileRequired(db *sql.DB, kf *crypto.KeyFile) error {
	if kf.Sealed() {
		return nil
	}
	sealed, err := metaFlag(db, metaKeyFileSealed)
	if err != nil {
		return err
	}
	if sealed {
		return fmt.Errorf("%w (its MAC was removed)", ErrKeyFileAltered)
	}
	return nil
}

func metaFlag(db *sql.DB, key string) (bool, error) {
	var s string
	err := db.QueryRow("SELECT value FROM meta WHERE key = ?", key).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading vault settings: %w", err)
	}
	return s == "1", nil
}

// metaString returns a setting, "" when it is absent.
func (v *Vault) metaString(ctx context.Context, key string) (string, error) {
	var s string
	err := v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading vault settings: %w", err)
	}
	return s, nil
}

func (t *writeTx) markKeyFileSealed(wipeAfter int) error {
	for k, val := range map[string]string{metaKeyFileSealed: "1", metaKeyFileWipeAfter: fmt.Sprint(wipeAfter)} {
		if _, err := t.exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", k, val); err != nil {
			return fmt.Errorf("writing vault settings: %w", err)
		}
	}
	return nil
}

// authenticateKeyFile runs at unlock, once the database is open and the
// key file passed checkKeyFileMAC and checkKeyFileRequired. A sealed key
// file is authentic; the database is marked as having one if it was not
// yet (a sealing or a restore cut off before it could). A key file from
// before sealing (no MAC, database not marked) is sealed now, but its
// recovery recipients are never taken on trust: those that differ from
// the vault's settings are dropped (they are how an attacker would
// redirect backups), which is audited and reported by
// IgnoredKeyFileRecipients.
func (v *Vault) authenticateKeyFile(ctx context.Context) error {
	if v.kf.Sealed() {
		marked, err := metaFlag(v.db, metaKeyFileSealed)
		if err != nil || marked {
			return err
		}
		return v.write(ctx, func(t *writeTx) error { return t.markKeyFileSealed(v.kf.WipeAfter) })
	}
	pq, err := v.RecoveryRecipient(ctx)
	if err != nil {
		return err
	}
	x, err := v.metaString(ctx, "recovery_recipient_x25519")
	if err != nil {
		return err
	}
	k := *v.kf
	if k.RecoveryRecipient != "" && k.RecoveryRecipient != pq {
		k.RecoveryRecipient, v.ignoredRecipients = "", true
	}
	if k.RecoveryRecipientX25519 != "" && k.RecoveryRecipientX25519 != x {
		k.RecoveryRecipientX25519, v.ignoredRecipients = "", true
	}
	// The key file first: cut off before the database is marked, the
	// next unlock finds a sealed key file and marks it. The other order
	// could leave a marked vault with an unsealed key file, refused.
	if err := writeKeyFile(v.dir, &k, v.key); err != nil {
		return err
	}
	*v.kf = k
	detail := "the key file was sealed"
	if v.ignoredRecipients {
		detail += "; recovery recipients in it that differed from the vault's settings were ignored"
	}
	return v.write(ctx, func(t *writeTx) error {
		if err := t.markKeyFileSealed(k.WipeAfter); err != nil {
			return err
		}
		return t.audit(AuditKeyFileSealed, "", detail)
	})
}

// IgnoredKeyFileRecipients reports whether this unlock found, in a key file
// from before key files were sealed, recovery recipients other than the
// vault's settings, and ignored them. Backups are encrypted to the
// settings' recipients whatever it says; it is for a warning in the log.
func (v *Vault) IgnoredKeyFileRecipients() bool { return v.ignoredRecipients }

// Unlock is how a vault is unlocked: with its passphrase or its recovery
// key. The zero value is the empty passphrase.
type Unlock struct {
	passphrase string
	rk         *crypto.RecoveryKey
}

// WithPassphrase unlocks with a passphrase.
func WithPassphrase(p string) Unlock { return Unlock{passphrase: p} }

// WithRecoveryKey unlocks with a recovery key.
func WithRecoveryKey(rk *crypto.RecoveryKey) Unlock { return Unlock{rk: rk} }

// ByRecoveryKey reports whether u unlocks with a recovery key.
func (u Unlock) ByRecoveryKey() bool { return u.rk != nil }

// unwrapKey reads dir's key file and unwraps the database key as u says.
// A wrong passphrase is counted in the key file (countFailedUnlock).
func unwrapKey(dir string, u Unlock) (*crypto.KeyFile, *crypto.DataKey, error) {
	kf, err := readKeyFile(dir)
	if err != nil {
		return nil, nil, err
	}
	var key *crypto.DataKey
	if u.rk != nil {
		key, err = u.rk.Unlock(kf)
	} else {
		key, err = kf.UnlockPassphrase(u.passphrase)
	}
	if err != nil && RestoreInterrupted(dir) {
		// The secret given to a restore that did not finish matters
		// no more: restoring again sets one.
		return nil, nil, restoreIncomplete(dir)
	}
	if u.rk == nil && errors.Is(err, crypto.ErrWrongPassphrase) {
		err = countFailedUnlock(dir, kf, err)
	}
	if err != nil {
		return nil, nil, err
	}
	return kf, key, nil
}

// KeyFileRepair says what RepairKeyFile found and did.
type KeyFileRepair struct {
	// Altered: the key file failed its check (ErrKeyFileAltered); false
	// when it was intact, or from before key files were sealed.
	Altered bool
	// RecipientsIgnored: it named recovery recipients other than the
	// vault's settings; they were dropped.
	RecipientsIgnored bool
	// WipeAfter is the guard's setting now (0: off), and
	// WipeAfterRecorded whether it is the one the vault recorded when
	// the key file was last sealed; if not, the guard was turned off.
	WipeAfter         int
	WipeAfterRecorded bool
	// WipeAfterChanged: the key file said otherwise.
	WipeAfterChanged bool
}

// RepairKeyFile rewrites the key file of the vault in dir from the vault's
// own settings, for a key file that was changed outside Dossier
// (ErrKeyFileAltered), so that the person is never locked out of their
// vault by it. The vault is unlocked as u says; then, taking nothing on
// trust from the key file but the wrap that just opened it:
//
//   - the recovery wrap is made anew, to the recovery recipient in the
//     vault's settings (the one backups are encrypted to), and the key
//     file names that recipient;
//   - the guard (wipe_after) is set back to the value recorded when
//     the key file was last sealed, or off when none was recorded;
//   - the passphrase wrap and the count of wrong passphrases are kept,
//     as the MAC never covered them.
//
// The key file is sealed, the vault marked as having a sealed one, and
// the repair audited (key_file_repaired). The vault is closed again.
func RepairKeyFile(dir string, u Unlock, opts Options) (KeyFileRepair, error) {
	var rep KeyFileRepair
	kf, key, err := unwrapKey(dir, u)
	if err != nil {
		return rep, err
	}
	if RestoreInterrupted(dir) {
		key.Wipe()
		return rep, restoreIncomplete(dir)
	}
	dbPath := filepath.Join(dir, DBFile)
	if _, err := os.Stat(dbPath); err != nil {
		key.Wipe()
		return rep, fmt.Errorf("the vault database %s is missing: %w", DBFile, ErrNoVault)
	}
	v := newVault(dir, key, kf, opts)
	if v.db, err = openDB(dbPath, key); err != nil {
		key.Wipe()
		return rep, err
	}
	defer v.Close()
	rep.Altered = errors.Is(checkKeyFileMAC(kf, key), ErrKeyFileAltered) ||
		errors.Is(checkKeyFileRequired(v.db, kf), ErrKeyFileAltered) ||
		kf.RecoveryRecipient != "" && errors.Is(v.checkNotRetired(kf.RecoveryRecipient), ErrKeyFileAltered)
	if err := migrate(v.db); err != nil {
		return rep, err
	}
	if v.org, err = v.loadOrg(); err != nil {
		return rep, err
	}
	if err := v.loadAuthor(context.Background()); err != nil {
		return rep, err
	}
	ctx := context.Background()
	pq, err := v.RecoveryRecipient(ctx)
	if err != nil {
		return rep, err
	}
	x, err := v.metaString(ctx, "recovery_recipient_x25519")
	if err != nil {
		return rep, err
	}
	wipe, err := v.metaString(ctx, metaKeyFileWipeAfter)
	if err != nil {
		return rep, err
	}
	if wipe != "" {
		if _, err := fmt.Sscan(wipe, &rep.WipeAfter); err != nil || rep.WipeAfter < 0 || rep.WipeAfter > crypto.MaxWipeAfter {
			rep.WipeAfter = 0
		} else {
			rep.WipeAfterRecorded = true
		}
	}
	k := *kf
	rep.RecipientsIgnored = (k.RecoveryRecipient != "" && k.RecoveryRecipient != pq) ||
		(k.RecoveryRecipientX25519 != "" && k.RecoveryRecipientX25519 != x)
	rep.WipeAfterChanged = k.WipeAfter != rep.WipeAfter
	if err := k.SetRecoveryRecipients(key, pq, x); err != nil {
		return rep, err
	}
	k.WipeAfter = rep.WipeAfter
	detail := "the key file was rewritten from the vault's settings"
	if rep.RecipientsIgnored {
		detail += "; recovery recipients in it that differed from the settings were dropped"
	}
	if rep.WipeAfterChanged {
		detail += fmt.Sprintf("; the guard set back to %d", rep.WipeAfter)
	}
	// Audited first, as every change of the key file (replaceKeyFile).
	// Cut off before the key file is written, the vault is marked and
	// the key file still refused: repairing again finishes it.
	if err := v.write(ctx, func(t *writeTx) error {
		if err := t.markKeyFileSealed(k.WipeAfter); err != nil {
			return err
		}
		return t.audit(AuditKeyFileRepaired, "", detail)
	}); err != nil {
		return rep, err
	}
	if err := writeKeyFile(dir, &k, key); err != nil {
		return rep, err
	}
	*v.kf = k
	return rep, nil
}
