// Command dossierctl is Dossier's headless command-line interface: every
// capability of the desktop app, for scripts, servers and tests. It never
// imports Fyne.
//
// Exit status: 0 ok, 1 error, 2 usage, 3 wrong passphrase or key, 4 bundle
// refused, 5 audit log altered.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

// Exit statuses, a contract with scripts.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitWrongKey = 3
	// exitKeyFile: vault.key was changed outside Dossier (6, after the
	// bundle's 4 and the audit log's 5).
	exitKeyFile = 6
)

// clock replaces the time source in tests; nil means the real clock.
var clock func() time.Time

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// cli holds one invocation: the global flags and where output goes.
type cli struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *logrus.Logger

	vaultDir       string
	passphraseFile string
	recoveryFile   string
	recoveryShares stringList // --recovery-share files, instead of recoveryFile
	logLevel       string
	actor          string
}

type command struct {
	name, args, help string
	run              func(c *cli, fs *flag.FlagSet, args []string) error
	flags            func(fs *flag.FlagSet)
}

var commands []*command

func register(cmd *command) { commands = append(commands, cmd) }

// usageError is a mistake in how the command was called: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// hintError carries what to do about an error whose message fail words
// itself (a bundle refused, a wrong key): fail puts the hint last, after
// what happened.
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() }
func (e hintError) Unwrap() error { return e.err }

func withHint(err error, hint string) error { return hintError{err, hint} }

// run runs one invocation. Everything it prints goes through a
// visibleWriter: no text it shows can act on the terminal.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	vout, verr := newVisibleWriter(stdout), newVisibleWriter(stderr)
	defer verr.Flush()
	defer vout.Flush()
	return runVisible(ctx, args, stdin, vout, verr)
}

func runVisible(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	args, err := expandArgsFrom(args, stdin)
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "dossierctl: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "dossierctl: %s\n", oneLine(c.hidePaths(err.Error(), err)))
		return exitError
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		c.usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	// Global flags may come before the command name as well as after it.
	var name string
	var rest []string
	for i := 0; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-") {
			name, rest = args[i], append(append([]string{}, args[:i]...), args[i+1:]...)
			break
		}
		if !strings.Contains(args[i], "=") && globalTakesValue(args[i]) {
			i++
		}
	}
	var cmd *command
	for _, k := range commands {
		if k.name == name {
			cmd = k
		}
	}
	if cmd == nil {
		// The word is shown only if it looks like a command: a query or a
		// name typed in the wrong place is not repeated.
		if !commandLike(name) {
			fmt.Fprintf(stderr, "dossierctl: unknown command; 'dossierctl help' lists the commands\n")
			return exitUsage
		}
		fmt.Fprintf(stderr, "dossierctl: unknown command %q; 'dossierctl help' lists the commands\n", name)
		return exitUsage
	}
	fs := flag.NewFlagSet("dossierctl "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.globalFlags(fs)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	pos, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage: dossierctl %s %s\n\n%s\n\nflags:\n", cmd.name, cmd.args, cmd.help)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "dossierctl: %s: %v; 'dossierctl %s -h' shows its flags\n", cmd.name, err, cmd.name)
		return exitUsage
	}
	if err := c.setupLog(); err != nil {
		fmt.Fprintf(stderr, "dossierctl: %v\n", err)
		return exitUsage
	}
	if err := cmd.run(c, fs, pos); err != nil {
		return c.fail(cmd.name, err)
	}
	return exitOK
}

var globalValueFlags = []string{"vault", "passphrase-file", "recovery-key", "log-level", "author", "actor"}

func globalTakesValue(arg string) bool {
	name := strings.TrimLeft(arg, "-")
	for _, g := range globalValueFlags {
		if name == g {
			return true
		}
	}
	return false
}

func (c *cli) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.vaultDir, "vault", "", "vault `folder` (default: dossier in the user's data folder)")
	fs.StringVar(&c.passphraseFile, "passphrase-file", "", "read the passphrase from `FILE`, one line (else $DOSSIER_PASSPHRASE, else a prompt)")
	fs.StringVar(&c.recoveryFile, "recovery-key", "", "unlock with the recovery key in `FILE` instead of the passphrase")
	fs.Var(&c.recoveryShares, "recovery-share", "a share of the recovery key in `FILE` (repeat for each share; enough of them stand in for --recovery-key, see 'recovery-key split')")
	fs.StringVar(&c.logLevel, "log-level", "warn", "log `level`: error, warn, info or debug (logs never hold case content)")
	fs.StringVar(&c.actor, "author", "", "`name` recorded as the author of changes, notes and audit entries (default: the vault's author setting, else local)")
	fs.StringVar(&c.actor, "actor", "", "the same as --author (the older name)")
	// Read by expandArgsFrom before the flags are parsed; here for -h.
	fs.String(argsFromFlag, "", "read more arguments from `FILE` (- for standard input), one per line: keeps queries and file names out of the process list")
}

