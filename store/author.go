package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// SettingAuthor is the vault setting that holds the name of the person
// using the vault: recorded as the author of revisions, notes, custody and
// audit entries. Like every setting it lives inside the encrypted database.
const SettingAuthor = "author"

// AuditAuthorChange is the audit action of a change of the author's name;
// the entry is recorded under the new name.
const AuditAuthorChange = "author_change"

// DefaultAuthor is recorded when no name was given.
const DefaultAuthor = "local"

// maxAuthor bounds a name, in characters.
const maxAuthor = 200

// Author returns the name recorded as the author of what this session
// writes: Options.Actor if it was given, else the vault's author setting,
// else DefaultAuthor.
func (v *Vault) Author() string { return *v.author.Load() }

func (v *Vault) setAuthor(name string) {
	if name == "" {
		name = DefaultAuthor
	}
	v.author.Store(&name)
}

// loadAuthor takes the author from the vault's setting, unless the session
// was opened with a name of its own.
func (v *Vault) loadAuthor(ctx context.Context) error {
	if v.fixedAuthor {
		return nil
	}
	name, err := v.Setting(ctx, SettingAuthor)
	if err != nil {
		return err
	}
	v.setAuthor(name)
	return nil
}

// CheckAuthor tidies a name (spaces trimmed) and refuses one that could not
// be recorded as it reads: line breaks and other control characters, text
// that is not UTF-8, more than 200 characters. The error is a *FieldError
// for the field "author".
func CheckAuthor(name string) (string, error) {
	name = strings.TrimSpace(name)
	// The text rules of every field (text.go), and one line: a name.
	if err := CheckText(SettingAuthor, name); err != nil {
		return "", err
	}
	switch {
	case utf8.RuneCountInString(name) > maxAuthor:
		return "", &FieldError{Field: SettingAuthor, Reason: ReasonTooLong, Msg: fmt.Sprintf("is longer than %d characters", maxAuthor)}
	case strings.ContainsAny(name, "\n\t"):
		return "", &FieldError{Field: SettingAuthor, Reason: ReasonNotText, Msg: "holds a line break or a tab"}
	}
	return name, nil
}

// SetAuthor keeps name as the vault's author setting and records it as the
// author of what this session writes from now on (revisions, notes,
// custody, the audit log). What was recorded before keeps the name it was
// recorded with. An empty name clears the setting: DefaultAuthor is
// recorded. The change itself goes into the audit log, under the new name.
func (v *Vault) SetAuthor(ctx context.Context, name string) error {
	name, err := CheckAuthor(name)
	if err != nil {
		return err
	}
	tx, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if name == "" {
		_, err = tx.exec("DELETE FROM meta WHERE key = ?", "setting."+SettingAuthor)
	} else {
		_, err = tx.exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "setting."+SettingAuthor, name)
	}
	if err != nil {
		return fmt.Errorf("saving the author's name: %w", err)
	}
	tx.actor = name
	if name == "" {
		tx.actor = DefaultAuthor
	}
	if err := tx.audit(AuditAuthorChange, "", ""); err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	v.setAuthor(name)
	return nil
}
