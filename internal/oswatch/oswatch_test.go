package oswatch_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/godbus/dbus/v5"

	"github.com/dossier-hr/dossier/internal/oswatch"
	"github.com/dossier-hr/dossier/internal/testbus"
)

const (
	ours   = dbus.ObjectPath("/org/freedesktop/login1/session/_32")
	others = dbus.ObjectPath("/org/freedesktop/login1/session/c7")
)

// watch starts a Watch on two private buses, one playing the system bus
// with a logind, one the session bus; what it reports arrives on the
// channel returned.
func watch(t *testing.T) (*testbus.Logind, string, <-chan oswatch.Reason) {
	t.Helper()
	system, session := testbus.Start(t), testbus.Start(t)
	logind := testbus.StartLogind(t, system, ours)
	got := make(chan oswatch.Reason, 16)
	stop, err := oswatch.WatchBuses(context.Background(), oswatch.Buses{System: system, Session: session},
		func(r oswatch.Reason) { got <- r })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return logind, session, got
}

// TestWatchReportsEachReason sends each signal that means the person left,
// each after look-alikes that do not: a watcher that reported a
// look-alike would report it first, since signals from one sender arrive
// in order.
func TestWatchReportsEachReason(t *testing.T) {
	logind, session, got := watch(t)
	// The screensavers start after the watch: a name owned later counts.
	savers := map[string]*dbus.Conn{}
	for _, name := range []string{"org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver", "org.mate.ScreenSaver", "org.cinnamon.ScreenSaver", "org.xfce.ScreenSaver"} {
		savers[name] = testbus.Claim(t, session, name)
	}
	expect := func(what string, want oswatch.Reason) {
		t.Helper()
		if r := <-got; r != want {
			t.Fatalf("%s: reported %v, want %v", what, r, want)
		}
	}

	logind.PrepareForSleep(t, false) // waking up
	logind.PrepareForSleep(t, true)
	expect("suspend", oswatch.Sleep)

	logind.Lock(t, others)
	logind.Lock(t, ours)
	expect("session lock", oswatch.SessionLock)

	logind.Active(t, others, false)
	logind.Active(t, ours, true)
	logind.Active(t, ours, false)
	expect("switching away", oswatch.SessionInactive)

	for name, conn := range savers {
		testbus.ActiveChanged(t, conn, name, false)
		testbus.ActiveChanged(t, conn, name, true)
		expect(name, oswatch.ScreenSaver)
	}

	// Only the owner of logind's name speaks for it: another program on
	// the bus sending the same signal is not heard. Its signal is routed
	// before the bus answers its ping, so before logind's next one: were
	// it heard, it would be reported first.
	impostor := testbus.Claim(t, logind.Addr)
	testbus.Emit(t, impostor, "/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", true)
	if err := impostor.BusObject().Call("org.freedesktop.DBus.Peer.Ping", 0).Err; err != nil {
		t.Fatal(err)
	}
	logind.Lock(t, ours)
	expect("a signal after an impostor's", oswatch.SessionLock)
}

// TestWatchWithoutBus: no bus at all is an error to log, not a failure;
// with one bus of two, the other is watched.
func TestWatchWithoutBus(t *testing.T) {
	stop, err := oswatch.WatchBuses(context.Background(), oswatch.Buses{}, func(oswatch.Reason) { t.Error("called") })
	if stop != nil || !errors.Is(err, oswatch.ErrNoBus) {
		t.Fatalf("no buses: stop %v, err %v", stop != nil, err)
	}
	gone := "unix:path=" + t.TempDir() + "/none"
	stop, err = oswatch.WatchBuses(context.Background(), oswatch.Buses{System: gone, Session: gone}, func(oswatch.Reason) { t.Error("called") })
	if stop != nil || !errors.Is(err, oswatch.ErrNoBus) {
		t.Fatalf("buses not there: stop %v, err %v", stop != nil, err)
	}

	// A system bus without logind, and a session bus: suspend and the
	// screensaver are still heard.
	system, session := testbus.Start(t), testbus.Start(t)
	got := make(chan oswatch.Reason, 16)
	stop, err = oswatch.WatchBuses(context.Background(), oswatch.Buses{System: system, Session: session}, func(r oswatch.Reason) { got <- r })
	if stop == nil || !errors.Is(err, oswatch.ErrNoBus) {
		t.Fatalf("no logind: stop %v, err %v", stop != nil, err)
	}
	t.Cleanup(stop)
	saver := testbus.Claim(t, session, "org.gnome.ScreenSaver")
	testbus.ActiveChanged(t, saver, "org.gnome.ScreenSaver", true)
	if r := <-got; r != oswatch.ScreenSaver {
		t.Fatalf("reported %v", r)
	}
	logind := testbus.StartLogind(t, system, ours) // logind starts later
	logind.PrepareForSleep(t, true)
	if r := <-got; r != oswatch.Sleep {
		t.Fatalf("reported %v", r)
	}
}

// TestStopLeavesTheBuses: stop closes the watcher's connections (they
// leave the bus's list of names) and can be called again.
func TestStopLeavesTheBuses(t *testing.T) {
	system, session := testbus.Start(t), testbus.Start(t)
	logind := testbus.StartLogind(t, system, ours)
	names := func() int {
		var n []string
		if err := logind.Conn.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&n); err != nil {
			t.Fatal(err)
		}
		return len(n)
	}
	before := names()
	stop, err := oswatch.WatchBuses(context.Background(), oswatch.Buses{System: system, Session: session}, func(oswatch.Reason) {})
	if err != nil {
		t.Fatal(err)
	}
	if names() != before+1 {
		t.Fatalf("watching: %d names, %d before", names(), before)
	}
	stop()
	stop()
	// The bus drops a closed connection's name as it reads the close.
	for names() != before {
		runtime.Gosched()
	}
}

func TestReasonString(t *testing.T) {
	for r, want := range map[oswatch.Reason]string{oswatch.Sleep: "sleep", oswatch.SessionLock: "session-lock",
		oswatch.SessionInactive: "session-inactive", oswatch.ScreenSaver: "screensaver", 9: "Reason(9)"} {
		if r.String() != want {
			t.Errorf("%d: %q", int(r), r.String())
		}
	}
}
