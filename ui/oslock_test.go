package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"

	"github.com/dossier-hr/dossier/internal/oswatch"
	"github.com/dossier-hr/dossier/internal/testbus"
	"github.com/dossier-hr/dossier/store"
)

// TestLocksOnWhatTheSystemSays: an unlocked app hears, on private buses
// playing the session and the system bus, the screensaver start, and
// later its session switched away: each time it shows the unlock screen
// and the vault is closed.
func TestLocksOnWhatTheSystemSays(t *testing.T) {
	system, session := testbus.Start(t), testbus.Start(t)
	const ours = dbus.ObjectPath("/org/freedesktop/login1/session/_31")
	logind := testbus.StartLogind(t, system, ours)
	saver := testbus.Claim(t, session, "org.gnome.ScreenSaver")
	ready := make(chan struct{})
	watch := func(onLock func(oswatch.Reason)) (func(), error) {
		defer close(ready) // the watching listens once WatchBuses returns
		return oswatch.WatchBuses(context.Background(), oswatch.Buses{System: system, Session: session}, onLock)
	}
	a, w, _ := unlocked(t, Config{AutoLock: -1, WatchOS: watch})
	<-ready
	locked := func(what string, v *store.Vault) {
		t.Helper()
		eventually(t, "the unlock screen after "+what, func() bool { return labelWith(w, "Unlock the vault") })
		if a.Vault() != nil {
			t.Fatalf("%s: the app still holds the vault", what)
		}
		if _, err := v.AddCases(context.Background(), strings.NewReader(`{"title":"t","country":"ru"}`)); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("%s: the vault was not closed: %v", what, err)
		}
	}

	v := a.Vault()
	testbus.ActiveChanged(t, saver, "org.gnome.ScreenSaver", true)
	locked("the screensaver", v)

	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	v = a.Vault()
	logind.Active(t, ours, false)
	locked("switching away", v)
}
