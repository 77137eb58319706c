// Package oswatch tells when the operating system says the person has
// left the computer: the screen locked, the session switched away, or the
// machine about to suspend or hibernate. The app locks its vault on it.
//
// On Linux it listens on D-Bus: systemd-logind on the system bus
// (org.freedesktop.login1: PrepareForSleep, and the Lock signal and the
// Active property of the caller's own session) and the screensaver on the
// session bus (ActiveChanged of org.freedesktop.ScreenSaver and of the
// GNOME, MATE, Cinnamon and Xfce screensavers). It only listens: it takes no
// inhibitor lock and calls nothing but logind's GetSession, so a machine
// may suspend before the app has reacted, and the vault then locks as it
// wakes up. Whether a signal comes at all depends on the desktop.
//
// Windows and macOS are not supported yet: Watch returns ErrNotSupported.
//
// This package imports no GUI toolkit: the interface decides what to do.
package oswatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// Reason is what the system said.
type Reason int

// The reasons Watch reports.
const (
	// Sleep: the machine is about to suspend or hibernate (this includes
	// closing a laptop's lid when that suspends it).
	Sleep Reason = iota + 1
	// SessionLock: logind asked the session to lock its screen.
	SessionLock
	// SessionInactive: the session is no longer the one in front of the
	// person (another user's session, or a text console, was switched to).
	SessionInactive
	// ScreenSaver: the screensaver started (it usually locks the screen).
	ScreenSaver
)

// String names the kind of reason, for logs.
func (r Reason) String() string {
	switch r {
	case Sleep:
		return "sleep"
	case SessionLock:
		return "session-lock"
	case SessionInactive:
		return "session-inactive"
	case ScreenSaver:
		return "screensaver"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

var (
	// ErrNotSupported: there is no watcher for this operating system.
	ErrNotSupported = errors.New("oswatch: not supported on this system")
	// ErrNoBus: a bus could not be reached, or there is none.
	ErrNoBus = errors.New("oswatch: no bus")
)

// Buses are the D-Bus addresses to watch; an empty one is not watched.
type Buses struct {
	System  string // logind's
	Session string // the screensaver's
}

// The names, paths and interfaces watched.
const (
	login1Name      = "org.freedesktop.login1"
	login1Path      = dbus.ObjectPath("/org/freedesktop/login1")
	login1Manager   = "org.freedesktop.login1.Manager"
	login1Session   = "org.freedesktop.login1.Session"
	propertiesIface = "org.freedesktop.DBus.Properties"
)

// screenSavers are the well-known names of the screensavers that send
// ActiveChanged(bool); each sends it on an interface of its own name.
var screenSavers = []string{
	"org.freedesktop.ScreenSaver", // KDE Plasma
	"org.gnome.ScreenSaver",       // GNOME Shell, and others that play it
	"org.mate.ScreenSaver",
	"org.cinnamon.ScreenSaver",
	"org.xfce.ScreenSaver", // xfce4-screensaver
}

// setupTimeout bounds each call made while starting to watch: a bus or a
// logind that does not answer must not hold the caller.
const setupTimeout = 10 * time.Second

// Watch watches this system's buses (see the package doc) and calls
// onLock, on a goroutine of its own and one call at a time, each time the
// system says the person left. See WatchBuses for the results.
func Watch(ctx context.Context, onLock func(Reason)) (stop func(), err error) {
	b, err := defaultBuses()
	if err != nil {
		return nil, err
	}
	return WatchBuses(ctx, b, onLock)
}

// WatchBuses is Watch on the buses given. Every signal it reports is
// listened for before it returns.
//
// A bus that cannot be watched does not stop the other: err then says
// what failed (errors.Is(err, ErrNoBus)) and stop is still non-nil when
// something is watched. stop is nil only when nothing is. stop (or the
// end of ctx) ends the watching; after stop returns, onLock is not called
// again.
func WatchBuses(ctx context.Context, b Buses, onLock func(Reason)) (stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	w := &watcher{onLock: onLock}
	var errs []error
	if b.System == "" {
		errs = append(errs, fmt.Errorf("%w: no system bus", ErrNoBus))
	} else if err := w.watchLogind(ctx, b.System); err != nil {
		errs = append(errs, err)
	}
	if b.Session == "" {
		errs = append(errs, fmt.Errorf("%w: no session bus", ErrNoBus))
	} else if err := w.watchScreenSaver(ctx, b.Session); err != nil {
		errs = append(errs, err)
	}
	if len(w.conns) == 0 {
		cancel()
		return nil, errors.Join(errs...)
	}
	w.start(ctx)
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			for _, c := range w.conns {
				c.Close()
			}
			w.wg.Wait()
		})
	}
	return stop, errors.Join(errs...)
}

type watcher struct {
	onLock func(Reason)
	mu     sync.Mutex // one onLock call at a time
	wg     sync.WaitGroup
	conns  []*dbus.Conn
	chans  []chan *dbus.Signal
	// session is the object of the caller's own logind session; empty
	// when logind could not say which it is.
	session dbus.ObjectPath
}

