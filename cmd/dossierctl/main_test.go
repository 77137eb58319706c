package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/store"
	"github.com/dossier-hr/dossier/store/chunks"
)

func TestMain(m *testing.M) {
	// The crash tests run the test binary itself as dossierctl, so that
	// they can kill it mid-write.
	if os.Getenv("DOSSIERCTL_TEST_MAIN") == "1" {
		testhooks.ScryptWorkFactor = 10
		if os.Getenv(hangExtractEnv) == "1" {
			// TestKillDuringExtract: say that evidence bytes are in the
			// temporary file, then wait for the kill.
			testhooks.ExtractWrote = func() {
				fmt.Fprintln(os.Stderr, hangExtractSaid)
				time.Sleep(time.Hour)
			}
		}
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"dossierctl": func() {
			// A low KDF cost keeps the scripts fast; the cost is stored in
			// the key file, so unlock works the same way. A fixed clock
			// keeps references (ORG-2026-0001) stable across years.
			testhooks.ScryptWorkFactor = 10
			clock = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_DATA_HOME", env.WorkDir+"/data")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// status N PROG ARGS...: run PROG and require exit status N.
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 || neg {
					ts.Fatalf("usage: status N PROG [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("status: %v", err)
				}
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("status: %v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
				}
			},
			// capture VAR REGEXP: set VAR to the first group of REGEXP in the
			// last command's standard output.
			"capture": func(ts *testscript.TestScript, neg bool, args []string) {
				m := regexp.MustCompile(args[1]).FindStringSubmatch(ts.ReadFile("stdout"))
				if m == nil {
					ts.Fatalf("capture: no match for %s", args[1])
				}
				ts.Setenv(args[0], m[1])
			},
			// mkjpeg FILE: write a JPEG with EXIF GPS, XMP, IPTC and a comment.
			"mkjpeg": func(ts *testscript.TestScript, neg bool, args []string) {
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), testimg.JPEGWithMetadata(), 0o600))
			},
			// mkfile FILE SIZE: write SIZE bytes that do not compress
			// (a deterministic pseudo-random sequence), as a video would.
			"mkfile": func(ts *testscript.TestScript, neg bool, args []string) {
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				b := make([]byte, n)
				x := uint32(2463534242)
				for i := range b {
					x ^= x << 13
					x ^= x >> 17
					x ^= x << 5
					b[i] = byte(x)
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o600))
			},
			// mkdamaged NAME FILE: write the damaged or hostile image NAME
			// of testimg.Damaged.
			"mkdamaged": func(ts *testscript.TestScript, neg bool, args []string) {
				b, ok := testimg.Damaged()[args[0]]
				if !ok {
					ts.Fatalf("mkdamaged: no image %q", args[0])
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o600))
			},
			// nometa FILE: fail if FILE holds any of the metadata markers.
			"nometa": func(ts *testscript.TestScript, neg bool, args []string) {
				b, err := os.ReadFile(ts.MkAbs(args[0]))
				ts.Check(err)
				for _, m := range testimg.MetadataMarkers {
					if strings.Contains(string(b), m) != neg {
						ts.Fatalf("%s: marker %q present: %v", args[0], m, !neg)
					}
				}
			},
			// sql VAULT PASSPHRASE STATEMENT: change the database behind the
			// program's back, as an attacker with the key could.
			"sql": func(ts *testscript.TestScript, neg bool, args []string) {
				ts.Check(rawExec(ts.MkAbs(args[0]), args[1], args[2]))
			},
			// flipbyte FILE OFFSET: flip the lowest bit of one byte; a
			// negative offset counts from the end.
			"flipbyte": func(ts *testscript.TestScript, neg bool, args []string) {
				p := ts.MkAbs(args[0])
				b, err := os.ReadFile(p)
				ts.Check(err)
				off, err := strconv.Atoi(args[1])
				ts.Check(err)
				if off < 0 {
					off += len(b)
				}
				b[off] ^= 1
				ts.Check(os.WriteFile(p, b, 0o600))
			},
			// storedfile VAULT PASSPHRASE EVIDENCE-ID VAR: set VAR to the
			// path of the evidence record's encrypted file in the vault's
			// evidence folder, for damaging it.
			"storedfile": func(ts *testscript.TestScript, neg bool, args []string) {
				v, err := store.Open(ts.MkAbs(args[0]), args[1], store.Options{})
				ts.Check(err)
				defer v.Close()
				p, err := testhooks.EvidenceFile(v, args[2])
				ts.Check(err)
				ts.Setenv(args[3], p)
			},
			// orphan VAULT: store a file in the vault's evidence folder
			// that no record names, as an attach killed before it
			// committed leaves.
			"orphan": func(ts *testscript.TestScript, neg bool, args []string) {
				s, err := chunks.Open(filepath.Join(ts.MkAbs(args[0]), store.EvidenceDir))
				ts.Check(err)
				_, err = s.Put(strings.NewReader("bytes of an attach that never committed"))
				ts.Check(err)
			},
			// truncate FILE N: keep the first N bytes.
			"truncate": func(ts *testscript.TestScript, neg bool, args []string) {
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				ts.Check(os.Truncate(ts.MkAbs(args[0]), int64(n)))
			},
			// perm FILE MODE: require FILE's permission bits to be MODE
			// (octal, as 0600).
			"perm": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: perm FILE MODE")
				}
				want, err := strconv.ParseUint(args[1], 8, 32)
				ts.Check(err)
				fi, err := os.Stat(ts.MkAbs(args[0]))
				ts.Check(err)
				if got := fi.Mode().Perm(); (uint64(got) == want) == neg {
					ts.Fatalf("%s has mode %#o, want %#o", args[0], got, want)
				}
			},
			// keyfield FILE NAME JSON|-: set a field of a key file (JSON)
			// to the raw JSON value, or remove it with -, as someone who
			// can write the file but holds no key could.
			"keyfield": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: keyfield FILE NAME JSON|-")
				}
				editJSON(ts, args[0], func(m map[string]json.RawMessage) {
					if args[2] == "-" {
						delete(m, args[1])
					} else {
						m[args[1]] = json.RawMessage(args[2])
					}
				})
			},
			// keycopy FROM TO NAME...: copy fields of one key file into
			// another.
			"keycopy": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 3 {
					ts.Fatalf("usage: keycopy FROM TO NAME...")
				}
				var from map[string]json.RawMessage
				ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &from))
				editJSON(ts, args[1], func(m map[string]json.RawMessage) {
					for _, k := range args[2:] {
						if _, ok := from[k]; !ok {
							ts.Fatalf("keycopy: %s has no %s", args[0], k)
						}
						m[k] = from[k]
					}
				})
			},
			// reencrypt IN KEYFILE TOKEYFILE OUT: decrypt the bundle IN with
			// the recovery key in KEYFILE and encrypt it to the recipient
			// (the public half only) of the recovery key in TOKEYFILE, as
			// stock age does (age -d -i KEYFILE | age -r RECIPIENT): what a
			// forger who knows only a vault's recovery recipient can do.
			"reencrypt": func(ts *testscript.TestScript, neg bool, args []string) {
				from, err := crypto.ReadRecoveryKey(ts.MkAbs(args[1]))
				ts.Check(err)
				to, err := crypto.ReadRecoveryKey(ts.MkAbs(args[2]))
				ts.Check(err)
				in, err := os.Open(ts.MkAbs(args[0]))
				ts.Check(err)
				defer in.Close()
				r, err := age.Decrypt(in, from.Identity())
				ts.Check(err)
				recipient, err := age.ParseHybridRecipient(to.RecipientString())
				ts.Check(err)
				var out bytes.Buffer
				w, err := age.Encrypt(&out, recipient)
				ts.Check(err)
				_, err = io.Copy(w, r)
				ts.Check(err)
				ts.Check(w.Close())
				ts.Check(os.WriteFile(ts.MkAbs(args[3]), out.Bytes(), 0o600))
			},
			// filehash FILE...: print sha256 of files, to compare states.
			"filehash": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, a := range args {
					b, err := os.ReadFile(ts.MkAbs(a))
					ts.Check(err)
					fmt.Fprintf(ts.Stdout(), "%s %x\n", a, sha256sum(b))
				}
			},
		},
	})
}

func editJSON(ts *testscript.TestScript, file string, change func(m map[string]json.RawMessage)) {
	var m map[string]json.RawMessage
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(file)), &m))
	change(m)
	b, err := json.Marshal(m)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(file), b, 0o600))
}

// help lists every command, each placed in helpOrder (a new command must
// be given its place), in that order.
func TestHelpListsEveryCommand(t *testing.T) {
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"help"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("help exit %d", code)
	}
	last := -1
	for _, name := range helpOrder {
		i := strings.Index(out.String(), "\n  "+name+" ")
		if i < 0 {
			t.Errorf("help lacks %q", name)
		}
		if i < last {
			t.Errorf("%q is out of order in help", name)
		}
		last = i
	}
	for _, k := range commands {
		if !slices.Contains(helpOrder, k.name) {
			t.Errorf("command %q has no place in helpOrder", k.name)
		}
	}
}
