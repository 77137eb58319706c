package export

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/store"
)

func init() { testhooks.ScryptWorkFactor = 10 }

var ctx = context.Background()

const cases = `{"title":"Задержание у аптеки","narrative":"Полиция изъяла шприцы.","incident_date":"2025-02-14","country":"RU","violations":[{"type":"arbitrary_arrest","perpetrator":"police"}],"people":[{"role":"victim","pseudonym":"Пётр","legal_name":"Пётр Иванов"}],"consent":{"obtained":true,"scope":["legal_partners"]}}
{"title":"Penolakan layanan metadon","incident_date":"2025-06","country":"ID","violations":[{"type":"denial_of_oat","perpetrator":"health_worker"}]}
{"title":"Extorsión en retén","incident_date":"2024","country":"BO","status":"closed"}
`

// fullVault makes a vault with cases, an edit, evidence (with a stripped
// copy and an empty file) and an audit log.
func fullVault(t *testing.T) (*store.Vault, *crypto.RecoveryKey, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "orig")
	v, rk, err := store.Create(dir, "original passphrase", store.CreateOptions{OrgName: "Origin Network"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	ids, err := v.AddCases(ctx, strings.NewReader(cases))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Edit(ctx, ids[0], []byte(`{"status":"referred"}`)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"photo.jpg", testimg.JPEGWithMetadata()}, {"empty.txt", nil}, {"note.txt", []byte("a medical note")}} {
		if _, err := v.Attach(ctx, ids[0], bytes.NewReader(f.data), store.AttachOptions{Name: f.name, ReceivedFrom: "peer"}); err != nil {
			t.Fatal(err)
		}
	}
	return v, rk, dir
}

