package crypto

import (
	"errors"
	"testing"
)

func sealedKeyFile(t *testing.T) (*KeyFile, *DataKey, *RecoveryKey) {
	t.Helper()
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, err := NewKeyFile(key, "p", rk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if err := kf.SetRecovery(key, rk); err != nil { // fills the recipient fields
		t.Fatal(err)
	}
	kf.WipeAfter = 5
	if err := kf.Seal(key); err != nil {
		t.Fatal(err)
	}
	return kf, key, rk
}

// The MAC survives the trip through the file's bytes, and only the data
// key it was made with checks it.
func TestKeyFileMACRoundTrip(t *testing.T) {
	kf, key, _ := sealedKeyFile(t)
	b, err := kf.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	kf2, err := ParseKeyFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !kf2.Sealed() {
		t.Fatal("the MAC was lost in the file")
	}
	if err := kf2.CheckMAC(key); err != nil {
		t.Fatalf("a sealed key file does not check: %v", err)
	}
	other, _ := NewDataKey()
	if err := kf2.CheckMAC(other); !errors.Is(err, ErrKeyFileAltered) {
		t.Fatalf("another key checked the MAC: %v", err)
	}
	kf2.MAC = nil
	if err := kf2.CheckMAC(key); !errors.Is(err, ErrKeyFileAltered) {
		t.Fatalf("a missing MAC: %v", err)
	}
}

// Every field Dossier writes with the data key is covered: changing any
// of them breaks the MAC. The fields that change while locked are not.
func TestKeyFileMACCoverage(t *testing.T) {
	other, _ := NewRecoveryKey()
	otherX, _ := other.X25519()
	covered := map[string]func(kf *KeyFile){
		"format":                    func(kf *KeyFile) { kf.Format += "x" },
		"version":                   func(kf *KeyFile) { kf.Version++ },
		"recovery wrap":             func(kf *KeyFile) { kf.Recovery[len(kf.Recovery)-1] ^= 1 },
		"recovery wrap swapped":     func(kf *KeyFile) { kf.Recovery = append([]byte(nil), kf.Passphrase...) },
		"wipe_after":                func(kf *KeyFile) { kf.WipeAfter = 0 },
		"recovery_recipient":        func(kf *KeyFile) { kf.RecoveryRecipient = other.RecipientString() },
		"recovery_recipient_x25519": func(kf *KeyFile) { kf.RecoveryRecipientX25519 = otherX.Recipient().String() },
		"recipient dropped":         func(kf *KeyFile) { kf.RecoveryRecipient = "" },
		// The length prefixes: moving bytes from one field to the next
		// must not keep the MAC.
		"bytes moved between fields": func(kf *KeyFile) {
			kf.RecoveryRecipientX25519 = kf.RecoveryRecipient[len(kf.RecoveryRecipient)-1:] + kf.RecoveryRecipientX25519
			kf.RecoveryRecipient = kf.RecoveryRecipient[:len(kf.RecoveryRecipient)-1]
		},
		"mac flipped": func(kf *KeyFile) { kf.MAC[0] ^= 1 },
		"mac cut":     func(kf *KeyFile) { kf.MAC = kf.MAC[:16] },
	}
	for name, change := range covered {
		kf, key, _ := sealedKeyFile(t)
		change(kf)
		if err := kf.CheckMAC(key); !errors.Is(err, ErrKeyFileAltered) {
			t.Errorf("%s changed, MAC still checks: %v", name, err)
		}
	}
	notCovered := map[string]func(kf *KeyFile){
		"failed_unlocks":  func(kf *KeyFile) { kf.FailedUnlocks = 3 },
		"guard wipe":      func(kf *KeyFile) { kf.WipePassphrase() },
		"passphrase wrap": func(kf *KeyFile) { kf.Passphrase[len(kf.Passphrase)-1] ^= 1 },
	}
	for name, change := range notCovered {
		kf, key, _ := sealedKeyFile(t)
		change(kf)
		if err := kf.CheckMAC(key); err != nil {
			t.Errorf("%s (changed while locked) broke the MAC: %v", name, err)
		}
	}
}

// A recovery wrap rewritten from the public recipients opens with the
// recovery key.
func TestSetRecoveryRecipients(t *testing.T) {
	kf, key, rk := sealedKeyFile(t)
	x, _ := rk.X25519()
	kf.Recovery = nil
	if err := kf.SetRecoveryRecipients(key, rk.RecipientString(), x.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	got, err := rk.Unlock(kf)
	if err != nil || string(got.Bytes()) != string(key.Bytes()) {
		t.Fatalf("the rewritten wrap: %v", err)
	}
	if err := kf.SetRecoveryRecipients(key, "age1notarecipient", ""); err == nil {
		t.Fatal("a bad recipient was accepted")
	}
}

// ParseKeyFile reads a file anyone may have written: it never panics, and
// what it accepts marshals and parses again to the same fields.
func FuzzParseKeyFile(f *testing.F) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, _ := NewKeyFile(key, "p", rk.Recipient())
	b, _ := kf.Marshal()
	f.Add(b)
	kf.SetRecovery(key, rk)
	kf.WipeAfter, kf.FailedUnlocks = 3, 1
	kf.Seal(key)
	b, _ = kf.Marshal()
	f.Add(b)
	kf.WipePassphrase()
	b, _ = kf.Marshal()
	f.Add(b)
	f.Add([]byte(`{"format":"dossier-vault-key","version":1,"passphrase":"","recovery":"AA==","mac":"!"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := ParseKeyFile(data)
		if err != nil {
			return
		}
		b, err := kf.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		kf2, err := ParseKeyFile(b)
		if err != nil {
			t.Fatalf("a parsed key file does not parse again: %v", err)
		}
		if kf2.Sealed() != kf.Sealed() || string(kf2.MAC) != string(kf.MAC) || kf2.RecoveryRecipient != kf.RecoveryRecipient || kf2.WipeAfter != kf.WipeAfter {
			t.Fatal("a parsed key file changed on the way back")
		}
		kf.CheckMAC(key) // must not panic, whatever the MAC
	})
}
