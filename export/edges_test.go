package export

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// edgePair is an organisation's vault with a full backup encrypted to
// its recovery key and to a partner who knows it, as files and as the
// plaintext tar inside.
type edgePair struct {
	src, dst *store.Vault
	rk       *crypto.RecoveryKey
	toDst    Card
	good     []byte // the backup as written
	plain    []byte // its tar stream
}

func newEdgePair(t *testing.T) *edgePair {
	t.Helper()
	src, rk, _ := fullVault(t)
	dst := partner(t, "Legal Partner")
	p := &edgePair{src: src, dst: dst, rk: rk, toDst: befriend(t, src, dst)}
	befriend(t, dst, src)
	path := filepath.Join(t.TempDir(), "backup.age")
	if _, err := WriteFile(ctx, src, path, Options{To: []Card{p.toDst}}); err != nil {
		t.Fatal(err)
	}
	p.good, _ = os.ReadFile(path)
	r, err := age.Decrypt(bytes.NewReader(p.good), rk.Identity())
	if err != nil {
		t.Fatal(err)
	}
	if p.plain, err = io.ReadAll(r); err != nil {
		t.Fatal(err)
	}
	return p
}

// seal encrypts a tar stream as the writer does, to the recovery key and
// the partner.
func (p *edgePair) seal(t *testing.T, plain []byte) []byte {
	t.Helper()
	to, err := age.ParseHybridRecipient(p.toDst.AgeRecipient)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := age.Encrypt(&out, p.rk.Recipient(), to)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// refusedAsDamaged checks that verify, import and restore all refuse a
// bundle as damaged, and that the partner's vault is unchanged and no
// restored folder is left.
func (p *edgePair) refusedAsDamaged(t *testing.T, what string, data []byte) {
	t.Helper()
	dstIDs, _ := p.dst.Identity()
	before := dump(t, p.dst)
	path := filepath.Join(t.TempDir(), "b.age")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	isDamaged := func(err error) bool { return errors.Is(err, ErrVerify) && errors.Is(err, ErrCorrupt) }
	if _, err := Read(ctx, bytes.NewReader(data), dstIDs.Identities(), nil); !isDamaged(err) {
		t.Errorf("%s: verify: %v, want a damaged bundle", what, err)
	}
	if _, err := Import(ctx, p.dst, path, ImportOptions{}); !isDamaged(err) {
		t.Errorf("%s: import: %v, want a damaged bundle", what, err)
	}
	if !bytes.Equal(before, dump(t, p.dst)) {
		t.Errorf("%s: a refused import changed the vault", what)
	}
	dir := filepath.Join(t.TempDir(), "r")
	if _, err := Restore(ctx, []string{path}, p.rk, dir, "p", RestoreOptions{}); !isDamaged(err) {
		t.Errorf("%s: restore: %v, want a damaged bundle", what, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s: a refused restore left its folder", what)
	}
}

// The age stream must end right after the tar end marker: plaintext
// after it, however short or long, and whether or not it looks like more
// of the archive, makes the bundle damaged (it is outside the signature).
func TestTrailingPlaintextRefused(t *testing.T) {
	p := newEdgePair(t)
	// The faithfully re-sealed bundle is accepted: the refusals below
	// are for the tail alone.
	if _, err := Import(ctx, p.dst, writeTemp(t, p.seal(t, p.plain)), ImportOptions{DryRun: true}); err != nil {
		t.Fatalf("re-sealed bundle: %v", err)
	}
	var hidden bytes.Buffer
	tw := tar.NewWriter(&hidden)
	body := []byte(`{"hidden":true}`)
	tw.WriteHeader(&tar.Header{Name: "cases/00000000-0000-4000-8000-000000000000.json", Mode: 0o600, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write(body)
	tw.Close()
	for _, tail := range []struct {
		name string
		data []byte
	}{
		{"1 byte", []byte{0}},
		{"17 bytes", []byte("seventeen bytes!!")},
		{"a hidden tar entry", hidden.Bytes()},
		{"900 KiB", bytes.Repeat([]byte("x"), 900<<10)},
	} {
		p.refusedAsDamaged(t, tail.name, p.seal(t, append(bytes.Clone(p.plain), tail.data...)))
	}
	// An archive without its end marker is cut short, even at an entry
	// boundary.
	p.refusedAsDamaged(t, "no end marker", p.seal(t, p.plain[:len(p.plain)-1024]))
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b.age")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// entryBounds returns the offsets in a tar stream where entries' data
// start and end.
func entryBounds(t *testing.T, plain []byte) []int {
	t.Helper()
	r := bytes.NewReader(plain)
	tr := tar.NewReader(r)
	var out []int
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		start := len(plain) - r.Len()
		out = append(out, start, start+int(h.Size))
	}
}

// A bundle cut short anywhere — the encrypted file, or the tar stream
// inside a sound age stream, in a header or in the middle of an entry —
// is a damaged bundle for verify, import and restore alike: never the
// end of a file, never a store error that blames the vault.
func TestTruncatedBundlesRefusedAsDamaged(t *testing.T) {
	p := newEdgePair(t)
	var cuts []int
	for n := 0; n < len(p.good); n += 1 << 10 {
		cuts = append(cuts, n)
	}
	cuts = append(cuts, len(p.good)-1)
	for _, n := range cuts {
		p.refusedAsDamaged(t, fmt.Sprintf("file cut at %d of %d", n, len(p.good)), p.good[:n])
	}
	var plainCuts []int
	for _, b := range entryBounds(t, p.plain) {
		for _, d := range []int{-512, -1, 0, 1, 100} {
			if n := b + d; n > 0 && n < len(p.plain)-1024 && !slices.Contains(plainCuts, n) {
				plainCuts = append(plainCuts, n)
			}
		}
	}
	for _, n := range plainCuts {
		p.refusedAsDamaged(t, fmt.Sprintf("tar cut at %d of %d", n, len(p.plain)), p.seal(t, p.plain[:n]))
	}
}

// forge rebuilds a bundle from entries, with a manifest made to match
// them (entries, counts) and signed with the organisation's own key: what
// anyone holding a signing key can make. It returns the sealed bytes.
func forge(t *testing.T, id *crypto.OrgIdentity, to age.Recipient, entries []tarEntry) []byte {
	t.Helper()
	var m Manifest
	var body []tarEntry
	for _, e := range entries {
		switch {
		case e.name == entryManifest:
			if err := json.Unmarshal(e.data, &m); err != nil {
				t.Fatal(err)
			}
		case e.name == entrySig:
		default:
			body = append(body, e)
		}
	}
	m.Entries, m.Cases, m.Evidence = nil, 0, 0
	for _, e := range body {
		sum := sha256.Sum256(e.data)
		m.Entries = append(m.Entries, ManifestEntry{Name: e.name, Size: int64(len(e.data)), SHA256: hex.EncodeToString(sum[:])})
		if strings.HasPrefix(e.name, "cases/") {
			m.Cases++
		}
		if strings.HasPrefix(e.name, "evidence/") && strings.HasSuffix(e.name, ".json") {
			m.Evidence++
		}
	}
	mb := marshal(m)
	body = append(body, tarEntry{entryManifest, mb}, tarEntry{entrySig, ed25519.Sign(id.Sign, mb)})
	return sealEntries(to, body)
}

func entriesOf(t *testing.T, data []byte, id age.Identity) []tarEntry {
	t.Helper()
	var out []tarEntry
	reencrypt(t, data, id, id.(*age.HybridIdentity).Recipient(), func(e []tarEntry) []tarEntry {
		out = slices.Clone(e)
		return e
	})
	return out
}

func indexOf(e []tarEntry, prefix string) int {
	return slices.IndexFunc(e, func(x tarEntry) bool { return strings.HasPrefix(x.name, prefix) })
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// verify and import read bundles with one reader, so a bundle that
// verifies imports, and one import would refuse, verify refuses too:
// entries out of order, repeated, named for another id, or not of the
// bundle's kind. Each bundle here is properly signed.
func TestBundleStructureRefusedByVerifyAndImport(t *testing.T) {
	src, _, _ := fullVault(t)
	dst := partner(t, "Legal Partner")
	toDst := befriend(t, src, dst)
	befriend(t, dst, src)
	srcID, _ := src.Identity()
	dstID, _ := dst.Identity()
	to, _ := age.ParseHybridRecipient(toDst.AgeRecipient)
	all, _ := src.List(ctx, store.Query{Sort: store.SortReference})
	var share, full bytes.Buffer
	if _, err := Write(ctx, src, &share, Options{Kind: KindShare, To: []Card{toDst}, Cases: []string{all[0].ID}, Redact: RedactNone}); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(ctx, src, &full, Options{To: []Card{toDst}}); err != nil {
		t.Fatal(err)
	}
	shareEntries := entriesOf(t, share.Bytes(), dstID.Age)
	fullEntries := entriesOf(t, full.Bytes(), dstID.Age)
	if indexOf(shareEntries, "evidence/") < 0 {
		t.Fatal("the share carries no evidence")
	}
	// The forger's own rebuild of an unchanged bundle imports: what is
	// refused below is the change alone.
	if _, err := Import(ctx, dst, writeTemp(t, forge(t, srcID, to, slices.Clone(shareEntries))), ImportOptions{DryRun: true}); err != nil {
		t.Fatalf("unchanged rebuild: %v", err)
	}
	caseEntry := func(e []tarEntry) tarEntry { return e[indexOf(e, "cases/")] }
	evidencePair := func(e []tarEntry) []tarEntry { i := indexOf(e, "evidence/"); return slices.Clone(e[i : i+2]) }
	insertAfter := func(e []tarEntry, i int, x ...tarEntry) []tarEntry {
		return slices.Insert(slices.Clone(e), i+1, x...)
	}
	withoutEvidence := func(e []tarEntry) []tarEntry {
		return slices.DeleteFunc(slices.Clone(e), func(x tarEntry) bool { return strings.HasPrefix(x.name, "evidence/") })
	}
	for _, c := range []struct {
		name    string
		entries []tarEntry
	}{
		{"evidence before its case", func() []tarEntry {
			e := withoutEvidence(shareEntries)
			return insertAfter(e, 0, evidencePair(shareEntries)...)
		}()},
		{"case entry named for another id", func() []tarEntry {
			e := slices.Clone(shareEntries)
			i := indexOf(e, "cases/")
			e[i] = tarEntry{"cases/" + newUUID() + ".json", e[i].data}
			return e
		}()},
		{"a case twice", insertAfter(shareEntries, indexOf(shareEntries, "cases/"), caseEntry(shareEntries))},
		{"an evidence item twice", insertAfter(shareEntries, indexOf(shareEntries, "evidence/")+1, evidencePair(shareEntries)...)},
		{"an evidence record without its file", func() []tarEntry {
			e := slices.Clone(shareEntries)
			i := indexOf(e, "evidence/")
			return slices.Delete(e, i+1, i+2)
		}()},
		{"meta.json in a share", insertAfter(shareEntries, 0, tarEntry{entryMeta, []byte(`{}`)})},
		{"contacts.json in a share", insertAfter(shareEntries, 0, tarEntry{entryContacts, []byte(`[]`)})},
		{"deleted.json in a share", insertAfter(shareEntries, 0, tarEntry{entryDeleted, []byte(`[]`)})},
		{"deleted.json in a full backup", insertAfter(fullEntries, indexOf(fullEntries, entryContacts), tarEntry{entryDeleted, []byte(`[]`)})},
		{"the audit log before the cases", func() []tarEntry {
			e := slices.Clone(fullEntries)
			i := indexOf(e, entryAudit)
			audit := e[i]
			e = slices.Delete(e, i, i+1)
			return insertAfter(e, indexOf(e, entryContacts), audit)
		}()},
		{"a stripped copy before its original", func() []tarEntry {
			e := slices.Clone(fullEntries)
			var stripped int = -1
			for i, x := range e {
				if strings.HasSuffix(x.name, ".json") && strings.HasPrefix(x.name, "evidence/") && bytes.Contains(x.data, []byte(`"derived_from"`)) {
					stripped = i
				}
			}
			if stripped < 0 {
				t.Fatal("no stripped copy in the backup")
			}
			pair := slices.Clone(e[stripped : stripped+2])
			e = slices.Delete(e, stripped, stripped+2)
			return slices.Insert(e, indexOf(e, "evidence/"), pair...)
		}()},
		{"a bundle of an unknown kind", func() []tarEntry {
			e := slices.Clone(shareEntries)
			e[0].data = bytes.Replace(e[0].data, []byte(`"kind":"share"`), []byte(`"kind":"gift"`), 1)
			for i := range e {
				if e[i].name == entryManifest {
					e[i].data = bytes.Replace(e[i].data, []byte(`"kind":"share"`), []byte(`"kind":"gift"`), 1)
				}
			}
			return e
		}()},
	} {
		data := forge(t, srcID, to, c.entries)
		if _, err := Read(ctx, bytes.NewReader(data), dstID.Identities(), nil); !errors.Is(err, ErrCorrupt) || !errors.Is(err, ErrVerify) {
			t.Errorf("%s: verify: %v, want a damaged bundle", c.name, err)
		}
		before := dump(t, dst)
		if _, err := Import(ctx, dst, writeTemp(t, data), ImportOptions{}); !errors.Is(err, ErrCorrupt) || !errors.Is(err, ErrVerify) {
			t.Errorf("%s: import: %v, want a damaged bundle", c.name, err)
		}
		if !bytes.Equal(before, dump(t, dst)) {
			t.Errorf("%s: a refused import changed the vault", c.name)
		}
	}
}

// folderSize sums the sizes of the files in a vault's folder: the
// database and SQLite's files beside it.
func folderSize(t *testing.T, dir string) int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && !fi.IsDir() {
			n += fi.Size()
		}
	}
	return n
}

// A bundle from a stranger is refused at its header, before anything is
// staged: the vault's folder does not grow by the bundle's evidence.
func TestUnknownSignerRefusedBeforeStaging(t *testing.T) {
	src, _, _ := fullVault(t)
	dst := partner(t, "Stranger")
	toDst := befriend(t, src, dst) // src knows dst, not the other way round
	all, _ := src.List(ctx, store.Query{Sort: store.SortReference})
	// More than the 32 MB page cache (store/db.go) holds, so that staged
	// content would spill into the write-ahead log.
	big := make([]byte, 48<<20)
	rand.Read(big)
	if _, err := src.Attach(ctx, all[0].ID, bytes.NewReader(big), store.AttachOptions{Name: "video.bin", ReceivedFrom: "peer"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.age")
	if _, err := WriteFile(ctx, src, path, Options{Kind: KindShare, To: []Card{toDst}, Cases: []string{all[0].ID}, Redact: RedactNone}); err != nil {
		t.Fatal(err)
	}
	before := folderSize(t, dst.Dir())
	if _, err := Import(ctx, dst, path, ImportOptions{}); !errors.Is(err, ErrUnknownSigner) {
		t.Fatalf("unknown signer: %v", err)
	}
	// A size bound, far below the 48 MiB of evidence the bundle carries.
	if grown := folderSize(t, dst.Dir()) - before; grown > 256<<10 {
		t.Fatalf("the vault folder grew by %d bytes for a refused bundle", grown)
	}
}

// A signed bundle whose audit log does not hold together is a damaged
// bundle for verify, import and restore alike (exit 4 in dossierctl),
// never "the vault's log was altered" (exit 5), which sent the person
// after their own vault.
func TestBrokenAuditLogInBundleIsDamaged(t *testing.T) {
	p := newEdgePair(t)
	srcID, _ := p.src.Identity()
	toDst, _ := age.ParseHybridRecipient(p.toDst.AgeRecipient)
	entries := entriesOf(t, p.good, p.rk.Identity())
	i := indexOf(entries, entryAudit)
	lines := strings.Split(strings.TrimSuffix(string(entries[i].data), "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("the backup's log has %d entries; the test needs 3", len(lines))
	}
	withLines := func(ls []string) []tarEntry {
		e := slices.Clone(entries)
		e[i] = tarEntry{entryAudit, []byte(strings.Join(ls, "\n") + "\n")}
		return e
	}
	var second store.AuditEntry
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	second.Detail += " (changed)"
	changed, _ := json.Marshal(second)
	for _, c := range []struct {
		name string
		log  []string
	}{
		{"an entry changed", append([]string{lines[0], string(changed)}, lines[2:]...)},
		{"an entry removed", append([]string{lines[0]}, lines[2:]...)},
		{"two entries swapped", append([]string{lines[1], lines[0]}, lines[2:]...)},
	} {
		isDamaged := func(err error) bool {
			return errors.Is(err, ErrVerify) && errors.Is(err, ErrCorrupt) && !errors.Is(err, store.ErrAuditBroken)
		}
		toRK := forge(t, srcID, p.rk.Recipient(), withLines(c.log))
		if _, err := Read(ctx, bytes.NewReader(toRK), p.rk.Identities(), nil); !isDamaged(err) {
			t.Errorf("%s: verify: %v, want a damaged bundle", c.name, err)
		}
		dir := filepath.Join(t.TempDir(), "r")
		if _, err := Restore(ctx, []string{writeTemp(t, toRK)}, p.rk, dir, "p", RestoreOptions{}); !isDamaged(err) {
			t.Errorf("%s: restore: %v, want a damaged bundle", c.name, err)
		}
		toPartner := forge(t, srcID, toDst, withLines(c.log))
		if _, err := Import(ctx, p.dst, writeTemp(t, toPartner), ImportOptions{DryRun: true}); !isDamaged(err) {
			t.Errorf("%s: import: %v, want a damaged bundle", c.name, err)
		}
	}
	// The unchanged rebuild restores: what is refused is the change.
	dir := filepath.Join(t.TempDir(), "ok")
	if _, err := Restore(ctx, []string{writeTemp(t, forge(t, srcID, p.rk.Recipient(), withLines(lines)))}, p.rk, dir, "p", RestoreOptions{}); err != nil {
		t.Fatalf("unchanged rebuild: %v", err)
	}
}