// connect opens a private connection (the app's other users of the
// session bus, such as Fyne, keep theirs) that listens to the signals
// matched.
func (w *watcher) connect(ctx context.Context, addr, which string, matches ...[]dbus.MatchOption) (*dbus.Conn, error) {
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("%w: connecting to the %s bus: %w", ErrNoBus, which, err)
	}
	for _, m := range matches {
		cctx, cancel := context.WithTimeout(ctx, setupTimeout)
		err := conn.AddMatchSignalContext(cctx, m...)
		cancel()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("%w: listening on the %s bus: %w", ErrNoBus, which, err)
		}
	}
	ch := make(chan *dbus.Signal, 32)
	conn.Signal(ch)
	w.conns = append(w.conns, conn)
	w.chans = append(w.chans, ch)
	return conn, nil
}

// watchLogind listens for suspend on the system bus, and for the lock
// and the switching away of this process's session when logind can say
// which session that is.
func (w *watcher) watchLogind(ctx context.Context, addr string) error {
	sleep := []dbus.MatchOption{dbus.WithMatchSender(login1Name), dbus.WithMatchObjectPath(login1Path),
		dbus.WithMatchInterface(login1Manager), dbus.WithMatchMember("PrepareForSleep")}
	conn, err := w.connect(ctx, addr, "system", sleep)
	if err != nil {
		return err
	}
	// "auto": the session this process belongs to, or else the user's
	// graphical one (logind's documented fallback).
	var session dbus.ObjectPath
	cctx, cancel := context.WithTimeout(ctx, setupTimeout)
	err = conn.Object(login1Name, login1Path).CallWithContext(cctx, login1Manager+".GetSession", dbus.FlagNoAutoStart, "auto").Store(&session)
	cancel()
	if err != nil {
		return fmt.Errorf("%w: asking logind for this session: %w", ErrNoBus, err)
	}
	for _, m := range [][]dbus.MatchOption{
		{dbus.WithMatchSender(login1Name), dbus.WithMatchObjectPath(session),
			dbus.WithMatchInterface(login1Session), dbus.WithMatchMember("Lock")},
		{dbus.WithMatchSender(login1Name), dbus.WithMatchObjectPath(session),
			dbus.WithMatchInterface(propertiesIface), dbus.WithMatchMember("PropertiesChanged"),
			dbus.WithMatchArg(0, login1Session)},
	} {
		cctx, cancel := context.WithTimeout(ctx, setupTimeout)
		err := conn.AddMatchSignalContext(cctx, m...)
		cancel()
		if err != nil {
			return fmt.Errorf("%w: listening to this session: %w", ErrNoBus, err)
		}
	}
	w.session = session
	return nil
}

// watchScreenSaver listens for the screensavers on the session bus.
func (w *watcher) watchScreenSaver(ctx context.Context, addr string) error {
	var matches [][]dbus.MatchOption
	for _, name := range screenSavers {
		matches = append(matches, []dbus.MatchOption{dbus.WithMatchSender(name),
			dbus.WithMatchInterface(name), dbus.WithMatchMember("ActiveChanged")})
	}
	_, err := w.connect(ctx, addr, "session", matches...)
	return err
}

func (w *watcher) start(ctx context.Context) {
	for _, ch := range w.chans {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case sig, ok := <-ch:
					if !ok {
						return
					}
					if r := w.reason(sig); r != 0 {
						w.mu.Lock()
						if ctx.Err() == nil {
							w.onLock(r)
						}
						w.mu.Unlock()
					}
				}
			}
		}()
	}
}

// reason reads a signal; 0 means it asks for no lock. The bus delivers
// only what was matched, but the connection also gets the bus's own
// signals, and a signal's body is checked rather than trusted.
func (w *watcher) reason(sig *dbus.Signal) Reason {
	switch sig.Name {
	case login1Manager + ".PrepareForSleep":
		if sig.Path == login1Path && firstBool(sig.Body) {
			return Sleep
		}
	case login1Session + ".Lock":
		if w.session != "" && sig.Path == w.session {
			return SessionLock
		}
	case propertiesIface + ".PropertiesChanged":
		if w.session == "" || sig.Path != w.session || len(sig.Body) < 2 {
			return 0
		}
		if iface, _ := sig.Body[0].(string); iface != login1Session {
			return 0
		}
		changed, _ := sig.Body[1].(map[string]dbus.Variant)
		if v, ok := changed["Active"]; ok {
			if active, ok := v.Value().(bool); ok && !active {
				return SessionInactive
			}
		}
	default:
		for _, name := range screenSavers {
			if sig.Name == name+".ActiveChanged" && firstBool(sig.Body) {
				return ScreenSaver
			}
		}
	}
	return 0
}

func firstBool(body []any) bool {
	if len(body) == 0 {
		return false
	}
	b, _ := body[0].(bool)
	return b
}