func dump(t *testing.T, v *store.Vault) []byte {
	var b bytes.Buffer
	if err := v.Dump(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFullBackupRestoreSameDump(t *testing.T) {
	v, rk, _ := fullVault(t)
	before := dump(t, v)
	path := filepath.Join(t.TempDir(), "backup.age")
	m, err := WriteFile(ctx, v, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Cases != 3 || m.Evidence != 4 || m.Audit == 0 {
		t.Fatalf("manifest counts %+v", m)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, []string{path}, rk, dir, "new passphrase", RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := store.Open(dir, "new passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if after := dump(t, r); !bytes.Equal(before, after) {
		t.Fatalf("restored dump differs:\n%s\n---\n%s", before, after)
	}
	if _, _, err := r.VerifyAudit(ctx); err != nil {
		t.Fatalf("restored audit log: %v", err)
	}
	if r.Org() != v.Org() {
		t.Fatalf("organisation %v, want %v", r.Org(), v.Org())
	}
	r.Close()
	// The same recovery key opens the restored vault.
	r2, err := store.OpenWithRecoveryKey(dir, rk, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r2.Close()
	// The original recorded the export.
	log, _ := v.AuditLog(ctx)
	if log[len(log)-1].Action != store.AuditExport {
		t.Fatal("export not in the audit log")
	}
}

// Every single flipped byte and every truncation is refused, and restore
// leaves nothing behind.
func TestTamperedBundlesRefused(t *testing.T) {
	v, rk, _ := fullVault(t)
	path := filepath.Join(t.TempDir(), "backup.age")
	if _, err := WriteFile(ctx, v, path, Options{}); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	id, _ := v.Identity()
	check := func(name string, data []byte) {
		t.Helper()
		_, err := Read(ctx, bytes.NewReader(data), []age.Identity{id.Age}, nil)
		if !errors.Is(err, ErrVerify) {
			t.Fatalf("%s: got %v, want a verification error", name, err)
		}
	}
	step := len(good)/400 + 1
	for i := 0; i < len(good); i += step {
		bad := bytes.Clone(good)
		bad[i] ^= 0x01
		check("flip", bad)
	}
	for _, n := range []int{0, 10, len(good) / 3, len(good) - 17, len(good) - 1} {
		check("truncate", good[:n])
	}
	check("appended", append(bytes.Clone(good), 0))
	// A restore of a damaged bundle leaves no folder.
	bad := bytes.Clone(good)
	bad[len(bad)-20] ^= 0x80
	os.WriteFile(path+".bad", bad, 0o600)
	dir := filepath.Join(t.TempDir(), "r")
	if _, err := Restore(ctx, []string{path + ".bad"}, rk, dir, "p", RestoreOptions{}); !errors.Is(err, ErrVerify) {
		t.Fatalf("restore of a damaged bundle: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("a failed restore left its folder behind")
	}
}

// A bundle not addressed to the key tried is refused as such.
func TestNotAddressed(t *testing.T) {
	v, _, _ := fullVault(t)
	var b bytes.Buffer
	if _, err := Write(ctx, v, &b, Options{}); err != nil {
		t.Fatal(err)
	}
	other, _ := age.GenerateHybridIdentity()
	_, err := Read(ctx, bytes.NewReader(b.Bytes()), []age.Identity{other}, nil)
	if !errors.Is(err, ErrNotAddressed) || !errors.Is(err, ErrVerify) {
		t.Fatalf("got %v", err)
	}
}

// reencrypt decrypts a bundle, lets edit change its tar stream, and
// encrypts the result to the same recovery recipient: what someone who can
// read a bundle, but lacks its creator's signing key, could do.
func reencrypt(t *testing.T, data []byte, id age.Identity, to age.Recipient, edit func(entries []tarEntry) []tarEntry) []byte {
	t.Helper()
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(r)
	var entries []tarEntry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		entries = append(entries, tarEntry{h.Name, b})
	}
	return sealEntries(to, edit(entries))
}

// sealEntries writes entries as a tar stream encrypted to to, as the
// writer lays a bundle out (but with whatever entries it is given).
func sealEntries(to age.Recipient, entries []tarEntry) []byte {
	var out bytes.Buffer
	w, _ := age.Encrypt(&out, to)
	tw := tar.NewWriter(w)
	for _, e := range entries {
		tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o600, Size: int64(len(e.data)), Typeflag: tar.TypeReg})
		tw.Write(e.data)
	}
	tw.Close()
	w.Close()
	return out.Bytes()
}

type tarEntry struct {
	name string
	data []byte
}

func TestForgedBundlesRefused(t *testing.T) {
	v, rk, _ := fullVault(t)
	var b bytes.Buffer
	if _, err := Write(ctx, v, &b, Options{}); err != nil {
		t.Fatal(err)
	}
	to := rk.Recipient()
	restore := func(data []byte) error {
		p := filepath.Join(t.TempDir(), "b.age")
		os.WriteFile(p, data, 0o600)
		_, err := Restore(ctx, []string{p}, rk, filepath.Join(t.TempDir(), "r"), "p", RestoreOptions{})
		return err
	}
	// Unchanged but re-encrypted: still the creator's signed content.
	same := reencrypt(t, b.Bytes(), rk.Identity(), to, func(e []tarEntry) []tarEntry { return e })
	if err := restore(same); err != nil {
		t.Fatalf("a faithfully re-encrypted bundle: %v", err)
	}
	// A case altered.
	altered := reencrypt(t, b.Bytes(), rk.Identity(), to, func(e []tarEntry) []tarEntry {
		for i := range e {
			if strings.HasPrefix(e[i].name, "cases/") {
				e[i].data = bytes.Replace(e[i].data, []byte("аптеки"), []byte("АПТЕКИ"), 1)
			}
		}
		return e
	})
	if err := restore(altered); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("altered case: %v", err)
	}
	// Re-signed by another key, with a manifest made to match.
	forger, _ := crypto.NewOrgIdentity()
	resigned := reencrypt(t, b.Bytes(), rk.Identity(), to, func(e []tarEntry) []tarEntry {
		var m Manifest
		var hdr Header
		for i := range e {
			switch e[i].name {
			case entryHeader:
				json.Unmarshal(e[i].data, &hdr)
				hdr.Creator = CardOf("Forger", forger)
				e[i].data = marshal(hdr)
			case entryManifest:
				json.Unmarshal(e[i].data, &m)
			}
		}
		m.Creator = hdr.Creator
		sum := sha256.Sum256(e[0].data)
		m.Entries[0] = ManifestEntry{Name: entryHeader, Size: int64(len(e[0].data)), SHA256: hex.EncodeToString(sum[:])}
		mb := marshal(m)
		for i := range e {
			switch e[i].name {
			case entryManifest:
				e[i].data = mb
			case entrySig:
				e[i].data = ed25519.Sign(forger.Sign, mb)
			}
		}
		return e
	})
	if err := restore(resigned); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("re-signed by another organisation: %v", err)
	}
	// Signature removed.
	unsigned := reencrypt(t, b.Bytes(), rk.Identity(), to, func(e []tarEntry) []tarEntry { return e[:len(e)-1] })
	if err := restore(unsigned); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("unsigned: %v", err)
	}
	// Path traversal, links and absolute names are refused.
	for _, name := range []string{"../../etc/passwd", "/abs/path", `C:\windows\x`, "cases/../../x.json", "evidence/x.bin"} {
		evil := reencrypt(t, b.Bytes(), rk.Identity(), to, func(e []tarEntry) []tarEntry {
			return append(e[:1], append([]tarEntry{{name, []byte("{}")}}, e[1:]...)...)
		})
		if err := restore(evil); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("entry %q: %v", name, err)
		}
	}
}

