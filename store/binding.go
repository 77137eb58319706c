// The recovery binding: a tag in the vault's settings that ties the
// organisation's signing key to the recovery key (crypto.RecoveryBinding).
// Full and incremental backups carry it with the other settings, so that a
// restore can tell a backup of the organisation the recovery key belongs
// to from one anybody could make with the public recovery recipient.

package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dossier-hr/dossier/crypto"
)

// Settings (meta keys) of the recovery key that backups carry.
const (
	metaRecoveryBinding         = "recovery_binding"
	metaRecoveryRecipient       = "recovery_recipient"
	metaRecoveryRecipientX25519 = "recovery_recipient_x25519"
)

// BackupRecoveryBinding returns the recovery binding a backup's settings
// (as given to Loader.Meta) carry, or nil for a backup made before
// Dossier wrote one.
func BackupRecoveryBinding(meta map[string][]byte) []byte { return meta[metaRecoveryBinding] }

// BackupRecoveryRecipients returns the recovery recipients a backup's
// settings carry: the post-quantum one and the classic X25519 one ("" when
// absent), to which the restored vault would encrypt its backups.
func BackupRecoveryRecipients(meta map[string][]byte) (pq, x25519 string) {
	return string(meta[metaRecoveryRecipient]), string(meta[metaRecoveryRecipientX25519])
}

// setRecoveryBinding stores tag as the vault's recovery binding; with tag
// nil it removes a binding that no longer holds.
func (t *writeTx) setRecoveryBinding(tag []byte) error {
	if tag == nil {
		if _, err := t.exec("DELETE FROM meta WHERE key = ?", metaRecoveryBinding); err != nil {
			return fmt.Errorf("removing the recovery binding: %w", err)
		}
		return nil
	}
	if _, err := t.exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", metaRecoveryBinding, tag); err != nil {
		return fmt.Errorf("writing the recovery binding: %w", err)
	}
	return nil
}

// BindRecoveryKey writes, in a vault being restored, the binding of the
// restored organisation's signing key signPub to the recovery key rk the
// restore was given: the restored vault's own, whatever the backup
// carried.
func (l *Loader) BindRecoveryKey(rk *crypto.RecoveryKey, signPub ed25519.PublicKey) error {
	return l.t.setRecoveryBinding(crypto.RecoveryBinding(rk, signPub))
}

// RecoveryBound reports whether the vault holds a recovery binding, so
// that its backups state whose recovery key they belong to. A vault made
// before bindings existed gets one the first time it is unlocked with its
// recovery key.
func (v *Vault) RecoveryBound(ctx context.Context) (bool, error) {
	var b []byte
	err := v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaRecoveryBinding).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the recovery binding: %w", err)
	}
	return len(b) > 0, nil
}

// bindRecoveryKey writes the binding for rk, which just unlocked the
// vault (so it is the vault's recovery key), unless the vault holds it
// already: vaults made before bindings existed, or whose binding a
// recovery key replacement cut short removed, get theirs here.
func (v *Vault) bindRecoveryKey(ctx context.Context, rk *crypto.RecoveryKey) error {
	id, err := v.Identity()
	if err != nil {
		return err
	}
	var have []byte
	err = v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaRecoveryBinding).Scan(&have)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("reading the recovery binding: %w", err)
	}
	if crypto.CheckRecoveryBinding(rk, id.PublicKey(), have) {
		return nil
	}
	return v.write(ctx, func(t *writeTx) error { return t.setRecoveryBinding(crypto.RecoveryBinding(rk, id.PublicKey())) })
}

// rebindRecoveryKey replaces the binding within a recovery key change: to
// the new key rk, or, with rk nil (a replacement completed at unlock, when
// the new key is not at hand), removes the old key's, which would make
// every later backup fail its check. The next unlock with the new key
// binds it again (bindRecoveryKey).
func (v *Vault) rebindRecoveryKey(t *writeTx, rk *crypto.RecoveryKey) error {
	if rk == nil {
		return t.setRecoveryBinding(nil)
	}
	id, err := v.Identity()
	if err != nil {
		return err
	}
	return t.setRecoveryBinding(crypto.RecoveryBinding(rk, id.PublicKey()))
}
