package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dossier-hr/dossier/store"
)

func init() {
	register(&command{name: "conflicts", args: "[--json]", help: "list the cases flagged for review, with the conflicting versions merges kept beside them", run: cmdConflicts,
		flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print one JSON array") }})
	register(&command{name: "resolve", args: "ID|REFERENCE --keep mine|theirs|merged [--file FILE]", help: "settle a case flagged for review: a new revision, which the next bundle carries to partners", run: cmdResolve,
		flags: func(fs *flag.FlagSet) {
			fs.String("keep", "", "what the case becomes: `mine` (this vault's version), theirs (the conflicting one), or merged (--file)")
			fs.String("file", "", "with --keep merged: the case as it should read, a JSON object in the format add takes (every field: what it leaves out is cleared)")
		}})
}

// reviewItem is a case flagged for review as 'conflicts --json' prints it.
type reviewItem struct {
	ID        string          `json:"id"`
	Reference string          `json:"reference"`
	Title     string          `json:"title"`
	Mine      *store.Case     `json:"mine"`
	Theirs    []*theirVersion `json:"theirs"`
}

// theirVersion is a conflicting version with what differs from the
// vault's, field by field.
type theirVersion struct {
	*store.Conflict
	Changes []store.Change `json:"changes"`
}

func cmdConflicts(c *cli, fs *flag.FlagSet, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	return c.withVault(func(v *store.Vault) error {
		flagged, err := v.List(c.ctx, store.Query{NeedsReview: true, Sort: store.SortReference})
		if err != nil {
			return err
		}
		items := []*reviewItem{}
		for _, s := range flagged {
			mine, err := v.Get(c.ctx, s.ID)
			if err != nil {
				return err
			}
			cs, err := v.Conflicts(c.ctx, s.ID)
			if err != nil {
				return err
			}
			it := &reviewItem{ID: s.ID, Reference: s.Reference, Title: s.Title, Mine: mine, Theirs: []*theirVersion{}}
			for _, k := range cs {
				ch := store.Diff(mine, k.Case)
				if ch == nil {
					ch = []store.Change{}
				}
				it.Theirs = append(it.Theirs, &theirVersion{Conflict: k, Changes: ch})
			}
			items = append(items, it)
		}
		c.log.WithField("cases", len(items)).Info("cases flagged for review listed")
		if boolean(fs, "json") {
			return c.printJSON(items)
		}
		w := newBuffered(c.stdout)
		for _, it := range items {
			printReview(w, it)
		}
		fmt.Fprintln(c.stderr, count(len(items), "case", "cases")+" flagged for review")
		return w.Flush()
	})
}

func printReview(w io.Writer, it *reviewItem) {
	fmt.Fprintf(w, "%s  %s\n", it.Reference, it.Title)
	fmt.Fprintf(w, "  mine:    revision %d, saved %s by %s\n", it.Mine.Revision, it.Mine.UpdatedAt, orDash(it.Mine.UpdatedBy))
	if len(it.Theirs) == 0 {
		fmt.Fprintln(w, "  no conflicting version: flagged on import (an anonymised share: read its free text), settle it with --keep mine")
	}
	for i, t := range it.Theirs {
		from := t.FromOrg
		if from == "" {
			from = "a backup"
		}
		fmt.Fprintf(w, "  theirs %d: revision %d, saved %s by %s, from %s\n", i+1, t.Case.Revision, t.Case.UpdatedAt, orDash(t.Case.UpdatedBy), from)
		var fields []string
		for _, ch := range t.Changes {
			f := ch.Path
			if ch.List != "" && ch.List != "consent" {
				f = ch.List // a row: the list names it, not its id
			}
			if len(fields) == 0 || fields[len(fields)-1] != f {
				fields = append(fields, f)
			}
		}
		fmt.Fprintf(w, "    differs in: %s\n", orDash(strings.Join(compact(fields), ", ")))
	}
	fmt.Fprintf(w, "  'dossierctl show %s' and 'dossierctl conflicts --json' show both in full; 'dossierctl resolve %s --keep mine|theirs|merged' settles it\n\n", it.Reference, it.Reference)
}

// compact drops repeats, keeping the first of each.
func compact(in []string) []string {
	var out []string
	for _, s := range in {
		dup := false
		for _, o := range out {
			dup = dup || o == s
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

func cmdResolve(c *cli, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("resolve takes one case ID or REFERENCE, and --keep mine, theirs or merged")
	}
	keep, file := str(fs, "keep"), str(fs, "file")
	switch {
	case keep != store.KeepMine && keep != store.KeepTheirs && keep != store.KeepMerged:
		return usagef("resolve needs --keep mine, --keep theirs or --keep merged --file FILE")
	case keep == store.KeepMerged && file == "":
		return usagef("--keep merged needs --file FILE: the case as it should read")
	case keep != store.KeepMerged && file != "":
		return usagef("--file goes with --keep merged only")
	}
	var merged *store.Case
	if keep == store.KeepMerged {
		r, done, err := c.input([]string{file}, 1)
		if err != nil {
			return err
		}
		defer done()
		n := 0
		err = store.DecodeCases(io.LimitReader(r, store.MaxInputRecord+1), func(line int, cs *store.Case) error {
			n++
			merged = cs
			return nil
		})
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("the --file given holds %d cases; a merged version is one case; nothing was changed", n)
		}
	}
	return c.withVault(func(v *store.Vault) error {
		cs, err := v.Resolve(c.ctx, args[0], keep, merged)
		switch {
		case errors.Is(err, store.ErrAmbiguous):
			return withHint(err, "compose the version to keep and pass it with --keep merged --file FILE ('dossierctl conflicts --json' shows every version)")
		case errors.Is(err, store.ErrNothingToResolve):
			return withHint(err, "'dossierctl conflicts' lists the cases that need it")
		case err != nil:
			return err
		}
		c.log.WithField("revision", cs.Revision).Info("case resolved")
		fmt.Fprintf(c.stdout, "%s resolved: revision %d (kept %s); no longer flagged for review. The next bundle you send carries it to partners\n", cs.Reference, cs.Revision, keep)
		return nil
	})
}
