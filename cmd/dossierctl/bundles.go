package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"filippo.io/age"
	"golang.org/x/term"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/atomicfile"
	"github.com/dossier-hr/dossier/store"
)

// exitBundle is the exit status for a bundle that fails verification.
const exitBundle = 4

func init() {
	register(&command{name: "export", args: "--out FILE [--kind full|incremental|share] [--to CARD]... [--case ID]... [--redact P] [--skip-damaged]", help: "write a signed, encrypted bundle: a backup or a share", run: cmdExport,
		flags: func(fs *flag.FlagSet) {
			fs.String("out", "", "write the bundle to `FILE` (must not exist)")
			fs.String("kind", export.KindFull, "bundle `kind`: full (a backup), incremental (what changed since the last backup) or share (chosen cases for partners)")
			fs.Var(&stringList{}, "case", "a case `ID` or reference to share (repeatable)")
			fs.String("redact", export.RedactPseudonymise, "share redaction `profile`: none, pseudonymise or anonymise")
			fs.Var(&stringList{}, "to", "also encrypt to the contact card in `FILE` (repeatable)")
			fs.String("bundle-passphrase-file", "", "encrypt with the one-off passphrase in `FILE` (one line) instead of keys")
			fs.Bool("x25519", false, "use classic X25519 recipients, for age command-line tools before 1.3 (not post-quantum)")
			fs.Bool("skip-damaged", false, "write the bundle without the damaged evidence records 'dossierctl check' lists, and record in it that they were left out")
		}})
	register(&command{name: "x25519-key", args: "--recovery-key FILE", help: "print the X25519 identity derived from the recovery key, for age before 1.3", run: cmdX25519Key})
	register(&command{name: "verify", args: "FILE [--recovery-key FILE [--organisation FP] | --identity FILE]", help: "check a bundle completely and say who made it; with --recovery-key, that a backup opens with that key and was made by its organisation", run: cmdVerify,
		flags: func(fs *flag.FlagSet) {
			fs.String("identity", "", "decrypt with the recovery key or age identity in `FILE` instead of the vault's")
			fs.String("organisation", "", "for a backup made before Dossier bound backups to the recovery key: the fingerprint `FP` of the organisation you checked it is from")
			fs.String("bundle-passphrase-file", "", "decrypt with the passphrase in `FILE` (one line)")
			fs.Bool("json", false, "print the manifest summary as JSON")
		}})
	register(&command{name: "import", args: "FILE [--accept-unknown-signer] [--bundle-passphrase-file F]", help: "verify a bundle from a partner and merge it", run: cmdImport,
		flags: func(fs *flag.FlagSet) {
			fs.Bool("accept-unknown-signer", false, "import even if the signer is not among your contacts")
			fs.String("bundle-passphrase-file", "", "the bundle was encrypted with the one-off passphrase in `FILE` (one line)")
		}})
	register(&command{name: "contact", args: "export --out FILE | add FILE [--fingerprint FP] | list [--json]", help: "exchange contact cards with partner organisations", run: cmdContact,
		flags: func(fs *flag.FlagSet) {
			fs.String("out", "", "write this vault's card to `FILE`")
			fs.String("fingerprint", "", "the fingerprint `FP` the partner read to you; add refuses a card that does not match")
			fs.Bool("json", false, "print JSON")
		}})
	register(&command{name: "restore", args: "--bundle FILE [--bundle FILE]... --recovery-key FILE --vault NEWDIR --new-passphrase-file FILE [--organisation FP]", help: "rebuild a vault from a full backup and its incrementals", run: cmdRestore,
		flags: func(fs *flag.FlagSet) {
			fs.String("organisation", "", "for a backup made before Dossier bound backups to the recovery key: the fingerprint `FP` of the organisation you checked it is from")
			fs.Var(&stringList{}, "bundle", "the full backup `FILE`, then each incremental bundle made after it, in order (repeatable)")
			fs.String("new-passphrase-file", "", "the new vault's passphrase, in `FILE` (one line; else a prompt)")
		}})
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
func (s *stringList) Get() any           { return []string(*s) }

func list(fs *flag.FlagSet, name string) []string {
	return fs.Lookup(name).Value.(flag.Getter).Get().([]string)
}

func readCard(path string) (export.Card, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return export.Card{}, err
	}
	c, err := export.ParseCard(b)
	if err != nil {
		return c, fmt.Errorf("the card file given: %w", err)
	}
	return c, nil
}

