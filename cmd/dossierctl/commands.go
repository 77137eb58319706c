package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/atomicfile"
	"github.com/dossier-hr/dossier/store"
)

func init() {
	register(&command{name: "init", args: "[--org NAME] [--code PREFIX] [--recovery-out FILE]", help: "create a vault", run: cmdInit,
		flags: func(fs *flag.FlagSet) {
			fs.String("org", "", "organisation `name`, shown on its contact card")
			fs.String("code", "", "case reference prefix (default: the organisation's initials)")
			fs.String("recovery-out", "", "write the recovery key to `FILE` (mode 0600) instead of printing it")
		}})
	register(&command{name: "add", args: "[FILE|-]", help: "add cases from a JSON object or NDJSON (all or nothing)", run: cmdAdd})
	register(&command{name: "list", args: "[filters] [--json]", help: "list cases, newest incident first", run: cmdList, flags: listFlags})
	register(&command{name: "search", args: "QUERY [filters] [--json]", help: "full-text search", run: cmdSearch, flags: listFlags})
	register(&command{name: "show", args: "ID|REFERENCE [--json]", help: "show one case", run: cmdShow,
		flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print the case as one JSON object") }})
	register(&command{name: "history", args: "ID|REFERENCE [--json]", help: "show a case's earlier revisions", run: cmdHistory,
		flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print one JSON array") }})
	register(&command{name: "edit", args: "ID|REFERENCE FILE|-", help: "change fields of a case (keeps a revision)", run: cmdEdit})
	register(&command{name: "passwd", args: "--new-passphrase-file FILE", help: "change the passphrase", run: cmdPasswd,
		flags: func(fs *flag.FlagSet) {
			fs.String("new-passphrase-file", "", "read the new passphrase from `FILE` (one line; else a prompt)")
		}})
	register(&command{name: "dump", args: "", help: "print the vault's content as canonical JSON", run: cmdDump})
	register(&command{name: "check", args: "[--read-data] [--repair]", help: "check the vault's integrity and its evidence files; lists damaged records and the cases they belong to", run: cmdCheck,
		flags: func(fs *flag.FlagSet) {
			fs.Bool("read-data", false, "also read every evidence file and authenticate each of its chunks (takes as long as reading all the evidence)")
			fs.Bool("repair", false, "remove stored evidence files that no record names (left by an interrupted attach, import or deletion); needs the vault open nowhere else")
		}})
	register(&command{name: "recovery-key", args: "--replace [--out FILE] | split --recovery-key FILE --shares N --threshold K [--out-dir DIR] [--org NAME]",
		help: "replace the recovery key (the old one stops opening the vault), or cut it into N shares any K of which stand in for it (--recovery-share FILE, repeated)", run: cmdRecoveryKey,
		flags: func(fs *flag.FlagSet) {
			fs.Bool("replace", false, "make a new recovery key and wrap the vault's key to it")
			fs.String("out", "", "write the new key to `FILE` (mode 0600) before it takes effect, instead of printing it")
			fs.Int("shares", 0, "split: how many shares to make (`N`, 2 to 16), one per person who keeps one")
			fs.Int("threshold", 0, "split: how many shares rebuild the key (`K`, 2 to N); fewer tell nothing about it")
			fs.String("out-dir", "", "split: write share-1.txt … share-N.txt into `DIR` (readable only by you) instead of printing them")
			fs.String("org", "", "split: the organisation's `NAME`, written in each share's heading")
		}})
	register(&command{name: "stats", args: "[QUERY] [filters] [--min-count N] [--set-min-count N] [--all-cases] [--json]",
		help: "count cases consented to anonymised statistics by status, country, year, violation and perpetrator, hiding counts under N (default 5)", run: cmdStats, flags: statsFlags})
	register(&command{name: "guard", args: "[--wipe-after N|off] [--json]", help: "show or set the wipe of the passphrase key after N wrong attempts", run: cmdGuard,
		flags: func(fs *flag.FlagSet) {
			fs.String("wipe-after", "", "destroy the passphrase's copy of the key after `N` wrong passphrases in a row (1-100), or 'off'")
			fs.Bool("json", false, "print the state as one JSON object")
		}})
	register(&command{name: "key-file", args: "repair", help: "rewrite a vault.key changed outside Dossier from the vault's own settings (unlock with the passphrase or --recovery-key)", run: cmdKeyFile})
	register(&command{name: "author", args: "[NAME] [--clear]", help: "show or set the name recorded as the author of changes, notes and audit entries (kept in the vault)", run: cmdAuthor,
		flags: func(fs *flag.FlagSet) {
			fs.Bool("clear", false, "forget the name: changes are recorded as local again")
		}})
}

// cmdAuthor shows or sets the vault's author setting: the name recorded
// as the author of what is written from then on, here and in the app,
// unless --author gives another for one command.
func cmdAuthor(c *cli, fs *flag.FlagSet, args []string) error {
	clear := boolean(fs, "clear")
	switch {
	case len(args) > 1:
		return usagef("author takes one NAME (quote a name with spaces)")
	case clear && len(args) == 1:
		return usagef("author: give a NAME or --clear, not both")
	case len(args) == 1 && strings.TrimSpace(args[0]) == "":
		return usagef("author: the NAME is empty; --clear forgets the name")
	}
	return c.withVault(func(v *store.Vault) error {
		if len(args) == 1 || clear {
			name := ""
			if !clear {
				name = args[0]
			}
			if err := v.SetAuthor(c.ctx, name); err != nil {
				return err
			}
			c.log.Info("author's name changed")
		}
		name, err := v.Setting(c.ctx, store.SettingAuthor)
		if err != nil {
			return err
		}
		if name == "" {
			fmt.Fprintln(c.stdout, "not set: changes are recorded as "+store.DefaultAuthor)
		} else {
			fmt.Fprintln(c.stdout, name)
		}
		return nil
	})
}

// cmdGuard shows the unlock guard (no unlock needed: it lives in the key
// file) or, with --wipe-after, sets it (unlock needed).
func cmdGuard(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	dir, err := c.dir()
	if err != nil {
		return err
	}
	var g store.UnlockGuard
	if set := str(fs, "wipe-after"); set != "" {
		n := 0
		if set != "off" {
			if n, err = strconv.Atoi(set); err != nil || n < 1 || n > crypto.MaxWipeAfter {
				return usagef("--wipe-after %q: write a number from 1 to %d, or off", set, crypto.MaxWipeAfter)
			}
		}
		err = c.withVault(func(v *store.Vault) error {
			if err := v.SetWipeAfter(c.ctx, n); err != nil {
				return err
			}
			g = v.UnlockGuard()
			return nil
		})
		if err != nil {
			return err
		}
		c.log.Info("unlock guard changed")
		if n > 0 {
			fmt.Fprintf(c.stderr, "WARNING: after %s in a row, Dossier will destroy the passphrase's copy of the vault key. From then on ONLY THE RECOVERY KEY opens this vault; if it is lost too, the vault is lost and only a backup bundle (which also needs the recovery key) can bring the cases back. A typo counts. Keep the recovery key away from this computer.\n", count(n, "wrong passphrase", "wrong passphrases"))
		}
	} else if g, err = store.ReadUnlockGuard(dir); err != nil {
		return err
	}
	if boolean(fs, "json") {
		return c.printJSON(map[string]any{"wipe_after": g.WipeAfter, "failed": g.Failed, "wiped": g.Wiped})
	}
	switch {
	case g.Wiped:
		fmt.Fprintln(c.stdout, "passphrase key destroyed after wrong attempts: unlock with --recovery-key and set a new passphrase with passwd")
	case g.WipeAfter == 0:
		fmt.Fprintf(c.stdout, "off: wrong passphrases are refused, counted for the audit log and destroy nothing (%d so far)\n", g.Failed)
	default:
		fmt.Fprintf(c.stdout, "on: the passphrase key is destroyed after %s in a row (%d so far)\n", count(g.WipeAfter, "wrong passphrase", "wrong passphrases"), g.Failed)
	}
	return nil
}

// cmdKeyFile repairs a key file that was changed outside Dossier
// (store.ErrKeyFileAltered), so that its owner is not locked out of the
// vault: it is rewritten from the vault's own settings and sealed.
func cmdKeyFile(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 || args[0] != "repair" {
		return usagef("use: key-file repair")
	}
	dir, u, err := c.unlock()
	if err != nil {
		return err
	}
	rep, err := store.RepairKeyFile(dir, u, store.Options{Actor: c.actor, Now: clock})
	if err != nil {
		return err
	}
	c.log.Info("key file repaired")
	if rep.Altered {
		fmt.Fprintf(c.stdout, "The key file %s had been changed outside Dossier; it is rewritten from the vault's settings.\n", filepath.Join(dir, store.KeyFileName))
	} else {
		fmt.Fprintf(c.stdout, "The key file %s was intact; it is rewritten from the vault's settings all the same.\n", filepath.Join(dir, store.KeyFileName))
	}
	if rep.RecipientsIgnored {
		fmt.Fprintln(c.stdout, "It named recovery recipients that are not the vault's: they were dropped. Backups go to the vault's recovery key, as before.")
	}
	fmt.Fprintln(c.stdout, "The recovery key's copy of the vault key was made anew, to the vault's recovery key.")
	switch {
	case rep.WipeAfterRecorded && rep.WipeAfter > 0:
		fmt.Fprintf(c.stdout, "Guard: on, as last set: the passphrase's copy of the key is destroyed after %s in a row.\n", count(rep.WipeAfter, "wrong passphrase", "wrong passphrases"))
	case rep.WipeAfterRecorded:
		fmt.Fprintln(c.stdout, "Guard: off, as last set.")
	default:
		fmt.Fprintln(c.stdout, "Guard: off. This vault had not recorded its setting; turn it on again with 'dossierctl guard --wipe-after N' if it was on.")
	}
	fmt.Fprintln(c.stdout, "The repair is in the audit log. Find out who could write to the vault folder.")
	return nil
}

func str(fs *flag.FlagSet, name string) string { return fs.Lookup(name).Value.String() }
func boolean(fs *flag.FlagSet, name string) bool {
	return fs.Lookup(name).Value.(flag.Getter).Get().(bool)
}
func integer(fs *flag.FlagSet, name string) int {
	return fs.Lookup(name).Value.(flag.Getter).Get().(int)
}

func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument (the first one given)")
	}
	return nil
}

func cmdInit(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	dir, err := c.dir()
	if err != nil {
		return err
	}
	if store.Exists(dir) {
		return fmt.Errorf("%w: %s", store.ErrVaultExists, dir)
	}
	out := str(fs, "recovery-out")
	if out != "" {
		// Fail before creating anything if the key cannot be saved there.
		if _, err := os.Stat(out); err == nil {
			return errors.New("the --recovery-out file already exists; choose a new file for the recovery key, nothing was changed")
		}
	}
	p, err := c.passphrase("New passphrase: ", true)
	if err != nil {
		return err
	}
	if p == "" {
		return usagef("the passphrase is empty")
	}
	if err := checkNewPassphrase(p); err != nil {
		return err
	}
	v, rk, err := store.Create(dir, p, store.CreateOptions{OrgName: str(fs, "org"), OrgCode: str(fs, "code"), Options: store.Options{Actor: c.actor, Now: clock}})
	if err != nil {
		return err
	}
	defer v.Close()
	c.log.Info("vault created")
	text := crypto.RecoveryKeyText(rk, v.Org().Name)
	if out != "" {
		if err := atomicfile.WriteFile(out, []byte(text), 0o600); err != nil {
			return fmt.Errorf("the vault was created in %s but the recovery key could not be written to the --recovery-out file: %w; delete that folder and create the vault again, to get a key you can keep", dir, err)
		}
		fmt.Fprintf(c.stdout, "Vault created in %s.\nRecovery key written to %s (only you can read it). Print it or copy it to paper, keep it away from this laptop, then delete the file.\nRecovery key id: %s (backups say which key opens them by this id).\n", dir, out, rk.ID())
		return nil
	}
	fmt.Fprintf(c.stderr, "WARNING: this recovery key is shown once and stored nowhere. Write it down or print it and keep it away from this laptop: with it, anyone can open the vault and its backups; without it, a forgotten passphrase means the vault is lost.\n")
	fmt.Fprintf(c.stdout, "%s\n", rk.String())
	fmt.Fprintf(c.stderr, "Vault created in %s.\nRecovery key id: %s (backups say which key opens them by this id).\n", dir, rk.ID())
	return nil
}

// input opens FILE, or standard input for "-" or nothing.
func (c *cli) input(args []string, max int) (io.Reader, func(), error) {
	if len(args) > max {
		return nil, nil, usagef("unexpected argument (more than %d given)", max)
	}
	if len(args) < max || args[max-1] == "-" {
		return c.stdin, func() {}, nil
	}
	f, err := os.Open(args[max-1])
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func cmdAdd(c *cli, fs *flag.FlagSet, args []string) error {
	r, done, err := c.input(args, 1)
	if err != nil {
		return err
	}
	defer done()
	return c.withVault(func(v *store.Vault) error {
		start := time.Now()
		ids, err := v.AddCases(c.ctx, r)
		if err != nil {
			return err
		}
		c.log.WithField("cases", len(ids)).WithField("ms", time.Since(start).Milliseconds()).Info("cases added")
		w := newBuffered(c.stdout)
		for _, id := range ids {
			fmt.Fprintln(w, id)
		}
		return w.Flush()
	})
}

func listFlags(fs *flag.FlagSet) {
	fs.Bool("json", false, "print one JSON array")
	filterFlags(fs)
	fs.String("sort", "", "`order`: incident date newest first (default), incident_asc, updated_desc, reference")
	fs.Int("limit", 0, "at most `N` cases (default: all)")
	fs.Int("offset", 0, "skip the first `N` cases")
}

// filterFlags are the flags that select cases.
func filterFlags(fs *flag.FlagSet) {
	fs.String("status", "", "only cases with this `status` (open, under_review, referred, closed)")
	fs.String("violation", "", "only cases with a violation of this `type`")
	fs.String("perpetrator", "", "only cases with this `perpetrator` type")
	fs.String("country", "", "only cases in this `country` (ISO alpha-2)")
	fs.String("tag", "", "only cases with this `tag`")
	fs.String("from", "", "only incidents on or after this `date` (YYYY[-MM[-DD]])")
	fs.String("to", "", "only incidents on or before this `date`")
	fs.Bool("needs-review", false, "only cases flagged for review")
}

func queryFromFlags(fs *flag.FlagSet) store.Query {
	return store.Query{
		Status: str(fs, "status"), Violation: str(fs, "violation"), Perpetrator: str(fs, "perpetrator"),
		Country: str(fs, "country"), Tag: str(fs, "tag"), From: str(fs, "from"), To: str(fs, "to"),
		NeedsReview: boolean(fs, "needs-review"), Sort: str(fs, "sort"),
		Limit: integer(fs, "limit"), Offset: integer(fs, "offset"),
	}
}

func cmdList(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	return c.list(fs, queryFromFlags(fs))
}

func cmdSearch(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 || strings.TrimSpace(strings.Join(args, " ")) == "" {
		return usagef("search needs a QUERY")
	}
	q := queryFromFlags(fs)
	q.Text = strings.Join(args, " ")
	return c.list(fs, q)
}

func (c *cli) list(fs *flag.FlagSet, q store.Query) error {
	if q.Limit < 0 || q.Offset < 0 {
		return usagef("--limit and --offset take a number of 0 or more")
	}
	return c.withVault(func(v *store.Vault) error {
		start := time.Now()
		q.WithViolations = boolean(fs, "json") // with their HURIDOCS codes
		res, err := v.List(c.ctx, q)
		if err != nil {
			return err
		}
		c.log.WithField("cases", len(res)).WithField("ms", time.Since(start).Milliseconds()).Info("cases listed")
		if boolean(fs, "json") {
			return c.printJSON(res)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REFERENCE\tINCIDENT\tSTATUS\tCOUNTRY\tTITLE\tID")
		for _, s := range res {
			flag := ""
			if s.NeedsReview {
				flag = " [needs review]"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s%s\t%s\n", s.Reference, orDash(s.IncidentDate), s.Status, orDash(s.Country), truncate(s.Title, 60), flag, s.ID)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(c.stderr, count(len(res), "case", "cases"))
		return nil
	})
}

func cmdShow(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("show takes one case ID or REFERENCE")
	}
	return c.withVault(func(v *store.Vault) error {
		cs, err := v.Get(c.ctx, args[0])
		if err != nil {
			return err
		}
		if boolean(fs, "json") {
			return c.printJSON(cs.WithHuridocsCodes())
		}
		w := newBuffered(c.stdout)
		printCase(w, cs)
		return w.Flush()
	})
}

func cmdHistory(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("history takes one case ID or REFERENCE")
	}
	return c.withVault(func(v *store.Vault) error {
		revs, err := v.Revisions(c.ctx, args[0])
		if err != nil {
			return err
		}
		if boolean(fs, "json") {
			out := []*store.Case{}
			for _, r := range revs {
				out = append(out, r.WithHuridocsCodes())
			}
			return c.printJSON(out)
		}
		w := newBuffered(c.stdout)
		if len(revs) == 0 {
			fmt.Fprintln(w, "No earlier revisions: the case has not been edited.")
		}
		for _, r := range revs {
			fmt.Fprintf(w, "── revision %d, saved %s by %s ──\n", r.Revision, r.UpdatedAt, r.UpdatedBy)
			printCase(w, r)
			fmt.Fprintln(w)
		}
		return w.Flush()
	})
}

func cmdEdit(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) < 1 {
		return usagef("edit takes a case ID or REFERENCE and a FILE of changes (or - for standard input)")
	}
	r, done, err := c.input(args, 2)
	if err != nil {
		return err
	}
	defer done()
	patch, err := io.ReadAll(io.LimitReader(r, store.MaxInputRecord+1))
	if err != nil {
		return err
	}
	if len(patch) > store.MaxInputRecord {
		return fmt.Errorf("the changes are larger than %d MiB; nothing was changed", store.MaxInputRecord>>20)
	}
	return c.withVault(func(v *store.Vault) error {
		cs, err := v.Edit(c.ctx, args[0], patch)
		if err != nil {
			return err
		}
		c.log.WithField("revision", cs.Revision).Info("case edited")
		fmt.Fprintf(c.stdout, "%s revision %d\n", cs.ID, cs.Revision)
		return nil
	})
}

func cmdPasswd(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	var newPass string
	if f := str(fs, "new-passphrase-file"); f != "" {
		p, err := readPassphraseFile(f)
		if err != nil {
			return fmt.Errorf("reading the new passphrase file: %w", err)
		}
		if err := checkNewPassphrase(p); err != nil {
			return err
		}
		newPass = p
	}
	return c.withVault(func(v *store.Vault) error {
		if newPass == "" && str(fs, "new-passphrase-file") == "" {
			var err error
			if newPass, err = promptNew(); err != nil {
				return err
			}
		}
		if newPass == "" {
			return usagef("the new passphrase is empty; nothing was changed")
		}
		if err := checkNewPassphrase(newPass); err != nil {
			return err
		}
		if err := v.ChangePassphrase(newPass); err != nil {
			return err
		}
		c.log.Info("passphrase changed")
		fmt.Fprintln(c.stderr, "Passphrase changed. The old one no longer opens the vault; the recovery key still does.")
		return nil
	})
}

func cmdDump(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	return c.withVault(func(v *store.Vault) error {
		w := newBuffered(c.stdout)
		if err := v.Dump(c.ctx, w); err != nil {
			return err
		}
		return w.Flush()
	})
}

func cmdCheck(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	readData, repair := boolean(fs, "read-data"), boolean(fs, "repair")
	return c.withVault(func(v *store.Vault) error {
		if err := v.CheckIntegrity(c.ctx); err != nil {
			return fmt.Errorf("%w; restore from your latest backup", err)
		}
		n, err := v.Count(c.ctx, store.Query{})
		if err != nil {
			return err
		}
		if repair {
			removed, err := v.RepairEvidence(c.ctx)
			if errors.Is(err, store.ErrInUse) {
				return fmt.Errorf("%w: close the app and any other dossierctl command using this vault, then run 'dossierctl check --repair' again (nothing was removed)", err)
			}
			if err != nil {
				return err
			}
			c.log.WithField("files", removed).Info("orphaned evidence files removed")
			fmt.Fprintf(c.stdout, "repaired: %s removed from the evidence folder\n", count(removed, "stored file that no record named was", "stored files that no record named were"))
		}
		rep, err := v.CheckStore(c.ctx, readData)
		if err != nil {
			return err
		}
		if rep.Orphans+rep.Temps > 0 {
			fmt.Fprintf(c.stdout, "note: %s no record names (left by an interrupted attach, import or deletion; unreadable without a key the vault no longer has); 'dossierctl check --repair' removes them\n",
				count(rep.Orphans+rep.Temps, "stored file in the evidence folder that", "stored files in the evidence folder that"))
		}
		if rep.Unknown > 0 {
			fmt.Fprintf(c.stdout, "note: %s Dossier did not make; they are left alone\n", count(rep.Unknown, "entry in the evidence folder is one", "entries in the evidence folder are ones"))
		}
		if len(rep.Damage) > 0 {
			for _, d := range rep.Damage {
				name := ""
				if e, err := v.GetEvidence(c.ctx, d.EvidenceID); err == nil {
					name = fmt.Sprintf(" (%q)", e.Name)
				}
				fmt.Fprintf(c.stdout, "damaged: %s\n", strings.Replace(d.String(), " of case ", name+" of case ", 1))
			}
			c.log.WithField("records", len(rep.Damage)).Warn("damaged evidence found")
			return fmt.Errorf("database and encryption checks pass, but %s damaged; the other files are sound. A backup refuses to carry %s: 'dossierctl export --skip-damaged' writes everything else and records what it left out; an earlier backup may still hold %s",
				count(len(rep.Damage), "evidence record is", "evidence records are"), pick(len(rep.Damage), "it", "them"), pick(len(rep.Damage), "it", "them"))
		}
		fmt.Fprintf(c.stdout, "ok: database and encryption checks pass, %s\n", count(n, "case", "cases"))
		if readData {
			fmt.Fprintln(c.stdout, "ok: every evidence file and stripped copy was read whole and is authentic")
		} else {
			fmt.Fprintln(c.stdout, "ok: every evidence file and stripped copy is present, with the size recorded ('check --read-data' reads and authenticates every byte)")
		}
		return nil
	})
}

func (c *cli) printJSON(v any) error {
	w := newBuffered(c.stdout)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return w.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func statsFlags(fs *flag.FlagSet) {
	fs.Bool("json", false, "print one JSON object")
	filterFlags(fs)
	fs.Int("min-count", 0, "hide counts under `N` (1 hides none; default: the vault's setting, or 5)")
	fs.Int("set-min-count", 0, "keep `N` as this vault's smallest count shown, then count with it")
	fs.Bool("all-cases", false, "count cases without consent to anonymised statistics too (not for publication)")
}

// cmdStats prints the counts of an advocacy report for the cases the
// filters (and an optional search) select. Values are vocabulary keys, as
// everywhere in the command line. Only cases consented to anonymised
// statistics count, and small counts are hidden, unless asked otherwise;
// what was left out is said.
func cmdStats(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) > 1 {
		return usagef("stats takes at most one QUERY; quote a query of several words")
	}
	q := store.Query{
		Status: str(fs, "status"), Violation: str(fs, "violation"), Perpetrator: str(fs, "perpetrator"),
		Country: str(fs, "country"), Tag: str(fs, "tag"), From: str(fs, "from"), To: str(fs, "to"),
		NeedsReview: boolean(fs, "needs-review"),
	}
	if len(args) == 1 {
		q.Text = args[0]
	}
	opt := store.StatsOptions{MinCount: integer(fs, "min-count"), AllCases: boolean(fs, "all-cases")}
	set := integer(fs, "set-min-count")
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if (given["min-count"] && opt.MinCount < 1) || (given["set-min-count"] && set < 1) || (given["min-count"] && given["set-min-count"]) {
		return usagef("--min-count and --set-min-count take a number of 1 or more, and only one of them")
	}
	return c.withVault(func(v *store.Vault) error {
		if set > 0 {
			if err := v.SetMinCount(c.ctx, set); err != nil {
				return err
			}
			fmt.Fprintf(c.stderr, "This vault's statistics now hide counts under %d.\n", set)
		}
		st, err := v.Stats(c.ctx, q, opt)
		if err != nil {
			return err
		}
		if boolean(fs, "json") {
			return c.printJSON(st)
		}
		w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		total := strconv.Itoa(st.Total)
		if st.TotalHidden {
			total = fmt.Sprintf("fewer than %d (hidden)", st.MinCount)
		}
		fmt.Fprintf(w, "cases\t%s\n", total)
		for _, t := range []struct {
			name string
			rows []store.Count
		}{{"status", st.ByStatus}, {"country", st.ByCountry}, {"year", st.ByYear}, {"violation", st.ByViolation}, {"perpetrator", st.ByPerpetrator}} {
			fmt.Fprintf(w, "\nby %s\t\n", t.name)
			if slices.Contains(st.Withheld, t.name) {
				fmt.Fprintf(w, "  (withheld: too few cases to show safely)\t\n")
			}
			for _, r := range t.rows {
				key := r.Key
				if key == "" {
					key = "(none)"
				}
				n := strconv.Itoa(r.N)
				if r.Hidden {
					n = "hidden"
				}
				fmt.Fprintf(w, "  %s\t%s\n", key, n)
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		// What was left out, and why, on stderr: stdout stays the table.
		if st.AllCases {
			fmt.Fprintln(c.stderr, "All selected cases were counted, with or without consent to anonymised statistics: do not publish these counts.")
		} else if st.NotConsented > 0 {
			fmt.Fprintf(c.stderr, "%s not counted: their consent does not include anonymised statistics.\n", count(st.NotConsented, "case was", "cases were"))
		}
		if st.MinCount > 1 {
			fmt.Fprintf(c.stderr, "Counts under %d are hidden, with the next smallest where a hidden count could otherwise be worked out from the total.\n", st.MinCount)
		}
		return nil
	})
}

// cmdRecoveryKey replaces the recovery key. The new key is written out (or
// printed) before the vault changes, so that it is never in force without
// the person having it.
func cmdRecoveryKey(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) == 1 && args[0] == "split" {
		return cmdSplit(c, fs, nil)
	}
	if err := noArgs(args); err != nil {
		return err
	}
	if !boolean(fs, "replace") {
		return usagef("recovery-key needs --replace (the current key is never shown again)")
	}
	out := str(fs, "out")
	if out != "" {
		if _, err := os.Lstat(out); err == nil {
			return errors.New("the --out file already exists; choose a new file for the recovery key, nothing was changed")
		}
	}
	return c.withVault(func(v *store.Vault) error {
		rk, err := crypto.NewRecoveryKey()
		if err != nil {
			return err
		}
		text := crypto.RecoveryKeyText(rk, v.Org().Name)
		if out != "" {
			if err := atomicfile.WriteFile(out, []byte(text), 0o600); err != nil {
				return fmt.Errorf("writing the new recovery key to the --out file: %w; nothing was changed", err)
			}
		} else {
			fmt.Fprint(c.stdout, text)
		}
		if err := v.ReplaceRecoveryKey(c.ctx, rk); err != nil {
			if out != "" {
				os.Remove(out) // never in force: keeping it would mislead
			}
			return fmt.Errorf("%w; the old recovery key still opens the vault", err)
		}
		c.log.Info("recovery key replaced")
		if out == "" {
			fmt.Fprintln(c.stderr, "WARNING: this recovery key is shown once and stored nowhere. Write it down or print it and keep it away from this laptop.")
		}
		fmt.Fprintf(c.stderr, "Recovery key replaced by recovery key %s: the old one no longer opens the vault, but still opens the backups made before. Make a full backup now ('dossierctl export --out FILE'), and destroy the older backups and the old key if it was exposed.\n", rk.ID())
		return nil
	})
}