// argsFromFlag reads arguments from a file instead of the command line.
const argsFromFlag = "args-from"

// maxArgsFrom is the largest --args-from file read.
const maxArgsFrom = 1 << 20

// expandArgsFrom replaces --args-from FILE (or --args-from=FILE) with the
// arguments FILE holds, one per line, in its place. The command line of
// a running program is visible to every user of the computer (ps,
// /proc/PID/cmdline, Task Manager), and a search query, an evidence file's
// name or a source's name there can identify a person; from a file (or
// from standard input, "-") they are not. Each line is one argument as it
// is, spaces included, with no quoting; a line end \r\n counts as \n and
// empty lines are skipped. It may be given once, anywhere before "--",
// and not inside the file.
func expandArgsFrom(args []string, stdin io.Reader) ([]string, error) {
	at, val, n := -1, "", 0
	for i := 0; i < len(args) && args[i] != "--"; i++ {
		name, v, hasVal := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || name != argsFromFlag {
			continue
		}
		if at >= 0 {
			return nil, usagef("--%s may be given once", argsFromFlag)
		}
		at, val, n = i, v, 1
		if !hasVal {
			if i+1 >= len(args) {
				return nil, usagef("--%s needs a FILE, or - for standard input", argsFromFlag)
			}
			val, n = args[i+1], 2
			i++
		}
	}
	if at < 0 {
		return args, nil
	}
	r := stdin
	if val != "-" {
		f, err := os.Open(val)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", argsFromFlag, err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxArgsFrom+1))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", argsFromFlag, err)
	}
	if len(b) > maxArgsFrom {
		return nil, usagef("--%s: the file is larger than %d MiB", argsFromFlag, maxArgsFrom>>20)
	}
	var read []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if name, _, _ := strings.Cut(strings.TrimLeft(line, "-"), "="); strings.HasPrefix(line, "-") && name == argsFromFlag {
			return nil, usagef("--%s cannot be given inside the file it reads", argsFromFlag)
		}
		read = append(read, line)
	}
	out := append(append(append([]string{}, args[:at]...), read...), args[at+n:]...)
	return out, nil
}

// parseInterleaved parses flags that may come after positional arguments,
// as in "show ID --json".
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (c *cli) setupLog() error {
	lvl, err := logrus.ParseLevel(c.logLevel)
	if err != nil {
		return usagef("--log-level %q: use error, warn, info or debug", c.logLevel)
	}
	c.log = logrus.New()
	c.log.SetOutput(c.stderr)
	c.log.SetLevel(lvl)
	return nil
}

// helpOrder is the order of the command list in help: the everyday work
// first, then evidence, keys and bundles.
var helpOrder = []string{"init", "add", "list", "search", "show", "history", "edit", "delete", "stats",
	"attach", "evidence", "extract", "custody", "audit", "check", "dump",
	"passwd", "recovery-key", "guard", "key-file", "author", "erase", "export", "verify", "import", "conflicts", "resolve", "restore", "contact", "identity", "x25519-key"}

// ordered returns the commands in helpOrder, then any not listed there.
func ordered() []*command {
	rank := func(name string) int {
		for i, n := range helpOrder {
			if n == name {
				return i
			}
		}
		return len(helpOrder)
	}
	out := append([]*command(nil), commands...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].name) < rank(out[j].name) })
	return out
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, `dossierctl — Dossier's command line: encrypted documentation of human-rights violations.

usage: dossierctl COMMAND [flags] [arguments]

commands:
`)
	for _, k := range ordered() {
		fmt.Fprintf(w, "  %s %s\n      %s\n", k.name, k.args, k.help)
	}
	fmt.Fprint(w, `
global flags (on every command):
  --vault DIR             vault folder (default: dossier in the user's data folder)
  --passphrase-file FILE  the passphrase, one line (else $DOSSIER_PASSPHRASE, else a prompt)
  --recovery-key FILE     unlock with the recovery key instead
  --log-level LEVEL       error, warn (default), info or debug
  --author NAME           recorded as the author of changes, notes and audit entries
                          (default: the vault's author setting, see 'author'; else local)
  --args-from FILE        more arguments from FILE (- for standard input), one per line,
                          so that queries and file names are not in the process list (ps)

exit status: 0 ok, 1 error, 2 usage, 3 wrong passphrase or key, 4 bundle refused, 5 audit log altered,
6 key file (vault.key) changed outside Dossier.
'dossierctl COMMAND -h' shows a command's flags. Docs: README.md and docs/.
`)
}