func cmdExport(c *cli, fs *flag.FlagSet, args []string) error {
	out := str(fs, "out")
	if err := noArgs(args); err != nil {
		return err
	}
	if out == "" {
		return usagef("export needs --out FILE")
	}
	opts := export.Options{Kind: str(fs, "kind"), Cases: list(fs, "case"), Redact: str(fs, "redact"), X25519: boolean(fs, "x25519"), SkipDamaged: boolean(fs, "skip-damaged")}
	if opts.Kind != export.KindShare && len(opts.Cases) > 0 {
		return usagef("--case goes with --kind share; a backup holds every case")
	}
	for _, p := range list(fs, "to") {
		card, err := readCard(p)
		if err != nil {
			return err
		}
		opts.To = append(opts.To, card)
	}
	if f := str(fs, "bundle-passphrase-file"); f != "" {
		p, err := readPassphraseFile(f)
		if err != nil {
			return fmt.Errorf("reading the bundle passphrase file: %w", err)
		}
		if err := crypto.CheckPassphrase(p); err != nil {
			return fmt.Errorf("the bundle passphrase is too weak (%v); anyone who gets the file can try passphrases offline", err)
		}
		opts.Passphrase = p
	}
	return c.withVault(func(v *store.Vault) error {
		m, err := export.WriteFile(c.ctx, v, out, opts)
		if errors.Is(err, export.ErrDamaged) {
			return withHint(err, "Nothing was written. 'dossierctl check' lists every damaged record; 'dossierctl export --skip-damaged' writes everything else and records in the bundle what it left out")
		}
		if err != nil {
			return err
		}
		for _, d := range m.Damaged() {
			fmt.Fprintf(c.stderr, "Left out, damaged: %s.\n", d)
		}
		if n := len(m.Skipped); n > 0 {
			c.log.WithField("records", n).Warn("damaged evidence left out of the bundle")
		}
		c.log.WithField("cases", m.Cases).WithField("evidence", m.Originals).WithField("stripped", m.Stripped).Info("bundle written")
		fmt.Fprintf(c.stdout, "%s bundle written to %s: %s, %s, %s; verified after writing.\n", m.Kind, out,
			count(m.Cases, "case", "cases"), evidenceCount(m.Originals, m.Stripped), count(m.Audit, "audit entry", "audit entries"))
		if m.LeftOut > 0 {
			fmt.Fprintf(c.stderr, "%s left out: %s no copy without metadata (only JPEG and PNG get one). Attach a cleaned copy to share %s.\n",
				count(m.LeftOut, "evidence file was", "evidence files were"), pick(m.LeftOut, "it has", "they have"), pick(m.LeftOut, "it", "them"))
		}
		if opts.Redact == export.RedactAnonymise {
			fmt.Fprintln(c.stderr, "Anonymised: names and places were removed from the fields, but free text (narratives, descriptions) can still name people. Read it before you send the bundle; its cases arrive flagged for review.")
		}
		if m.RecoveryKey != "" {
			// The id is public; the person compares it with the one in
			// their recovery key file.
			fmt.Fprintf(c.stdout, "It opens with recovery key %s.\n", m.RecoveryKey)
			fmt.Fprintln(c.stderr, "Keep it away from this laptop. Check that your recovery key file says the same id; restore with: dossierctl restore --bundle FILE --recovery-key KEYFILE --vault NEWDIR")
			if !m.RecoveryBound {
				fmt.Fprintln(c.stderr, "This vault was made by an older Dossier: its backups do not yet state which organisation the recovery key belongs to, so restoring them asks for the organisation's fingerprint. Unlock once with the recovery key (any command with --recovery-key FILE) and later backups will.")
			}
		}
		return nil
	})
}

// identities returns what verify decrypts with: --identity, a bundle
// passphrase, or the vault's own keys.
func (c *cli) identities(fs *flag.FlagSet) ([]age.Identity, *store.Vault, error) {
	if f := str(fs, "bundle-passphrase-file"); f != "" {
		p, err := readPassphraseFile(f)
		if err != nil {
			return nil, nil, err
		}
		id, err := age.NewScryptIdentity(p)
		if err != nil {
			return nil, nil, err
		}
		return []age.Identity{id}, nil, nil
	}
	if f := str(fs, "identity"); f != "" {
		if rk, err := crypto.ReadRecoveryKey(f); err == nil {
			return rk.Identities(), nil, nil
		}
		fh, err := os.Open(f)
		if err != nil {
			return nil, nil, err
		}
		defer fh.Close()
		ids, err := age.ParseIdentities(fh)
		if err != nil {
			return nil, nil, fmt.Errorf("the key file given holds no recovery key or age identity: %w", err)
		}
		return ids, nil, nil
	}
	v, err := c.open()
	if err != nil {
		return nil, nil, err
	}
	id, err := v.Identity()
	if err != nil {
		v.Close()
		return nil, nil, err
	}
	return id.Identities(), v, nil
}

