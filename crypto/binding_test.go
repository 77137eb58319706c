package crypto

import (
	"bytes"
	"strings"
	"testing"
)

// TestRecoveryBinding: the tag depends on both the recovery key and the
// signing key, and is the same each time for the same two.
func TestRecoveryBinding(t *testing.T) {
	rk, _ := NewRecoveryKey()
	other, _ := NewRecoveryKey()
	org, _ := NewOrgIdentity()
	forger, _ := NewOrgIdentity()
	tag := RecoveryBinding(rk, org.PublicKey())
	if len(tag) != 32 || !bytes.Equal(tag, RecoveryBinding(rk, org.PublicKey())) {
		t.Fatalf("tag %x is not 32 stable bytes", tag)
	}
	if !CheckRecoveryBinding(rk, org.PublicKey(), tag) {
		t.Fatal("the tag does not check")
	}
	// The recovery key read back from its file makes the same tag.
	back, err := ParseRecoveryKey(RecoveryKeyText(rk, "Org"))
	if err != nil || !CheckRecoveryBinding(back, org.PublicKey(), tag) {
		t.Fatalf("the key read back from its file: %v", err)
	}
	for name, ok := range map[string]bool{
		"another signing key":  CheckRecoveryBinding(rk, forger.PublicKey(), tag),
		"another recovery key": CheckRecoveryBinding(other, org.PublicKey(), tag),
		"a tag of another key": CheckRecoveryBinding(rk, org.PublicKey(), RecoveryBinding(other, org.PublicKey())),
		"no tag":               CheckRecoveryBinding(rk, org.PublicKey(), nil),
		"a shortened tag":      CheckRecoveryBinding(rk, org.PublicKey(), tag[:16]),
	} {
		if ok {
			t.Errorf("%s checks", name)
		}
	}
}

// TestRecoveryKeyID: the id is public (from the recipient), stable, tells
// keys apart, and recovery key files state it.
func TestRecoveryKeyID(t *testing.T) {
	rk, _ := NewRecoveryKey()
	other, _ := NewRecoveryKey()
	id := rk.ID()
	if len(id) != 19 || strings.Count(id, "-") != 3 || id != RecoveryKeyID(rk.RecipientString()) {
		t.Fatalf("id %q", id)
	}
	if id == other.ID() {
		t.Fatal("two keys with one id")
	}
	text := RecoveryKeyText(rk, "Org")
	if !strings.Contains(text, "\n# Recovery key id: "+id+"\n") {
		t.Fatalf("the file does not state the key's id:\n%s", text)
	}
	if strings.Contains(text, "\n# Recovery key id: "+other.ID()) {
		t.Fatal("the file states another key's id")
	}
}
