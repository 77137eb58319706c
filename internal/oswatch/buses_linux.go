package oswatch

import (
	"os"
	"path/filepath"
	"strings"
)

// defaultBuses finds the system and session buses the way libdbus does,
// but never starts a bus: with no session bus address and no
// $XDG_RUNTIME_DIR/bus there is no session bus to watch. Only local
// (unix:) addresses are used: Dossier opens no network connection, and a
// bus reached over TCP is one.
func defaultBuses() (Buses, error) {
	b := Buses{
		System:  local(os.Getenv("DBUS_SYSTEM_BUS_ADDRESS")),
		Session: local(os.Getenv("DBUS_SESSION_BUS_ADDRESS")),
	}
	if os.Getenv("DBUS_SYSTEM_BUS_ADDRESS") == "" {
		b.System = "unix:path=/var/run/dbus/system_bus_socket"
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
			if fi, err := os.Stat(filepath.Join(dir, "bus")); err == nil && fi.Mode().Type() == os.ModeSocket {
				b.Session = "unix:path=" + filepath.Join(dir, "bus")
			}
		}
	}
	return b, nil
}

// local returns addr when every address of its list (";" between them)
// is a unix socket's, else "".
func local(addr string) string {
	for _, a := range strings.Split(addr, ";") {
		if a != "" && !strings.HasPrefix(a, "unix:") {
			return ""
		}
	}
	return addr
}
