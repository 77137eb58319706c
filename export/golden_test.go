package export

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/store"
)

// Golden bundles of each format version live in testdata/golden/vN and must
// import forever. They are made once, with the version they stand for:
//
//	go test ./export -run TestGolden -update
//
// and never made again for a version that shipped.
var update = flag.Bool("update", false, "write the golden bundles of the current format version")

// goldenDir holds the golden bundles of the version this package writes;
// goldenVersions are all the versions kept, each of which must import.
var (
	goldenDir      = goldenDirOf(BundleVersion)
	goldenVersions = []int{1, 2}
)

func goldenDirOf(version int) string { return fmt.Sprintf("testdata/golden/v%d", version) }

func goldenClock() func() time.Time {
	t := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

// makeGolden writes: Field Network's full backup and recovery key; Legal
// Partner's full backup (with Field Network as a contact) and recovery
// key; a pseudonymised share from Field Network to Legal Partner; the
// dumps expected after restoring and importing them.
func makeGolden(t *testing.T) {
	tmp := t.TempDir()
	mk := func(name, org string) (*store.Vault, *crypto.RecoveryKey) {
		v, rk, err := store.Create(filepath.Join(tmp, name), "golden", store.CreateOptions{OrgName: org, Options: store.Options{Now: goldenClock(), Actor: "golden"}})
		if err != nil {
			t.Fatal(err)
		}
		return v, rk
	}
	a, rka := mk("a", "Field Network")
	b, rkb := mk("b", "Legal Partner")
	defer a.Close()
	defer b.Close()
	ids, err := a.AddCases(ctx, strings.NewReader(cases))
	if err != nil {
		t.Fatal(err)
	}
	a.Edit(ctx, ids[0], []byte(`{"status":"referred"}`))
	a.Attach(ctx, ids[0], bytes.NewReader(testimg.JPEGWithMetadata()), store.AttachOptions{Name: "photo.jpg", ReceivedFrom: "peer"})
	a.Attach(ctx, ids[0], strings.NewReader("a medical certificate"), store.AttachOptions{Name: "certificate.txt"})
	cardA, cardB := befriend(t, b, a), befriend(t, a, b)
	_ = cardA
	write := func(v *store.Vault, name string, opts Options) {
		var buf bytes.Buffer
		if _, err := Write(ctx, v, &buf, opts); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(goldenDir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeFile := func(v *store.Vault, name string, opts Options) {
		if _, err := WriteFile(ctx, v, filepath.Join(goldenDir, name), opts); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(goldenDir, "field-network.dump.json"), dump(t, a), 0o644)
	writeFile(a, "field-network-full.age", Options{})
	write(b, "legal-partner-full.age", Options{})
	write(a, "share-to-legal-partner.age", Options{Kind: KindShare, To: []Card{cardB}, Cases: []string{ids[0]}})
	// Version 2: the case edited and shared again; its receiver moves
	// forward.
	a.Edit(ctx, ids[0], []byte(`{"narrative":"Corrected after the first share."}`))
	write(a, "share-to-legal-partner-2.age", Options{Kind: KindShare, To: []Card{cardB}, Cases: []string{ids[0]}})
	// Changes, then an incremental backup.
	a.Edit(ctx, ids[1], []byte(`{"narrative":"After the full backup."}`))
	a.Attach(ctx, ids[1], strings.NewReader("a later scan"), store.AttachOptions{Name: "scan.txt"})
	a.Delete(ctx, ids[2])
	incDump := dump(t, a)
	writeFile(a, "field-network-incremental.age", Options{Kind: KindIncremental})
	os.WriteFile(filepath.Join(goldenDir, "field-network.incremental.dump.json"), incDump, 0o644)
	for name, rk := range map[string]*crypto.RecoveryKey{"field-network.recovery-key": rka, "legal-partner.recovery-key": rkb} {
		os.WriteFile(filepath.Join(goldenDir, name), []byte(rk.String()+"\n"), 0o644)
	}
}

func TestGolden(t *testing.T) {
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		makeGolden(t)
	}
	for _, version := range goldenVersions {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) { testGolden(t, goldenDirOf(version)) })
	}
}

