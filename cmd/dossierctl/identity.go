package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/dossier-hr/dossier/internal/atomicfile"
	"github.com/dossier-hr/dossier/store"
)

// identityWarning is what the command says about what it wrote: the
// identity is the organisation's secret key for bundles.
const identityWarning = "it opens every share sent to your organisation and every backup of this vault. Keep it as secret as the vault, write it only where you decrypt, and delete it after use"

func init() {
	register(&command{name: "identity", args: "(--out FILE [--force] | --stdout) [--x25519]",
		help: "write the organisation's SECRET age identity, to open shares sent to it (and this vault's backups) with stock age 1.3 or later, or with --x25519 older age; " + identityWarning,
		run:  cmdIdentity,
		flags: func(fs *flag.FlagSet) {
			fs.String("out", "", "write the identity to `FILE`, readable only by you (mode 0600); an existing file is refused")
			fs.Bool("force", false, "with --out, replace an existing FILE")
			fs.Bool("stdout", false, "print the identity on standard output instead (it then shows on the screen and in the terminal's history)")
			fs.Bool("x25519", false, "the classic X25519 identity, for age before 1.3, which opens bundles made with --x25519 (instead of the post-quantum one)")
		}})
}

// cmdIdentity writes the organisation identity for stock age. The
// identity never goes to standard output unless asked for with --stdout,
// and a file it is written to is created atomically with mode 0600.
func cmdIdentity(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	out, toStdout, force, classic := str(fs, "out"), boolean(fs, "stdout"), boolean(fs, "force"), boolean(fs, "x25519")
	switch {
	case out == "" && !toStdout:
		return usagef("identity needs --out FILE, or --stdout to print the secret identity")
	case out != "" && toStdout:
		return usagef("--out and --stdout do not go together: choose one")
	case force && out == "":
		return usagef("--force goes with --out FILE")
	}
	if out != "" && !force {
		// Before unlocking: no passphrase for nothing.
		if _, err := os.Lstat(out); err == nil {
			return fmt.Errorf("%s already exists; nothing was written. Choose a new file, or pass --force to replace it", out)
		}
	}
	return c.withVault(func(v *store.Vault) error {
		id, err := v.Identity()
		if err != nil {
			return err
		}
		kind, secret, use := "post-quantum", id.Age.String(), "age 1.3 or later"
		if classic {
			x, err := id.X25519()
			if err != nil {
				return err
			}
			kind, secret, use = "x25519", x.String(), "any age (bundles made with --x25519 only)"
		}
		text := identityText(kind, secret, use, v.Org().Name)
		if err := v.RecordIdentityExport(c.ctx, kind); err != nil {
			return fmt.Errorf("recording it in the audit log: %w; nothing was written", err)
		}
		c.log.WithField("kind", kind).Info("organisation identity written out")
		if toStdout {
			fmt.Fprint(c.stdout, text)
			fmt.Fprintln(c.stderr, "WARNING: this identity is a secret: "+identityWarning+".")
			return nil
		}
		if err := writeSecret(out, []byte(text), force); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "The organisation's %s identity was written to %s (only you can read it). Use: age -d -i %s BUNDLE\n", kind, out, out)
		fmt.Fprintln(c.stderr, "WARNING: this identity is a secret: "+identityWarning+".")
		return nil
	})
}

// identityText is the identity file: comments age skips, then the key.
func identityText(kind, secret, use, org string) string {
	return fmt.Sprintf("# Dossier organisation identity (%s) of %s.\n"+
		"# For %s: age -d -i THIS-FILE BUNDLE. It opens every share sent to\n"+
		"# the organisation and every backup of its vault: keep it secret and\n"+
		"# delete it after use.\n%s\n", kind, oneLineName(org), use, secret)
}

// oneLineName keeps a name from ending a comment line.
func oneLineName(s string) string {
	b := []rune(s)
	for i, r := range b {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			b[i] = ' '
		}
	}
	return string(b)
}

// writeSecret writes data to path with mode 0600, atomically: replacing
// a file there only when force is set.
func writeSecret(path string, data []byte, force bool) error {
	if force {
		return atomicfile.WriteFile(path, data, 0o600)
	}
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.CommitNew(); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; nothing was written. Choose a new file, or pass --force to replace it", path)
		}
		return err
	}
	return nil
}