// notAddressedHint says what to check when no key tried opens a bundle.
func notAddressedHint(fs *flag.FlagSet) string {
	if fs.Lookup("bundle-passphrase-file").Value.String() != "" {
		return "Check the bundle passphrase: the line of the file, exactly as the sender wrote it"
	}
	if id := fs.Lookup("identity"); id != nil && id.Value.String() != "" {
		return "Check that the key file is the recovery key or identity the bundle was made for"
	}
	return "It was made for another organisation or vault; for a bundle made with a one-off passphrase, pass --bundle-passphrase-file FILE"
}

func cmdVerify(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("verify takes one bundle FILE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	if c.hasRecovery() {
		if str(fs, "identity") != "" || str(fs, "bundle-passphrase-file") != "" {
			return usagef("verify takes one key: --recovery-key, --identity or --bundle-passphrase-file")
		}
		return c.verifyBackup(fs, f)
	}
	if str(fs, "organisation") != "" {
		return usagef("--organisation goes with --recovery-key: it confirms whose backup the recovery key opens")
	}
	ids, v, err := c.identities(fs)
	if err != nil {
		return err
	}
	if v != nil {
		defer v.Close()
	}
	m, err := export.Read(c.ctx, f, ids, nil)
	if err != nil {
		if errors.Is(err, export.ErrNotAddressed) {
			return withHint(err, notAddressedHint(fs))
		}
		return err
	}
	known := "unknown: not among your contacts; compare the fingerprint with its maker by phone before trusting it"
	if v == nil {
		// Opened with --identity or a bundle passphrase: the vault (and
		// its contacts) were not unlocked, so say that, not "unknown".
		known = "not checked against your contacts: verify without --identity or --bundle-passphrase-file, or import, to check"
	} else {
		pk, _ := m.Creator.PublicKey()
		if own, err := v.Identity(); err == nil && own.Fingerprint() == m.Creator.Fingerprint {
			known = "this vault's own organisation"
		} else if c, err := v.ContactBySignKey(c.ctx, pk); err == nil && c != nil {
			known = "a known contact, added as " + c.Name
		}
	}
	if boolean(fs, "json") {
		return c.printJSON(map[string]any{"kind": m.Kind, "created_at": m.CreatedAt, "creator": m.Creator,
			"known": v != nil && !strings.HasPrefix(known, "unknown"), "cases": m.Cases, "evidence": m.Originals, "stripped_copies": m.Stripped, "audit_entries": m.Audit,
			"skipped": len(m.Skipped)})
	}
	fmt.Fprintf(c.stdout, "ok: the bundle verifies (every entry, the signature and the end of the stream)\n")
	fmt.Fprintf(c.stdout, "kind:     %s\ncreated:  %s\ncreator:  %s\n          fingerprint %s (%s)\ncontent:  %s, %s, %s\n",
		m.Kind, m.CreatedAt, m.Creator.Name, m.Creator.Fingerprint, known,
		count(m.Cases, "case", "cases"), evidenceCount(m.Originals, m.Stripped), count(m.Audit, "audit entry", "audit entries"))
	if n := len(m.Skipped); n > 0 {
		fmt.Fprintf(c.stdout, "skipped:  %s, left out when it was made:\n", count(n, "damaged evidence record", "damaged evidence records"))
		for _, k := range m.Skipped {
			fmt.Fprintf(c.stdout, "          %s %s of case %s: %s\n", k.Kind, k.Evidence, k.Case, k.Reason)
		}
	}
	return nil
}