func testGolden(t *testing.T, goldenDir string) {
	rk := func(name string) *crypto.RecoveryKey {
		k, err := crypto.ReadRecoveryKey(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	// Golden backups were made before recovery bindings: each restores
	// once the person confirms its organisation's fingerprint, and is
	// refused without.
	org := func(bundle, key string) string {
		f, err := os.Open(filepath.Join(goldenDir, bundle))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m, err := Read(ctx, f, rk(key).Identities(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return m.Creator.Fingerprint
	}
	orgA, orgB := org("field-network-full.age", "field-network.recovery-key"), org("legal-partner-full.age", "legal-partner.recovery-key")
	if goldenDir != goldenDirOf(1) && goldenDir != goldenDirOf(2) {
		// Made with bindings: the fingerprint is checked all the same.
	} else if _, err := Restore(ctx, []string{filepath.Join(goldenDir, "field-network-full.age")}, rk("field-network.recovery-key"), filepath.Join(t.TempDir(), "x"), "p", RestoreOptions{}); !errors.Is(err, ErrNoBinding) {
		t.Fatalf("golden full backup without its organisation confirmed: %v", err)
	}
	// The full backup restores to the dump recorded with it.
	dirA := filepath.Join(t.TempDir(), "a")
	if _, err := Restore(ctx, []string{filepath.Join(goldenDir, "field-network-full.age")}, rk("field-network.recovery-key"), dirA, "p", RestoreOptions{Organisation: orgA}); err != nil {
		t.Fatalf("golden full backup: %v", err)
	}
	a, err := store.Open(dirA, "p", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	want, _ := os.ReadFile(filepath.Join(goldenDir, "field-network.dump.json"))
	if got := dump(t, a); !bytes.Equal(got, want) {
		t.Fatalf("golden full backup restores to another dump:\n%s", got)
	}
	// With its incremental, to the dump recorded with that.
	dirInc := filepath.Join(t.TempDir(), "inc")
	if _, err := Restore(ctx, []string{filepath.Join(goldenDir, "field-network-full.age"), filepath.Join(goldenDir, "field-network-incremental.age")},
		rk("field-network.recovery-key"), dirInc, "p", RestoreOptions{Organisation: orgA}); err != nil {
		t.Fatalf("golden incremental: %v", err)
	}
	inc, err := store.Open(dirInc, "p", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer inc.Close()
	want, _ = os.ReadFile(filepath.Join(goldenDir, "field-network.incremental.dump.json"))
	if got := dump(t, inc); !bytes.Equal(got, want) {
		t.Fatalf("golden full + incremental restore to another dump:\n%s", got)
	}
	// The partner's vault, restored, imports the golden share.
	dirB := filepath.Join(t.TempDir(), "b")
	if _, err := Restore(ctx, []string{filepath.Join(goldenDir, "legal-partner-full.age")}, rk("legal-partner.recovery-key"), dirB, "p", RestoreOptions{Organisation: orgB}); err != nil {
		t.Fatalf("golden partner backup: %v", err)
	}
	b, err := store.Open(dirB, "p", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	res, err := Import(ctx, b, filepath.Join(goldenDir, "share-to-legal-partner.age"), ImportOptions{})
	if err != nil {
		t.Fatalf("golden share: %v", err)
	}
	if res.Added != 1 || res.Signer != "Field Network" || res.Evidence != 1 || res.Originals != 0 || res.Stripped != 1 {
		t.Fatalf("golden share imported %+v", res)
	}
	// From version 2: the same case edited and shared again moves forward.
	second := filepath.Join(goldenDir, "share-to-legal-partner-2.age")
	if _, err := os.Stat(second); err != nil {
		return
	}
	if res, err = Import(ctx, b, second, ImportOptions{}); err != nil || res.Updated != 1 || res.Conflicts != 0 {
		t.Fatalf("golden re-share: %+v, %v", res, err)
	}
}

// goldenPlain returns the decrypted tar streams of the golden bundles.
func goldenPlain(tb testing.TB) [][]byte {
	var out [][]byte
	type golden struct{ bundle, key string }
	var all []golden
	for _, v := range goldenVersions {
		for _, g := range []golden{
			{"field-network-full.age", "field-network.recovery-key"},
			{"legal-partner-full.age", "legal-partner.recovery-key"},
			{"field-network-incremental.age", "field-network.recovery-key"},
		} {
			all = append(all, golden{filepath.Join(goldenDirOf(v), g.bundle), filepath.Join(goldenDirOf(v), g.key)})
		}
	}
	for _, g := range all {
		rk, err := crypto.ReadRecoveryKey(g.key)
		if err != nil {
			tb.Fatal(err)
		}
		f, err := os.Open(g.bundle)
		if err != nil {
			tb.Fatal(err)
		}
		r, err := age.Decrypt(f, rk.Identity())
		if err != nil {
			tb.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		f.Close()
		out = append(out, b)
	}
	return out
}

// FuzzReadPlain feeds arbitrary tar streams to the bundle parser: it must
// never panic or accept a stream that was not signed as it is.
func FuzzReadPlain(f *testing.F) {
	for _, b := range goldenPlain(f) {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	var signed []string
	for _, b := range goldenPlain(f) {
		m, err := readPlain(ctx, bytes.NewReader(b), nil)
		if err != nil {
			f.Fatal(err)
		}
		signed = append(signed, string(marshal(m)))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := readPlain(ctx, bytes.NewReader(in), nil)
		if err != nil {
			return
		}
		// Accepted: then its manifest — every entry's name, size and hash
		// — must be one that was signed. Tar's own header fields (times,
		// modes) are not content and may differ.
		for _, s := range signed {
			if string(marshal(m)) == s {
				return
			}
		}
		t.Fatalf("accepted content that was never signed: %+v", m)
	})
}

// FuzzParseCard: contact cards come from outside. The parser never panics,
// and accepts only cards whose fingerprint is that of their keys.
func FuzzParseCard(f *testing.F) {
	id, _ := crypto.NewOrgIdentity()
	good := marshal(SignedCardOf("Partner", id))
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add(bytes.Replace(good, []byte("Partner"), []byte("Partn\u00e9r"), 1))
	f.Add(marshal(CardOf("Partner", id))) // unsigned
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := ParseCard(in)
		if err != nil {
			if !errors.Is(err, ErrBadCard) {
				t.Fatalf("error is not ErrBadCard: %v", err)
			}
			return
		}
		pk, err := c.PublicKey()
		if err != nil || c.Fingerprint != crypto.Fingerprint(pk, c.AgeRecipient, c.AgeRecipientX25519) {
			t.Fatalf("accepted a card whose fingerprint is not its keys': %+v", c)
		}
		sig, err := base64.StdEncoding.DecodeString(c.Signature)
		if err != nil || !ed25519.Verify(pk, c.cardSigned(), sig) {
			t.Fatalf("accepted a card its own key did not sign: %+v", c)
		}
	})
}
