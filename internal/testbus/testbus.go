// Package testbus runs private D-Bus buses for tests, and plays logind
// and the screensavers on them, so that what oswatch hears can be sent at
// will. It needs dbus-daemon (Debian's dbus package); a test that uses it
// fails without it, it never skips.
package testbus

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// config lets every connection own any name and send to any other: the
// bus plays the system bus as well as the session bus.
const config = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// Start runs a dbus-daemon of its own for t, stopped when t ends, and
// returns its address.
func Start(t testing.TB) string {
	t.Helper()
	// Not t.TempDir: a socket's path must stay under 108 bytes, and a
	// test's name can be long.
	dir, err := os.MkdirTemp("", "testbus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(cfg, []byte(strings.Replace(config, "%s", filepath.Join(dir, "bus"), 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+cfg, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dbus-daemon (Debian package dbus; make deps installs it): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(addr)
}

// Claim connects to the bus at addr as a program owning names, closed
// when t ends.
func Claim(t testing.TB, addr string, names ...string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, n := range names {
		r, err := conn.RequestName(n, dbus.NameFlagDoNotQueue)
		if err != nil || r != dbus.RequestNameReplyPrimaryOwner {
			t.Fatalf("owning %s: %v (reply %v)", n, err, r)
		}
	}
	return conn
}

// Logind plays systemd-logind on the bus at addr: it owns its name and
// answers GetSession with session, the caller's session object.
type Logind struct {
	Addr    string // the bus
	Conn    *dbus.Conn
	Session dbus.ObjectPath
}

// manager is logind's Manager object, as much of it as oswatch calls.
type manager struct{ session dbus.ObjectPath }

// GetSession answers for any session id, "auto" included.
func (m manager) GetSession(string) (dbus.ObjectPath, *dbus.Error) { return m.session, nil }

// StartLogind puts a Logind on the bus at addr.
func StartLogind(t testing.TB, addr string, session dbus.ObjectPath) *Logind {
	t.Helper()
	conn := Claim(t, addr)
	if err := conn.Export(manager{session}, "/org/freedesktop/login1", "org.freedesktop.login1.Manager"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.freedesktop.login1", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning org.freedesktop.login1: %v (reply %v)", err, r)
	}
	return &Logind{Addr: addr, Conn: conn, Session: session}
}

// PrepareForSleep sends what logind sends before (true) and after (false)
// a suspend or hibernation.
func (l *Logind) PrepareForSleep(t testing.TB, start bool) {
	t.Helper()
	Emit(t, l.Conn, "/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", start)
}

// Lock sends the Lock signal of the session at path.
func (l *Logind) Lock(t testing.TB, path dbus.ObjectPath) {
	t.Helper()
	Emit(t, l.Conn, path, "org.freedesktop.login1.Session.Lock")
}

// Active sends the change of the Active property of the session at path.
func (l *Logind) Active(t testing.TB, path dbus.ObjectPath, active bool) {
	t.Helper()
	Emit(t, l.Conn, path, "org.freedesktop.DBus.Properties.PropertiesChanged", "org.freedesktop.login1.Session",
		map[string]dbus.Variant{"Active": dbus.MakeVariant(active)}, []string{})
}

// ActiveChanged sends a screensaver's ActiveChanged from conn, on the
// interface iface (one of the screensavers' names).
func ActiveChanged(t testing.TB, conn *dbus.Conn, iface string, active bool) {
	t.Helper()
	path := dbus.ObjectPath("/" + strings.ReplaceAll(iface, ".", "/"))
	Emit(t, conn, path, iface+".ActiveChanged", active)
}

// Emit sends a signal from conn.
func Emit(t testing.TB, conn *dbus.Conn, path dbus.ObjectPath, name string, body ...any) {
	t.Helper()
	if err := conn.Emit(path, name, body...); err != nil {
		t.Fatal(err)
	}
}