func cmdRestore(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	bundles := list(fs, "bundle")
	if len(bundles) == 0 || !c.hasRecovery() || c.vaultDir == "" {
		return usagef("restore needs --bundle FILE, --recovery-key FILE and --vault NEWDIR")
	}
	rk, err := c.recoveryKey()
	if err != nil {
		return err
	}
	var pass string
	if f := str(fs, "new-passphrase-file"); f != "" {
		if pass, err = readPassphraseFile(f); err != nil {
			return fmt.Errorf("reading the new passphrase file: %w", err)
		}
	} else if pass, err = promptNew(); err != nil {
		return err
	}
	if pass == "" {
		return usagef("the new passphrase is empty")
	}
	if err := checkNewPassphrase(pass); err != nil {
		return err
	}
	res, err := export.Restore(c.ctx, bundles, rk, c.vaultDir, pass, export.RestoreOptions{Organisation: str(fs, "organisation")})
	if err != nil {
		if errors.Is(err, export.ErrNotAddressed) {
			return withHint(err, "Check that it is the recovery key of the vault that made the backup")
		}
		return err
	}
	t := res.Vault
	c.log.WithField("bundles", len(res.Bundles)).WithField("cases", t.Cases).WithField("evidence", t.Originals).Info("vault restored")
	m := res.Last()
	w := newBuffered(c.stdout)
	fmt.Fprintf(w, "Vault restored in %s from %s of %s:\n", c.vaultDir, count(len(res.Bundles), "backup", "backups"), m.Creator.Name)
	for i, b := range res.Bundles {
		fmt.Fprintf(w, "  %s backup %s, made %s: %s\n", b.Manifest.Kind, bundles[i], b.Manifest.CreatedAt, restoredBundle(b))
	}
	fmt.Fprintf(w, "The restored vault holds %s, %s and %s.\n",
		count(t.Cases, "case", "cases"), evidenceCount(t.Originals, t.Stripped), count(t.Audit, "audit entry", "audit entries"))
	fmt.Fprintf(w, "Creator fingerprint %s: check it is your organisation's. The same recovery key opens the new vault.\n", m.Creator.Fingerprint)
	return w.Flush()
}

// verifyBackup is verify --recovery-key: the backup opens with the
// recovery key the person holds and was made by the organisation that key
// belongs to (export.VerifyBackup), as restore will check.
func (c *cli) verifyBackup(fs *flag.FlagSet, f *os.File) error {
	rk, err := c.recoveryKey()
	if err != nil {
		return err
	}
	m, err := export.VerifyBackup(c.ctx, f, rk, str(fs, "organisation"))
	if err != nil {
		if errors.Is(err, export.ErrNotAddressed) {
			return withHint(err, fmt.Sprintf("It does not open with recovery key %s (%s): it was made for another recovery key, or is not a backup", rk.ID(), c.recoverySource()))
		}
		return err
	}
	bound := "made by the organisation this recovery key belongs to"
	if !m.RecoveryBound {
		bound = "made by an older Dossier; you confirmed its organisation's fingerprint"
	}
	if boolean(fs, "json") {
		return c.printJSON(map[string]any{"kind": m.Kind, "created_at": m.CreatedAt, "creator": m.Creator,
			"recovery_key": m.RecoveryKey, "bound": m.RecoveryBound, "cases": m.Cases, "evidence": m.Originals, "stripped_copies": m.Stripped, "audit_entries": m.Audit,
			"skipped": len(m.Skipped)})
	}
	fmt.Fprintf(c.stdout, "ok: the bundle verifies (every entry, the signature and the end of the stream)\n")
	fmt.Fprintf(c.stdout, "opens with recovery key %s (%s), %s\n", m.RecoveryKey, c.recoverySource(), bound)
	fmt.Fprintf(c.stdout, "kind:     %s\ncreated:  %s\ncreator:  %s\n          fingerprint %s\ncontent:  %s, %s, %s\n",
		m.Kind, m.CreatedAt, m.Creator.Name, m.Creator.Fingerprint,
		count(m.Cases, "case", "cases"), evidenceCount(m.Originals, m.Stripped), count(m.Audit, "audit entry", "audit entries"))
	return nil
}

// restoredBundle says what one bundle of a restore brought: a full
// backup, its content; an incremental one, the changes it applied.
func restoredBundle(b export.RestoredBundle) string {
	m := b.Manifest
	audit := count(m.Audit, "audit entry", "audit entries")
	s := fmt.Sprintf("%s added, %d updated, %d deleted; %s added; %s",
		count(b.Added, "case", "cases"), b.Updated, b.Deleted, evidenceCount(m.Originals, m.Stripped), audit)
	if m.Kind == export.KindFull {
		s = fmt.Sprintf("%s, %s, %s", count(b.Added, "case", "cases"), evidenceCount(m.Originals, m.Stripped), audit)
	}
	if b.Skipped > 0 {
		s += fmt.Sprintf("; made without %s", count(b.Skipped, "damaged evidence record", "damaged evidence records"))
	}
	return s
}

