package oswatch

import (
	"os"
	"path/filepath"
)

// defaultBuses finds the system and session buses the way libdbus does,
// but never starts a bus: with no session bus address and no
// $XDG_RUNTIME_DIR/bus there is no session bus to watch.
func defaultBuses() (Buses, error) {
	b := Buses{
		System:  os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"),
		Session: os.Getenv("DBUS_SESSION_BUS_ADDRESS"),
	}
	if b.System == "" {
		b.System = "unix:path=/var/run/dbus/system_bus_socket"
	}
	if b.Session == "" {
		if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
			if fi, err := os.Stat(filepath.Join(dir, "bus")); err == nil && fi.Mode().Type() == os.ModeSocket {
				b.Session = "unix:path=" + filepath.Join(dir, "bus")
			}
		}
	}
	return b, nil
}