// fail prints err as one line that says what happened and what to do, and
// returns the exit status for it.
func (c *cli) fail(cmd string, err error) int {
	dir := c.vaultDir
	var fe *store.FieldError
	var ue usageError
	code, msg := exitError, err.Error()
	switch {
	case errors.As(err, &ue):
		code = exitUsage
		msg += fmt.Sprintf("; 'dossierctl %s -h' shows how to call it", cmd)
	case errors.Is(err, crypto.ErrPassphraseWiped):
		code = exitWrongKey
		msg = fmt.Sprintf("the passphrase no longer opens the vault in %s: after too many wrong attempts in a row its copy of the key was destroyed, as the vault's guard was set to do. Unlock with --recovery-key FILE and set a new passphrase with 'dossierctl passwd'", dir)
	case errors.Is(err, crypto.ErrWrongPassphrase):
		code = exitWrongKey
		// What the attempt left, as store counted it (the app says the
		// same, from the same store.GuardAfter).
		g, counted := store.GuardAfter(err)
		switch {
		case !counted:
			msg = fmt.Sprintf("wrong passphrase for the vault in %s; nothing was changed. Check it and try again, or unlock with --recovery-key FILE", dir)
		case g.WipeAfter > 0:
			msg = fmt.Sprintf("wrong passphrase for the vault in %s. The attempt was counted: %d more wrong in a row will destroy the passphrase's copy of the key, and only the recovery key will open the vault. Check the passphrase and the keyboard layout", dir, g.Left())
		default:
			msg = fmt.Sprintf("wrong passphrase for the vault in %s. The attempt was recorded: %s since the last unlock, which the audit log will show. Check it and try again, or unlock with --recovery-key FILE", dir, count(g.Failed, "wrong attempt", "wrong attempts"))
		}
	case errors.Is(err, crypto.ErrWrongRecoveryKey):
		code = exitWrongKey
		msg = fmt.Sprintf("this recovery key does not open the vault in %s; nothing was changed. Check you have the key of this vault", dir)
	case errors.Is(err, crypto.ErrBadRecoveryKey):
		code = exitWrongKey
		msg = "the recovery key file does not hold a Dossier recovery key (a line starting AGE-SECRET-KEY-PQ-1)"
	case errors.Is(err, store.ErrRestoreIncomplete):
		msg = fmt.Sprintf("a restore into %s was interrupted before it finished, so there is no vault there yet. Run 'dossierctl restore' again with --vault %s and the same backups: it starts over", dir, dir)
	case errors.Is(err, store.ErrKeyFileAltered):
		code = exitKeyFile
		msg = fmt.Sprintf("the key file %s was changed outside Dossier (perhaps to send future backups to someone else's key), so the vault was not opened and nothing was changed. Put back vault.key from a copy you trust, or run 'dossierctl key-file repair --vault %s' to rewrite it from the vault's own settings; then find out who could write to that folder", filepath.Join(dir, store.KeyFileName), dir)
	case errors.Is(err, store.ErrUnknownSchema):
		msg = fmt.Sprintf("the vault folder %s holds database objects Dossier did not make, so it was not opened and nothing in it ran. Someone may have planted or changed it: keep it as it is for investigation, restore your data from a backup into a new folder with 'dossierctl restore', and report it", dir)
	case errors.Is(err, store.ErrNoVault) && cmd == "erase":
		msg = fmt.Sprintf("no vault in %s; nothing was erased. Pass --vault DIR if it is elsewhere", dir)
	case errors.Is(err, store.ErrNotVaultFolder):
		msg = fmt.Sprintf("%s is not a vault folder (it holds no vault.key and no vault.db), so nothing in it was touched. Pass the vault's folder with --vault DIR", dir)
	case errors.Is(err, store.ErrNoVault):
		msg = fmt.Sprintf("no vault in %s; create one with 'dossierctl init', or pass --vault DIR", dir)
	case errors.Is(err, store.ErrVaultExists):
		msg = fmt.Sprintf("a vault already exists in %s; nothing was changed. Choose another --vault folder", dir)
	case errors.As(err, &fe):
		msg = "invalid input: " + fe.Error()
		if cmd == "add" {
			msg += "; nothing was added"
		} else if cmd == "edit" || cmd == "resolve" {
			msg += "; nothing was changed"
		}
	case errors.Is(err, store.ErrNotFound):
		msg += "; 'dossierctl list' shows the cases and their ids"
	case errors.Is(err, export.ErrVerify):
		code = exitBundle
		msg = "bundle refused: " + msg
		if errors.Is(err, export.ErrUnknownSigner) {
			msg += "; add its card with 'dossierctl contact add' after checking the fingerprint with them, or pass --accept-unknown-signer"
		}
		if cmd == "restore" && (errors.Is(err, export.ErrNotBound) || errors.Is(err, export.ErrNoBinding)) {
			msg += ". Nothing was restored"
		} else {
			msg += "; nothing was changed"
		}
		if errors.Is(err, export.ErrNoBinding) {
			msg += ". Check that fingerprint with your organisation (it is on its contact card; partners who have the card can read it to you), then pass --organisation FINGERPRINT"
		}
	case errors.Is(err, export.ErrConsent):
		msg = "share refused: " + msg
	case errors.Is(err, store.ErrContactExists):
		msg += "; 'dossierctl contact list' shows your contacts"
	case errors.Is(err, store.ErrAuditBroken):
		code = exitAudit
		msg += "; the log (or the vault) was changed outside Dossier. Keep this vault as it is for investigation and compare with your latest backup"
	case errors.Is(err, store.ErrEvidenceCorrupt):
		msg += "; nothing was written. The vault's copy is damaged: restore the evidence from a backup"
	case errors.Is(err, store.ErrNoEvidence):
		msg += "; 'dossierctl evidence list CASE' shows a case's evidence ids"
	case errors.Is(err, store.ErrDiskFull) || errors.Is(err, syscall.ENOSPC):
		msg = "the disk is full: what was being written was not saved, and the vault is as it was before this command. Free some space and try again"
	case errors.Is(err, context.Canceled):
		msg = "interrupted; nothing was changed"
	case heldByAnotherProgram(err):
		msg = strings.TrimSuffix(msg, ".") + ". Windows refused: another program may have the file open (an antivirus scanner, a backup or sync tool, a viewer). Nothing was changed; close that program or wait a moment, then try again"
	}
	var he hintError
	if errors.As(err, &he) {
		msg += ". " + he.hint
	}
	fmt.Fprintln(c.stderr, "dossierctl: "+oneLine(c.hidePaths(msg, err)))
	return code
}

