package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// DraftNew is the draft key of a case not saved yet.
const DraftNew = "new"

// SaveDraft keeps what the editor holds for a case (its id, or DraftNew),
// unvalidated, inside the encrypted vault: a lock or a crash loses nothing.
// Drafts are not content: they are not in dumps or bundles.
func (v *Vault) SaveDraft(ctx context.Context, key string, c *Case) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("saving draft: %w", err)
	}
	return v.write(ctx, func(t *writeTx) error {
		if _, err := t.exec("INSERT OR REPLACE INTO drafts(key, doc, saved_at) VALUES (?, ?, ?)", key, string(b), v.stamp()); err != nil {
			return fmt.Errorf("saving draft: %w", err)
		}
		return nil
	})
}

// Draft returns the draft kept for key and when it was saved, or nil.
func (v *Vault) Draft(ctx context.Context, key string) (*Case, string, error) {
	var doc, at string
	err := v.db.QueryRowContext(ctx, "SELECT doc, saved_at FROM drafts WHERE key = ?", key).Scan(&doc, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading draft: %w", err)
	}
	c, err := unmarshalCase(doc)
	return c, at, err
}

// DeleteDraft drops the draft kept for key, once saved or abandoned.
func (v *Vault) DeleteDraft(ctx context.Context, key string) error {
	return v.write(ctx, func(t *writeTx) error {
		if _, err := t.exec("DELETE FROM drafts WHERE key = ?", key); err != nil {
			return fmt.Errorf("deleting draft: %w", err)
		}
		return nil
	})
}
