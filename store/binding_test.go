package store

import (
	"bytes"
	"testing"

	"github.com/dossier-hr/dossier/crypto"
)

// bindingOf returns the recovery binding a backup of v would carry.
func bindingOf(t *testing.T, v *Vault) []byte {
	t.Helper()
	meta, err := v.BackupMeta(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return BackupRecoveryBinding(meta)
}

// The vault binds its signing key to its recovery key when it is made,
// when the recovery key is replaced, and — for a vault made before
// bindings existed — when it is unlocked with its recovery key.
func TestRecoveryBindingFollowsTheRecoveryKey(t *testing.T) {
	v, rk, dir := testVault(t)
	id, err := v.Identity()
	if err != nil {
		t.Fatal(err)
	}
	if got := bindingOf(t, v); !crypto.CheckRecoveryBinding(rk, id.PublicKey(), got) {
		t.Fatalf("a new vault's binding %x is not its recovery key's", got)
	}
	fresh, _ := crypto.NewRecoveryKey()
	if err := v.ReplaceRecoveryKey(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if got := bindingOf(t, v); !crypto.CheckRecoveryBinding(fresh, id.PublicKey(), got) {
		t.Fatalf("after a replacement the binding %x is not the new key's", got)
	}
	// A vault made before bindings: none in its settings.
	if err := execForTest(v, "DELETE FROM meta WHERE key = 'recovery_binding'"); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v2, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := v2.RecoveryBound(ctx); ok || err != nil {
		t.Fatalf("bound without the recovery key: %v %v", ok, err)
	}
	v2.Close()
	v3, err := OpenWithRecoveryKey(dir, fresh, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v3.Close()
	if ok, err := v3.RecoveryBound(ctx); !ok || err != nil {
		t.Fatalf("not bound after an unlock with the recovery key: %v", err)
	}
	if got := bindingOf(t, v3); !crypto.CheckRecoveryBinding(fresh, id.PublicKey(), got) {
		t.Fatalf("the binding made at unlock %x is not the key's", got)
	}
	// Unlocking again with it changes nothing.
	before := bindingOf(t, v3)
	v3.Close()
	v4, err := OpenWithRecoveryKey(dir, fresh, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v4.Close()
	if !bytes.Equal(bindingOf(t, v4), before) {
		t.Fatal("the binding changed")
	}
}

// A replacement completed at unlock, without the new key at hand, drops
// the old key's binding (backups would otherwise state a key that no
// longer opens them); the next unlock with the new key binds it.
func TestInterruptedReplacementRebindsAtRecoveryUnlock(t *testing.T) {
	v, _, dir := testVault(t)
	id, _ := v.Identity()
	fresh, _ := crypto.NewRecoveryKey()
	interruptReplacement(t, v, dir, fresh)
	v.Close()
	v2, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := bindingOf(t, v2); got != nil {
		t.Fatalf("the old key's binding %x was kept", got)
	}
	v2.Close()
	v3, err := OpenWithRecoveryKey(dir, fresh, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v3.Close()
	if got := bindingOf(t, v3); !crypto.CheckRecoveryBinding(fresh, id.PublicKey(), got) {
		t.Fatalf("binding %x after the unlock with the new key", got)
	}
}