// partner makes a second organisation's vault that knows the first.
func partner(t *testing.T, name string) *store.Vault {
	t.Helper()
	v, _, err := store.Create(filepath.Join(t.TempDir(), "p"), "partner passphrase", store.CreateOptions{OrgName: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func befriend(t *testing.T, a, b *store.Vault) Card {
	t.Helper()
	card, err := OwnCard(b)
	if err != nil {
		t.Fatal(err)
	}
	c, err := card.Contact()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AddContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	return card
}

func TestShareImportMerge(t *testing.T) {
	src, _, _ := fullVault(t)
	dst := partner(t, "Legal Partner")
	toDst := befriend(t, src, dst)
	befriend(t, dst, src)
	ref := "ON-2026-0001"
	if c, _ := src.Get(ctx, "ON-2026-0001"); c == nil {
		refs, _ := src.List(ctx, store.Query{Sort: store.SortReference})
		ref = refs[0].Reference
	}
	share := func(opts Options) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), "share.age")
		opts.Kind, opts.To = KindShare, []Card{toDst}
		if _, err := WriteFile(ctx, src, p, opts); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Consent: the second case has none, so sharing it is refused.
	all, _ := src.List(ctx, store.Query{Sort: store.SortReference})
	if _, err := WriteFile(ctx, src, filepath.Join(t.TempDir(), "x.age"), Options{Kind: KindShare, To: []Card{toDst}, Cases: []string{all[0].ID, all[1].ID}}); !errors.Is(err, ErrConsent) || !strings.Contains(err.Error(), all[1].Reference) {
		t.Fatalf("share without consent: %v", err)
	}

	p := share(Options{Cases: []string{ref}, Redact: RedactPseudonymise})
	res, err := Import(ctx, dst, p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Signer != "Origin Network" || res.Evidence != 1 {
		t.Fatalf("first import %+v", res)
	}
	got, err := dst.Get(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got.People[0].LegalName != "" || got.People[0].Pseudonym != "Пётр" || got.OriginOrg != "Origin Network" {
		t.Fatalf("pseudonymised case %+v", got.People)
	}
	items, _ := dst.EvidenceOf(ctx, got.ID)
	if len(items) != 1 || items[0].Kind != store.EvidenceStripped || strings.Contains(items[0].Name, "photo") {
		t.Fatalf("shared evidence %+v", items)
	}
	// The sender's custody says the copy was shared, not backed up.
	srcItems, _ := src.EvidenceOf(ctx, got.ID)
	var shared bool
	for _, e := range srcItems {
		if e.Kind == store.EvidenceStripped {
			last := e.Custody[len(e.Custody)-1]
			shared = last.Action == store.CustodyShared && last.Note == "share bundle"
		}
	}
	if !shared {
		t.Fatal("the share is not in the sender's custody as 'shared'")
	}
	var buf bytes.Buffer
	if _, err := dst.Extract(ctx, items[0].ID, false, &buf, ""); err != nil {
		t.Fatal(err)
	}
	for _, m := range testimg.MetadataMarkers {
		if bytes.Contains(buf.Bytes(), []byte(m)) {
			t.Fatalf("shared photo holds %q", m)
		}
	}
	// The same bundle again changes nothing.
	before := dump(t, dst)
	res, err = Import(ctx, dst, p, ImportOptions{})
	if err != nil || res.Added+res.Updated+res.Conflicts+res.Evidence != 0 || res.Unchanged != 1 {
		t.Fatalf("second import %+v %v", res, err)
	}
	if !bytes.Equal(before, dump(t, dst)) {
		t.Fatal("importing the same bundle twice changed the vault")
	}
	// Both sides edit: the next import keeps both versions and flags it.
	if _, err := dst.Edit(ctx, ref, []byte(`{"status":"closed"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Edit(ctx, ref, []byte(`{"narrative":"A corrected account."}`)); err != nil {
		t.Fatal(err)
	}
	// A dry run says so beforehand, and changes nothing.
	conflicting := share(Options{Cases: []string{ref}})
	beforeDry := dump(t, dst)
	dry, err := Import(ctx, dst, conflicting, ImportOptions{DryRun: true})
	if err != nil || !dry.DryRun || dry.Conflicts != 1 || !dry.Known {
		t.Fatalf("dry run %+v %v", dry, err)
	}
	if !bytes.Equal(beforeDry, dump(t, dst)) {
		t.Fatal("a dry run changed the vault")
	}
	res, err = Import(ctx, dst, conflicting, ImportOptions{})
	if err != nil || res.Conflicts != 1 || res.DryRun {
		t.Fatalf("conflicting import %+v %v", res, err)
	}
	got, _ = dst.Get(ctx, ref)
	conflicts, _ := dst.Conflicts(ctx, ref)
	if !got.NeedsReview || got.Status != "closed" || len(conflicts) != 1 || conflicts[0].Case.Narrative != "A corrected account." {
		t.Fatalf("after conflict: review %v status %s conflicts %d", got.NeedsReview, got.Status, len(conflicts))
	}
	if n, _ := dst.Count(ctx, store.Query{NeedsReview: true}); n != 1 {
		t.Fatal("the conflicted case is not listed for review")
	}
	// Anonymised: pseudonyms replaced, place coarsened, flagged.
	third := partner(t, "Statistics Partner")
	toThird := befriend(t, src, third)
	befriend(t, third, src)
	p3 := filepath.Join(t.TempDir(), "anon.age")
	if _, err := WriteFile(ctx, src, p3, Options{Kind: KindShare, To: []Card{toThird}, Cases: []string{ref}, Redact: RedactAnonymise}); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, third, p3, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	anon, _ := third.Get(ctx, ref)
	if anon.People[0].Pseudonym != "Person 1" || anon.Locality != "" || !anon.NeedsReview || anon.People[0].Age != nil {
		t.Fatalf("anonymised %+v", anon)
	}
	// The partner not addressed cannot read the share.
	if _, err := Import(ctx, third, p, ImportOptions{}); !errors.Is(err, ErrNotAddressed) {
		t.Fatalf("not addressed: %v", err)
	}
}

func TestImportRefusesUnknownSigner(t *testing.T) {
	src, _, _ := fullVault(t)
	dst := partner(t, "Stranger")
	toDst := befriend(t, src, dst) // src knows dst, not the other way round
	p := filepath.Join(t.TempDir(), "s.age")
	all, _ := src.List(ctx, store.Query{Sort: store.SortReference})
	if _, err := WriteFile(ctx, src, p, Options{Kind: KindShare, To: []Card{toDst}, Cases: []string{all[0].ID}}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, dst)
	if _, err := Import(ctx, dst, p, ImportOptions{}); !errors.Is(err, ErrUnknownSigner) || !errors.Is(err, ErrVerify) {
		t.Fatalf("unknown signer: %v", err)
	}
	if !bytes.Equal(before, dump(t, dst)) {
		t.Fatal("a refused import changed the vault")
	}
	// A dry run shows what it would do, and that the signer is unknown.
	dry, err := Import(ctx, dst, p, ImportOptions{DryRun: true})
	if err != nil || dry.Known || dry.Added != 1 || !bytes.Equal(before, dump(t, dst)) {
		t.Fatalf("dry run of an unknown signer's bundle: %+v %v", dry, err)
	}
	res, err := Import(ctx, dst, p, ImportOptions{AcceptUnknown: true})
	if err != nil || res.Added != 1 || res.Known {
		t.Fatalf("accepted unknown signer: %+v %v", res, err)
	}
}

// --x25519 bundles open with the classic identities alone, as age before
// 1.3 would, and restore and import like the others.
func TestX25519Bundles(t *testing.T) {
	v, rk, _ := fullVault(t)
	before := dump(t, v)
	path := filepath.Join(t.TempDir(), "classic.age")
	if _, err := WriteFile(ctx, v, path, Options{X25519: true}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	rx, _ := rk.X25519()
	if _, err := Read(ctx, bytes.NewReader(data), []age.Identity{rx}, nil); err != nil {
		t.Fatalf("the derived X25519 identity alone: %v", err)
	}
	if _, err := Read(ctx, bytes.NewReader(data), []age.Identity{rk.Identity()}, nil); !errors.Is(err, ErrNotAddressed) {
		t.Fatalf("a classic bundle must not list post-quantum recipients: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "r")
	if _, err := Restore(ctx, []string{path}, rk, dir, "p", RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	r, _ := store.Open(dir, "p", store.Options{})
	defer r.Close()
	if !bytes.Equal(dump(t, r), before) {
		t.Fatal("classic backup restores to another dump")
	}
	// A classic share to a partner.
	dst := partner(t, "Old Tools Partner")
	card := befriend(t, v, dst)
	befriend(t, dst, v)
	all, _ := v.List(ctx, store.Query{Sort: store.SortReference})
	sp := filepath.Join(t.TempDir(), "share.age")
	if _, err := WriteFile(ctx, v, sp, Options{Kind: KindShare, To: []Card{card}, Cases: []string{all[0].ID}, X25519: true}); err != nil {
		t.Fatal(err)
	}
	if res, err := Import(ctx, dst, sp, ImportOptions{}); err != nil || res.Added != 1 {
		t.Fatalf("classic share: %+v %v", res, err)
	}
}

// A bundle whose last chunk is corrupt imports nothing, although age
// releases its earlier chunks, which the sink has already staged.
func TestCorruptLastChunkImportsNothing(t *testing.T) {
	src, _, _ := fullVault(t)
	dst := partner(t, "Receiver")
	card := befriend(t, src, dst)
	befriend(t, dst, src)
	// Enough cases that the bundle spans many 64 KiB chunks.
	var in strings.Builder
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&in, `{"title":"case %d","narrative":%q,"consent":{"obtained":true,"scope":["legal_partners"]}}`+"\n", i, strings.Repeat("долгий рассказ ", 60))
	}
	ids, err := src.AddCases(ctx, strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "s.age")
	if _, err := WriteFile(ctx, src, p, Options{Kind: KindShare, To: []Card{card}, Cases: ids}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	if len(data) < 4*64<<10 {
		t.Fatalf("bundle of %d bytes spans too few chunks for this test", len(data))
	}
	data[len(data)-10] ^= 0xFF // inside the last chunk
	os.WriteFile(p, data, 0o600)
	staged := 0
	counting := &countingSink{n: &staged}
	own, _ := dst.Identity()
	if _, err := Read(ctx, bytes.NewReader(data), own.Identities(), counting); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("read: %v", err)
	}
	if staged < 100 {
		t.Fatalf("only %d cases reached the sink before the fault; the test does not show staging", staged)
	}
	before := dump(t, dst)
	if _, err := Import(ctx, dst, p, ImportOptions{}); !errors.Is(err, ErrVerify) {
		t.Fatalf("import: %v", err)
	}
	if !bytes.Equal(before, dump(t, dst)) {
		t.Fatal("a bundle with a corrupt last chunk changed the vault")
	}
}

type countingSink struct{ n *int }

func (c *countingSink) Header(*Header) error                      { return nil }
func (c *countingSink) Meta(map[string][]byte) error              { return nil }
func (c *countingSink) Contacts([]store.Contact) error            { return nil }
func (c *countingSink) Deleted([]string) error                    { return nil }
func (c *countingSink) Custody(*store.Evidence) error             { return nil }
func (c *countingSink) Audit(store.AuditEntry) error              { return nil }
func (c *countingSink) Evidence(*store.Evidence, io.Reader) error { return nil }
func (c *countingSink) Case(*store.CaseRecord) error              { *c.n++; return nil }

// Oversized entries are refused from their header, before they are read.
func TestOversizedEntriesRefused(t *testing.T) {
	big := func(name string, size int) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		hdr := marshal(Header{Format: BundleFormat, Version: BundleVersion, Kind: KindFull})
		tw.WriteHeader(&tar.Header{Name: entryHeader, Size: int64(len(hdr)), Mode: 0o600, Typeflag: tar.TypeReg})
		tw.Write(hdr)
		tw.WriteHeader(&tar.Header{Name: name, Size: int64(size), Mode: 0o600, Typeflag: tar.TypeReg})
		tw.Write(make([]byte, size))
		tw.Close()
		return b.Bytes()
	}
	for _, name := range []string{entryMeta, "cases/01a20000-0000-7000-8000-000000000000.json"} {
		_, err := readPlain(ctx, bytes.NewReader(big(name, maxJSONEntry+1)), nil)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "more than the") {
			t.Fatalf("%s: got %v, want a refusal for its size", name, err)
		}
	}
}

func TestPreviewShare(t *testing.T) {
	v, _, _ := fullVault(t)
	all, _ := v.List(ctx, store.Query{Sort: store.SortReference})
	p, err := PreviewShare(ctx, v, []string{all[0].ID}, RedactAnonymise)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Cases) != 1 || p.Cases[0].People[0].Pseudonym != "Person 1" || p.Cases[0].People[0].LegalName != "" || len(p.Evidence) != 1 || p.LeftOut != 2 {
		t.Fatalf("preview %+v", p)
	}
	if _, err := PreviewShare(ctx, v, []string{all[1].ID}, RedactNone); !errors.Is(err, ErrConsent) {
		t.Fatalf("preview without consent: %v", err)
	}
}

// A stripped copy is a derivative of an evidence file, not a second one:
// bundles and imports count originals and stripped copies apart, the
// writer and the reader alike, while the manifest's evidence count (format
// version 1) keeps covering both.
func TestEvidenceCountsByKind(t *testing.T) {
	v, rk, _ := fullVault(t) // three files on the first case; the photo has a stripped copy
	path := filepath.Join(t.TempDir(), "backup.age")
	m, err := WriteFile(ctx, v, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Evidence != 4 || m.Originals != 3 || m.Stripped != 1 {
		t.Fatalf("backup written: evidence %d, originals %d, stripped %d; want 4, 3, 1", m.Evidence, m.Originals, m.Stripped)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := Read(ctx, f, rk.Identities(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.Evidence != 4 || back.Originals != 3 || back.Stripped != 1 {
		t.Fatalf("backup read: evidence %d, originals %d, stripped %d; want 4, 3, 1", back.Evidence, back.Originals, back.Stripped)
	}

	dst := partner(t, "Legal Partner")
	toDst := befriend(t, v, dst)
	befriend(t, dst, v)
	refs, err := v.List(ctx, store.Query{Sort: store.SortReference})
	if err != nil {
		t.Fatal(err)
	}
	first := refs[0].ID
	share := func(redact string) (*Manifest, string) {
		t.Helper()
		p := filepath.Join(t.TempDir(), "share.age")
		m, err := WriteFile(ctx, v, p, Options{Kind: KindShare, To: []Card{toDst}, Cases: []string{first}, Redact: redact})
		if err != nil {
			t.Fatal(err)
		}
		return m, p
	}
	// Unredacted: every file, the stripped copy counted apart.
	m, p := share(RedactNone)
	if m.Originals != 3 || m.Stripped != 1 {
		t.Fatalf("unredacted share: originals %d, stripped %d; want 3, 1", m.Originals, m.Stripped)
	}
	res, err := Import(ctx, dst, p, ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Evidence != 4 || res.Originals != 3 || res.Stripped != 1 {
		t.Fatalf("import: evidence %d, originals %d, stripped %d; want 4, 3, 1", res.Evidence, res.Originals, res.Stripped)
	}
	// Pseudonymised: only the stripped copy travels, and is said to be one.
	m, p = share(RedactPseudonymise)
	if m.Originals != 0 || m.Stripped != 1 || m.LeftOut != 2 {
		t.Fatalf("pseudonymised share: originals %d, stripped %d, left out %d; want 0, 1, 2", m.Originals, m.Stripped, m.LeftOut)
	}
	if res, err = Import(ctx, dst, p, ImportOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if res.Originals != 0 || res.Stripped != 1 {
		t.Fatalf("import of the pseudonymised share: originals %d, stripped %d; want 0, 1", res.Originals, res.Stripped)
	}
}

// The counts in a manifest are what people are shown: a manifest that
// counts other than what the bundle holds is refused, even when its
// creator signed it.
func TestManifestCountsChecked(t *testing.T) {
	v, rk, _ := fullVault(t)
	var b bytes.Buffer
	if _, err := Write(ctx, v, &b, Options{}); err != nil {
		t.Fatal(err)
	}
	id, err := v.Identity()
	if err != nil {
		t.Fatal(err)
	}
	for _, lie := range []func(m *Manifest){
		func(m *Manifest) { m.Cases = 54 },
		func(m *Manifest) { m.Evidence-- },
	} {
		data := reencrypt(t, b.Bytes(), rk.Identity(), rk.Recipient(), func(e []tarEntry) []tarEntry {
			var m Manifest
			for i := range e {
				if e[i].name == entryManifest {
					json.Unmarshal(e[i].data, &m)
					lie(&m)
					e[i].data = marshal(m)
				}
			}
			for i := range e {
				if e[i].name == entrySig {
					e[i].data = ed25519.Sign(id.Sign, marshal(m))
				}
			}
			return e
		})
		if _, err := Read(ctx, bytes.NewReader(data), rk.Identities(), nil); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("a signed manifest with wrong counts: %v", err)
		}
	}
}

// A restore from a full backup and incrementals says what the restored
// vault holds — not what the last bundle, which holds only the changes
// since the one before it, counts — and what each bundle brought.
func TestRestoreResultCountsTheVault(t *testing.T) {
	v, rk, _ := fullVault(t) // 3 cases; 3 evidence files on the first, the photo with a stripped copy
	dir := t.TempDir()
	backup := func(name string, kind string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if _, err := WriteFile(ctx, v, p, Options{Kind: kind}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	full := backup("full.age", KindFull)
	refs, err := v.List(ctx, store.Query{Sort: store.SortReference})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Edit(ctx, refs[1].ID, []byte(`{"status":"referred"}`)); err != nil {
		t.Fatal(err)
	}
	inc1 := backup("inc1.age", KindIncremental)
	ids, err := v.AddCases(ctx, strings.NewReader(`{"title":"Recorded after the first incremental"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Attach(ctx, ids[0], bytes.NewReader(testimg.JPEGWithMetadata()), store.AttachOptions{Name: "later.jpg"}); err != nil {
		t.Fatal(err)
	}
	if err := v.Delete(ctx, refs[2].ID); err != nil {
		t.Fatal(err)
	}
	inc2 := backup("inc2.age", KindIncremental)

	rdir := filepath.Join(t.TempDir(), "r")
	res, err := Restore(ctx, []string{full, inc1, inc2}, rk, rdir, "p", RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The vault: 3 cases (one added, one deleted), 4 evidence files
	// (the three first ones and the later photo) and 2 stripped copies.
	if res.Vault.Cases != 3 || res.Vault.Originals != 4 || res.Vault.Stripped != 2 {
		t.Fatalf("restored vault counted %+v; want 3 cases, 4 evidence files, 2 stripped copies", res.Vault)
	}
	if res.Last().Cases == res.Vault.Cases {
		t.Fatalf("the test needs a last bundle that counts otherwise than the vault (%d cases)", res.Last().Cases)
	}
	r, err := store.Open(rdir, "p", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n, _ := r.Count(ctx, store.Query{}); n != res.Vault.Cases {
		t.Fatalf("the vault lists %d cases, the result says %d", n, res.Vault.Cases)
	}
	if log, _ := r.AuditLog(ctx); len(log) != res.Vault.Audit {
		t.Fatalf("the vault's audit log has %d entries, the result says %d", len(log), res.Vault.Audit)
	}
	// What each bundle brought.
	if len(res.Bundles) != 3 {
		t.Fatalf("%d bundles in the result", len(res.Bundles))
	}
	type brought struct {
		kind                    string
		added, updated, deleted int
		originals, stripped     int
	}
	for i, want := range []brought{
		{KindFull, 3, 0, 0, 3, 1},
		{KindIncremental, 0, 1, 0, 0, 0},
		{KindIncremental, 1, 0, 1, 1, 1},
	} {
		b := res.Bundles[i]
		got := brought{b.Manifest.Kind, b.Added, b.Updated, b.Deleted, b.Manifest.Originals, b.Manifest.Stripped}
		if got != want {
			t.Errorf("bundle %d brought %+v, want %+v", i, got, want)
		}
	}
	if res.Last() != res.Bundles[2].Manifest {
		t.Fatal("Last is not the last bundle's manifest")
	}
}
