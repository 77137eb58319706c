package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
)

// Contact is a partner organisation whose card was added: bundles can be
// encrypted to it, and bundles it signed are accepted.
type Contact struct {
	Name         string `json:"name"`
	AgeRecipient string `json:"age_recipient"`
	// AgeRecipientX25519 is the classic recipient, for export --x25519.
	AgeRecipientX25519 string `json:"age_recipient_x25519"`
	SignKey            []byte `json:"sign_key"`
	Fingerprint        string `json:"fingerprint"`
	AddedAt            string `json:"added_at"`
}

// ErrContactExists means a card with that fingerprint or key was added
// before.
var ErrContactExists = errors.New("this contact is already in the vault")

// AddContact stores a partner's card. The caller has checked the card's
// fingerprint against its keys, and shown it to the person.
func (v *Vault) AddContact(ctx context.Context, c Contact) error {
	if len(c.SignKey) != ed25519.PublicKeySize || c.Fingerprint == "" || c.AgeRecipient == "" {
		return errors.New("a contact needs a name, keys and fingerprint")
	}
	if len(c.Name) > maxShort {
		return &FieldError{Field: "name", Msg: "is longer than 1000 bytes"}
	}
	if err := CheckText("name", c.Name); err != nil {
		return err
	}
	return v.write(ctx, func(t *writeTx) error {
		_, err := t.exec("INSERT INTO contacts(fingerprint, name, age_recipient, age_recipient_x25519, sign_key, added_at) VALUES (?, ?, ?, ?, ?, ?)",
			c.Fingerprint, c.Name, c.AgeRecipient, c.AgeRecipientX25519, c.SignKey, v.stamp())
		if err != nil {
			var n int
			t.queryRow("SELECT count(*) FROM contacts WHERE fingerprint = ? OR sign_key = ?", c.Fingerprint, c.SignKey).Scan(&n)
			if n > 0 {
				return fmt.Errorf("%w (%s)", ErrContactExists, c.Fingerprint)
			}
			return fmt.Errorf("adding contact: %w", err)
		}
		// The fingerprint only: a partner's name is not for the log.
		return t.audit(AuditContactAdd, c.Fingerprint, "")
	})
}

// Contacts lists the vault's contacts by name.
func (v *Vault) Contacts(ctx context.Context) ([]Contact, error) {
	rows, err := v.db.QueryContext(ctx, "SELECT name, age_recipient, age_recipient_x25519, sign_key, fingerprint, added_at FROM contacts ORDER BY name, fingerprint")
	if err != nil {
		return nil, fmt.Errorf("listing contacts: %w", err)
	}
	defer rows.Close()
	out := []Contact{}
	for rows.Next() {
		var c Contact
		if err := rows.Scan(&c.Name, &c.AgeRecipient, &c.AgeRecipientX25519, &c.SignKey, &c.Fingerprint, &c.AddedAt); err != nil {
			return nil, fmt.Errorf("listing contacts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ContactBySignKey returns the contact with that signing key, or nil.
func (v *Vault) ContactBySignKey(ctx context.Context, key ed25519.PublicKey) (*Contact, error) {
	var c Contact
	err := v.db.QueryRowContext(ctx, "SELECT name, age_recipient, age_recipient_x25519, sign_key, fingerprint, added_at FROM contacts WHERE sign_key = ?", []byte(key)).
		Scan(&c.Name, &c.AgeRecipient, &c.AgeRecipientX25519, &c.SignKey, &c.Fingerprint, &c.AddedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading contacts: %w", err)
	}
	return &c, nil
}

// RestoreContact adds a contact from a full backup, as it was recorded.
func (l *Loader) RestoreContact(c Contact) error {
	if len(c.SignKey) != ed25519.PublicKeySize || c.Fingerprint == "" || c.AgeRecipient == "" || len(c.Name) > maxShort {
		return fmt.Errorf("a backed-up contact is malformed")
	}
	if _, err := l.t.exec("INSERT INTO contacts(fingerprint, name, age_recipient, age_recipient_x25519, sign_key, added_at) VALUES (?, ?, ?, ?, ?, ?)",
		c.Fingerprint, c.Name, c.AgeRecipient, c.AgeRecipientX25519, c.SignKey, c.AddedAt); err != nil {
		return fmt.Errorf("restoring contact: %w", err)
	}
	return nil
}
