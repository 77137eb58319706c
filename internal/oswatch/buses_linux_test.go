package oswatch

import (
	"net"
	"path/filepath"
	"testing"
)

// TestDefaultBuses: the addresses of the environment when local; a bus
// over TCP is no bus (the app opens no network connection); with no
// session bus address, $XDG_RUNTIME_DIR/bus only when it is a socket.
func TestDefaultBuses(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", dir)
	for _, c := range []struct{ system, session, wantSystem, wantSession string }{
		{"unix:path=/s", "unix:abstract=/x;unix:path=/y", "unix:path=/s", "unix:abstract=/x;unix:path=/y"},
		{"tcp:host=10.0.0.1,port=1", "unix:path=/y;tcp:host=localhost,port=2", "", ""},
		{"", "", "unix:path=/var/run/dbus/system_bus_socket", ""},
	} {
		t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", c.system)
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", c.session)
		b, err := defaultBuses()
		if err != nil || b.System != c.wantSystem || b.Session != c.wantSession {
			t.Errorf("%q, %q: %+v, %v", c.system, c.session, b, err)
		}
	}
	l, err := net.Listen("unix", filepath.Join(dir, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if b, _ := defaultBuses(); b.Session != "unix:path="+filepath.Join(dir, "bus") {
		t.Errorf("with $XDG_RUNTIME_DIR/bus: %+v", b)
	}
}
