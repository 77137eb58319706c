package ui

import "sync"

// uiMu serialises, in tests, what the real driver's UI goroutine would:
// the app's do() callbacks and the test's own use of the widgets.
var uiMu sync.Mutex

func init() {
	do = func(fn func()) {
		uiMu.Lock()
		defer uiMu.Unlock()
		fn()
	}
}

// onUI runs fn as the UI goroutine would, in turn with the app.
func onUI(fn func()) {
	uiMu.Lock()
	defer uiMu.Unlock()
	fn()
}