// hidePaths replaces in msg the paths that file errors in err's chain
// carry (open, stat, rename…) with "the file given": the name of an
// evidence file, an input or an output can say whose it is or what it
// holds, and errors end up in terminals' scrollback and scripts' logs.
// Paths in the vault's folder are kept: they name Dossier's own files.
func (c *cli) hidePaths(msg string, err error) string {
	vault, _ := c.dir()
	for e := err; e != nil; e = errors.Unwrap(e) {
		var paths []string
		switch pe := e.(type) {
		case *fs.PathError:
			paths = []string{pe.Path}
		case *os.LinkError:
			// "rename OLD NEW" says "rename the file given", once.
			if pe.Old != "" && pe.New != "" && !inVault(vault, pe.Old) && !inVault(vault, pe.New) {
				msg = strings.ReplaceAll(msg, pe.Old+" "+pe.New, pe.New)
			}
			paths = []string{pe.Old, pe.New}
		}
		for _, p := range paths {
			if p == "" || inVault(vault, p) {
				continue
			}
			msg = strings.ReplaceAll(msg, p, "the file given")
		}
	}
	return msg
}

// inVault reports whether p is the vault folder or in it.
func inVault(vault, p string) bool {
	return vault != "" && (p == vault || strings.HasPrefix(p, vault+string(filepath.Separator)))
}

// commandLike reports whether s could be the name of a command: a short
// word of lower-case ASCII letters and hyphens.
func commandLike(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
