package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/dossier-hr/dossier/store"
)

// exitAudit is the exit status of audit verify when the chain is broken.
const exitAudit = 5

func init() {
	register(&command{name: "attach", args: "CASE FILE... [--received-from TEXT] [--method TEXT]", help: "store files as evidence of a case", run: cmdAttach,
		flags: func(fs *flag.FlagSet) {
			fs.String("received-from", "", "whom the files were received from")
			fs.String("method", "", "how: in person, messenger, email, device…")
		}})
	register(&command{name: "evidence", args: "list CASE [--json]", help: "list a case's evidence", run: cmdEvidence,
		flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print one JSON array") }})
	register(&command{name: "extract", args: "EVIDENCE --out FILE [--stripped] [--force]", help: "write an evidence file out, verifying its hash", run: cmdExtract,
		flags: func(fs *flag.FlagSet) {
			fs.String("out", "", "write to `FILE` (must not exist, unless --force)")
			fs.Bool("force", false, "replace FILE if it exists")
			fs.Bool("stripped", false, "write the copy with metadata removed (JPEG and PNG)")
			fs.String("purpose", "", "why, recorded in the chain of custody")
		}})
	register(&command{name: "custody", args: "EVIDENCE [--json]", help: "show an evidence item's chain of custody", run: cmdCustody,
		flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print one JSON array") }})
	register(&command{name: "audit", args: "list|verify [--json]", help: "show or verify the audit log (verify exits 5 if altered)", run: cmdAudit,
		flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") }})
	register(&command{name: "delete", args: "CASE", help: "delete a case and its evidence (leaves a tombstone in the audit log)", run: cmdDelete})
}

func cmdAttach(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) < 2 {
		return usagef("attach takes a CASE and at least one FILE")
	}
	// Errors say which FILE by its place, never its name: the name of an
	// evidence file can say whose it is or what it shows.
	for i, p := range args[1:] {
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("FILE %d: %w", i+1, err)
		}
		if !st.Mode().IsRegular() {
			return usagef("FILE %d is not a regular file", i+1)
		}
	}
	return c.withVault(func(v *store.Vault) error {
		w := newBuffered(c.stdout)
		defer w.Flush()
		for i, p := range args[1:] {
			f, err := os.Open(p)
			if err != nil {
				return fmt.Errorf("FILE %d: %w", i+1, err)
			}
			e, err := v.Attach(c.ctx, args[0], f, store.AttachOptions{Name: filepath.Base(p), ReceivedFrom: str(fs, "received-from"), Method: str(fs, "method")})
			f.Close()
			if err != nil {
				if i > 0 {
					return fmt.Errorf("%w (the %s before it %s attached)", err, count(i, "file", "files"), pick(i, "was", "were"))
				}
				return err
			}
			c.log.WithField("bytes", e.Size).Info("evidence attached")
			fmt.Fprintf(w, "%s %s\n", e.ID, e.SHA256)
			w.Flush()
			if e.StripFailed != nil {
				c.log.WithField("reason", e.StripFailed.Msg).Warn("no stripped copy could be made")
				fmt.Fprintf(c.stderr, "FILE %d: the stripped copy could not be made (%s); the original is kept.\n", i+1, e.StripFailed.Msg)
			}
		}
		return nil
	})
}

func cmdEvidence(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 2 || args[0] != "list" {
		return usagef("use: evidence list CASE")
	}
	return c.withVault(func(v *store.Vault) error {
		items, err := v.EvidenceOf(c.ctx, args[1])
		if err != nil {
			return err
		}
		if boolean(fs, "json") {
			if items == nil {
				items = []*store.Evidence{}
			}
			return c.printJSON(items)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tTYPE\tSIZE\tSHA-256\tNAME")
		for _, e := range items {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.Kind, e.MediaType, e.Size, e.SHA256, e.Name)
		}
		return tw.Flush()
	})
}

func cmdExtract(c *cli, fs *flag.FlagSet, args []string) error {
	out := str(fs, "out")
	if len(args) != 1 || out == "" {
		return usagef("use: extract EVIDENCE --out FILE")
	}
	force := boolean(fs, "force")
	if _, err := os.Lstat(out); err == nil && !force {
		// Before asking for the passphrase, which cannot help.
		return errors.New("the --out file already exists; choose a new file (or --force to replace it), nothing was written")
	}
	return c.withVault(func(v *store.Vault) error {
		e, err := v.ExtractTo(c.ctx, args[0], boolean(fs, "stripped"), out, str(fs, "purpose"), force)
		if errors.Is(err, store.ErrFileExists) {
			return errors.New("the --out file already exists; choose a new file (or --force to replace it), nothing was written")
		}
		if err != nil {
			return err
		}
		c.log.WithField("bytes", e.Size).Info("evidence extracted")
		fmt.Fprintf(c.stdout, "%s %s\n", e.ID, e.SHA256)
		fmt.Fprintf(c.stderr, "Wrote the --out file (%s, SHA-256 verified). It is not encrypted: delete it when done.\n", count(int(e.Size), "byte", "bytes"))
		return nil
	})
}

func cmdCustody(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("custody takes one EVIDENCE id")
	}
	return c.withVault(func(v *store.Vault) error {
		e, err := v.GetEvidence(c.ctx, args[0])
		if err != nil {
			return err
		}
		if boolean(fs, "json") {
			return c.printJSON(e.Custody)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "WHEN\tACTION\tBY\tFROM\tMETHOD\tNOTE")
		for _, k := range e.Custody {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.At, k.Action, k.Actor, orDash(k.From), orDash(k.Method), k.Note)
		}
		return tw.Flush()
	})
}

func cmdAudit(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 || (args[0] != "list" && args[0] != "verify") {
		return usagef("use: audit list, or audit verify")
	}
	return c.withVault(func(v *store.Vault) error {
		if args[0] == "verify" {
			n, head, err := v.VerifyAudit(c.ctx)
			if boolean(fs, "json") {
				res := map[string]any{"ok": err == nil, "entries": n, "head": head}
				var ae *store.AuditError
				if errors.As(err, &ae) {
					res["first_broken"] = ae.Seq
					res["reason"] = ae.Reason
				}
				if perr := c.printJSON(res); perr != nil {
					return perr
				}
			}
			if err != nil {
				return err
			}
			if !boolean(fs, "json") {
				fmt.Fprintf(c.stdout, "ok: %s, chain intact, head %s\n", count(int(n), "entry", "entries"), head)
			}
			return nil
		}
		log, err := v.AuditLog(c.ctx)
		if err != nil {
			return err
		}
		if boolean(fs, "json") {
			return c.printJSON(log)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tWHEN\tACTOR\tACTION\tRECORD\tDETAIL")
		for _, e := range log {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At, e.Actor, e.Action, orDash(e.Record), e.Detail)
		}
		return tw.Flush()
	})
}

func cmdDelete(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("delete takes one CASE id or reference")
	}
	return c.withVault(func(v *store.Vault) error {
		if err := v.Delete(c.ctx, args[0]); err != nil {
			return err
		}
		c.log.Info("case deleted")
		fmt.Fprintln(c.stderr, "Deleted, with its evidence. The audit log keeps a tombstone (id and reference only).")
		return nil
	})
}
