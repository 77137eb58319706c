package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/atomicfile"
)

// hasRecovery says whether a recovery key was given, as a file or shares.
func (c *cli) hasRecovery() bool { return c.recoveryFile != "" || len(c.recoveryShares) > 0 }

// recoverySource says where the recovery key came from, for messages.
func (c *cli) recoverySource() string {
	if len(c.recoveryShares) > 0 {
		return fmt.Sprintf("rebuilt from %s", count(len(c.recoveryShares), "share", "shares"))
	}
	return "the key in " + c.recoveryFile
}

// recoveryKey reads the recovery key from --recovery-key, or rebuilds it
// from the --recovery-share files.
func (c *cli) recoveryKey() (*crypto.RecoveryKey, error) {
	if len(c.recoveryShares) == 0 {
		return crypto.ReadRecoveryKey(c.recoveryFile)
	}
	if c.recoveryFile != "" {
		return nil, usagef("give the recovery key or its shares, not both")
	}
	var shares []crypto.Share
	for i, f := range c.recoveryShares {
		b, err := readSmall(f)
		if err != nil {
			return nil, fmt.Errorf("reading recovery share %d: %w", i+1, err)
		}
		s, err := crypto.ParseShare(string(b))
		if err != nil {
			return nil, fmt.Errorf("recovery share %d (%s): %w", i+1, f, err)
		}
		shares = append(shares, s)
	}
	rk, err := crypto.CombineShares(shares)
	if err != nil {
		return nil, err
	}
	c.log.WithField("shares", len(shares)).Info("recovery key rebuilt from shares")
	return rk, nil
}

// readSmall reads a file of at most 64 KiB: a share or key file, not
// something else given by mistake.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 64<<10))
}

// cmdSplit is recovery-key split. It needs the recovery key, not the
// vault: the vault keeps only the key's public half.
func cmdSplit(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	n, k := integer(fs, "shares"), integer(fs, "threshold")
	if c.recoveryFile == "" || n == 0 || k == 0 {
		return usagef("recovery-key split needs --recovery-key FILE, --shares N and --threshold K")
	}
	if k < 2 || n < k || n > 16 {
		return usagef("recovery-key split: the threshold must be 2 or more and at most the number of shares, which is at most 16 (got %d of %d)", k, n)
	}
	rk, err := crypto.ReadRecoveryKey(c.recoveryFile)
	if err != nil {
		return err
	}
	shares, err := rk.Split(n, k)
	if err != nil {
		return err
	}
	org := str(fs, "org")
	if dir := str(fs, "out-dir"); dir != "" {
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
		for _, s := range shares {
			p := filepath.Join(dir, fmt.Sprintf("share-%d.txt", s.X))
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("%s already exists; choose an empty --out-dir (shares of two splits do not mix)", p)
			}
		}
		for _, s := range shares {
			p := filepath.Join(dir, fmt.Sprintf("share-%d.txt", s.X))
			if err := atomicfile.WriteFile(p, []byte(crypto.ShareText(s, n, org)), 0o600); err != nil {
				return err
			}
		}
		fmt.Fprintf(c.stderr, "%s of recovery key %s written to %s (only you can read them). Any %d rebuild the key. Give each to a different person, on paper, then delete the files.\n",
			count(n, "share", "shares"), rk.ID(), dir, k)
	} else {
		for _, s := range shares {
			fmt.Fprint(c.stdout, crypto.ShareText(s, n, org)+"\n")
		}
		fmt.Fprintf(c.stderr, "Any %d of these %d shares rebuild recovery key %s; fewer tell nothing about it. Give each to a different person, on paper.\n", k, n, rk.ID())
	}
	c.log.WithField("shares", n).WithField("threshold", k).Info("recovery key split")
	return nil
}
