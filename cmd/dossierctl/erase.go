package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/dossier-hr/dossier/store"
)

const eraseConfirm = "yes-destroy-this-vault"

func init() {
	register(&command{name: "erase", args: "--" + eraseConfirm, help: "emergency erase: destroy the vault on this computer at once, with no passphrase (only a backup elsewhere brings it back)", run: cmdErase,
		flags: func(fs *flag.FlagSet) {
			fs.Bool(eraseConfirm, false, "confirm: destroy the vault's key file, database and evidence now")
		}})
}

// cmdErase destroys the vault folder (store.Erase). It asks for no
// passphrase and no prompt: it is for a person who has seconds. The flag
// is the confirmation, so that a mistyped command destroys nothing.
func cmdErase(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	dir, err := c.dir()
	if err != nil {
		return err
	}
	if !boolean(fs, eraseConfirm) {
		return usagef("erase destroys the vault in %s at once: its key file (so neither the passphrase nor the recovery key opens it again), its database and its evidence, overwritten and removed with the folder. No passphrase is asked. Only a backup kept elsewhere can bring the cases back. To do it, pass --%s", dir, eraseConfirm)
	}
	err = store.Erase(dir)
	if err != nil && !onlyOthersKept(err) {
		if errors.Is(err, store.ErrNoVault) || errors.Is(err, store.ErrNotVaultFolder) {
			return err
		}
		c.log.Error("vault erase incomplete")
		return fmt.Errorf("the erase of the vault in %s did not finish; run it again, and destroy the disk if you can. What failed: %w", dir, err)
	}
	c.log.Info("vault erased")
	if err != nil {
		fmt.Fprintf(c.stderr, "dossierctl: the folder %s also holds files that are not Dossier's; they were left in place, with the folder\n", dir)
	}
	fmt.Fprintf(c.stdout, "vault erased: %s no longer holds it; only a backup kept elsewhere, with its recovery key, can bring the cases back\n", dir)
	return nil
}

// onlyOthersKept reports whether every error Erase joined is
// store.ErrOthersKept: the vault is gone, and only a person's own files
// were left.
func onlyOthersKept(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyOthersKept(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, store.ErrOthersKept)
}