func cmdImport(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("import takes one bundle FILE")
	}
	opts := export.ImportOptions{AcceptUnknown: boolean(fs, "accept-unknown-signer")}
	if f := str(fs, "bundle-passphrase-file"); f != "" {
		p, err := readPassphraseFile(f)
		if err != nil {
			return fmt.Errorf("reading the bundle passphrase file: %w", err)
		}
		opts.Passphrase = p
	}
	return c.withVault(func(v *store.Vault) error {
		res, err := export.Import(c.ctx, v, args[0], opts)
		if err != nil {
			if errors.Is(err, export.ErrNotAddressed) {
				return withHint(err, notAddressedHint(fs))
			}
			return err
		}
		c.log.WithField("added", res.Added).WithField("conflicts", res.Conflicts).Info("bundle imported")
		m := res.Manifest
		fmt.Fprintf(c.stdout, "Imported %s from %s (fingerprint %s, signed by %s), made %s:\n", export.KindPhrase(m.Kind), m.Creator.Name, m.Creator.Fingerprint, res.Signer, m.CreatedAt)
		fmt.Fprintf(c.stdout, "%s added, %d updated, %d unchanged, %d in conflict (kept both, flagged for review); %s added.\n",
			count(res.Added, "case", "cases"), res.Updated, res.Unchanged, res.Conflicts, evidenceCount(res.Originals, res.Stripped))
		if res.Conflicts > 0 {
			fmt.Fprintln(c.stdout, "'dossierctl list --needs-review' shows the cases to review.")
		}
		return nil
	})
}

func cmdContact(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("use: contact export --out FILE, contact add FILE, or contact list")
	}
	switch args[0] {
	case "export":
		out := str(fs, "out")
		if len(args) != 1 || out == "" {
			return usagef("use: contact export --out FILE")
		}
		return c.withVault(func(v *store.Vault) error {
			card, err := export.OwnCard(v)
			if err != nil {
				return err
			}
			b, _ := json.MarshalIndent(card, "", "  ")
			if _, err := os.Lstat(out); err == nil {
				return errors.New("the --out file already exists; choose a new file")
			}
			if err := atomicfile.WriteFile(out, append(b, '\n'), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Contact card of %s written to %s.\nFingerprint: %s\nPartners should hear this fingerprint from you (by phone, in person) before they add the card.\n", card.Name, out, card.Fingerprint)
			return nil
		})
	case "add":
		if len(args) != 2 {
			return usagef("use: contact add FILE [--fingerprint FP]")
		}
		card, err := readCard(args[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Card of %s, fingerprint %s\n", card.Name, card.Fingerprint)
		if fp := str(fs, "fingerprint"); fp != "" {
			if !strings.EqualFold(strings.ReplaceAll(fp, " ", ""), card.Fingerprint) {
				return fmt.Errorf("the card's fingerprint %s is not the %s you were given: do not use this card, and tell the partner", card.Fingerprint, fp)
			}
		} else if err := confirm("Does this fingerprint match the one the partner read to you? Type yes to add: "); err != nil {
			return err
		}
		contact, err := card.Contact()
		if err != nil {
			return err
		}
		return c.withVault(func(v *store.Vault) error {
			if err := v.AddContact(c.ctx, contact); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Added %s to your contacts.\n", card.Name)
			return nil
		})
	case "list":
		return c.withVault(func(v *store.Vault) error {
			cs, err := v.Contacts(c.ctx)
			if err != nil {
				return err
			}
			if boolean(fs, "json") {
				return c.printJSON(cs)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tFINGERPRINT\tADDED")
			for _, k := range cs {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, k.Fingerprint, k.AddedAt)
			}
			return tw.Flush()
		})
	}
	return usagef("unknown contact command %q: use export, add or list", args[0])
}

// confirm asks a yes/no question on the terminal; without one, it fails
// with what to pass instead.
func confirm(question string) error {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return usagef("no terminal to confirm on: pass --fingerprint with the fingerprint the partner gave you")
	}
	fmt.Fprint(os.Stderr, question)
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	if strings.TrimSpace(strings.ToLower(line)) != "yes" {
		return errors.New("not added")
	}
	return nil
}

func cmdX25519Key(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if !c.hasRecovery() {
		return usagef("x25519-key needs --recovery-key FILE")
	}
	rk, err := c.recoveryKey()
	if err != nil {
		return err
	}
	x, err := rk.X25519()
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stderr, "This identity opens every backup made with --x25519, like the recovery key it comes from: keep it as secret. Use: age -d -i FILE backup.age")
	fmt.Fprintf(c.stdout, "# X25519 identity derived from a Dossier recovery key\n%s\n", x.String())
	return nil
}
