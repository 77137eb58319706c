package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// dir resolves the vault folder.
func (c *cli) dir() (string, error) {
	if c.vaultDir == "" {
		d, err := store.DefaultDir()
		if errors.Is(err, store.ErrNoDataDir) {
			return "", fmt.Errorf("%w; pass --vault", err)
		}
		if err != nil {
			return "", err
		}
		c.vaultDir = d
	}
	return c.vaultDir, nil
}

// readPassphraseFile returns the passphrase a file holds, by the
// passphrase rule of crypto.NormalizePassphrase — the same for a file,
// $DOSSIER_PASSPHRASE, the prompt and the app: one line ending at the end
// dropped, nothing else trimmed, a second line refused.
func readPassphraseFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<10+1))
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		return "", errors.New("the passphrase file is empty")
	}
	if len(b) > 64<<10 {
		return "", errors.New("the passphrase file is larger than 64 KiB: not a passphrase file")
	}
	return crypto.NormalizePassphrase(string(b))
}

// weakReasons name the app's words (assets, ui.weak.*) for each reason
// crypto.CheckPassphrase gives, so that dossierctl refuses a weak new
// passphrase with the message the app shows, in English.
var weakReasons = []struct {
	err error
	key string
}{
	{crypto.ErrPassphraseShort, "ui.weak.short"},
	{crypto.ErrPassphraseRepetitive, "ui.weak.repetitive"},
	{crypto.ErrPassphraseCommon, "ui.weak.common"},
	{crypto.ErrPassphraseFewKinds, "ui.weak.few_kinds"},
}

// checkNewPassphrase applies the app's rule (crypto.CheckPassphrase) to a
// passphrase a vault is to be created, restored or re-keyed with.
func checkNewPassphrase(p string) error {
	err := crypto.CheckPassphrase(p)
	if err == nil {
		return nil
	}
	for _, r := range weakReasons {
		if errors.Is(err, r.err) {
			return fmt.Errorf("the new passphrase is too weak. %s Nothing was changed", assets.Label("en", r.key))
		}
	}
	return fmt.Errorf("the new passphrase is too weak (%w); nothing was changed", err)
}

// passphrase finds the passphrase: --passphrase-file, $DOSSIER_PASSPHRASE,
// then a no-echo prompt on a terminal (twice when confirm is set).
func (c *cli) passphrase(prompt string, confirm bool) (string, error) {
	if c.passphraseFile != "" {
		p, err := readPassphraseFile(c.passphraseFile)
		if err != nil {
			return "", fmt.Errorf("reading the passphrase file: %w", err)
		}
		return p, nil
	}
	if p := os.Getenv("DOSSIER_PASSPHRASE"); p != "" {
		return p, nil
	}
	return promptSecret(prompt, confirm)
}

func promptSecret(prompt string, confirm bool) (string, error) {
	return promptFor("no passphrase: pass --passphrase-file FILE or set DOSSIER_PASSPHRASE (no terminal to ask on)", prompt, confirm)
}

// promptNew asks for a new passphrase (restore, passwd), which only
// --new-passphrase-file gives without a terminal.
func promptNew() (string, error) {
	return promptFor("no new passphrase: pass --new-passphrase-file FILE (no terminal to ask on)", "New passphrase: ", true)
}

func promptFor(noTerminal, prompt string, confirm bool) (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", usagef("%s", noTerminal)
	}
	ask := func(p string) (string, error) {
		fmt.Fprint(os.Stderr, p)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		return string(b), err
	}
	p, err := ask(prompt)
	if err != nil {
		return "", fmt.Errorf("reading the passphrase: %w", err)
	}
	if confirm {
		again, err := ask("Again, to confirm: ")
		if err != nil {
			return "", fmt.Errorf("reading the passphrase: %w", err)
		}
		if again != p {
			return "", errors.New("the two passphrases differ; nothing was changed")
		}
	}
	return p, nil
}

// unlock says how to unlock the vault: with the recovery key if
// --recovery-key is given, else with the passphrase.
func (c *cli) unlock() (string, store.Unlock, error) {
	dir, err := c.dir()
	if err != nil {
		return "", store.Unlock{}, err
	}
	if !store.Exists(dir) {
		// Say so before asking for a passphrase that cannot help.
		_, err := store.Open(dir, "", store.Options{})
		return "", store.Unlock{}, err
	}
	if c.hasRecovery() {
		rk, err := c.recoveryKey()
		if err != nil {
			return "", store.Unlock{}, err
		}
		return dir, store.WithRecoveryKey(rk), nil
	}
	if g, err := store.ReadUnlockGuard(dir); err == nil && g.Wiped {
		// Say so before asking for a passphrase that cannot help.
		return "", store.Unlock{}, crypto.ErrPassphraseWiped
	}
	p, err := c.passphrase("Passphrase: ", false)
	if err != nil {
		return "", store.Unlock{}, err
	}
	return dir, store.WithPassphrase(p), nil
}

// open unlocks the vault with the recovery key if --recovery-key is given,
// else with the passphrase.
func (c *cli) open() (*store.Vault, error) {
	dir, u, err := c.unlock()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	v, err := store.OpenWith(dir, u, store.Options{Actor: c.actor, Now: clock})
	if err != nil {
		// Info, not a warning: the error line fail prints says what
		// happened and what to do; at the default level it must be
		// the only line.
		if u.ByRecoveryKey() {
			c.log.Info("unlock with recovery key failed")
		} else {
			c.log.Info("unlock with passphrase failed")
		}
		return nil, err
	}
	if v.IgnoredKeyFileRecipients() {
		c.log.Warn("the key file named recovery recipients other than the vault's settings: they were ignored, backups go to the vault's recovery key, and the key file is now sealed (see the audit log)")
	}
	c.log.WithField("ms", time.Since(start).Milliseconds()).Info("vault unlocked")
	return v, nil
}

// withVault unlocks the vault, runs fn with it and closes it, wiping the
// key, whatever fn returns.
func (c *cli) withVault(fn func(v *store.Vault) error) error {
	v, err := c.open()
	if err != nil {
		return err
	}
	defer v.Close()
	return fn(v)
}
