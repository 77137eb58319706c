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
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/store"
)

func init() { crypto.ScryptWorkFactor = 10 }

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
	if _, err := Restore(ctx, path, rk, dir, "new passphrase"); err != nil {
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
	if _, err := Restore(ctx, path+".bad", rk, dir, "p"); !errors.Is(err, ErrVerify) {
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
	entries = edit(entries)
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
		_, err := Restore(ctx, p, rk, filepath.Join(t.TempDir(), "r"), "p")
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
