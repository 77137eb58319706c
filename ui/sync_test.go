package ui

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

// In tests, uiMu serialises what the real driver's UI goroutine would: the
// app's do() callbacks and the test's own use of the widgets. It is
// re-entrant per goroutine, so helpers can take it whether or not their
// caller holds it already.
var (
	uiMu    sync.Mutex
	uiOwner atomic.Int64
)

func init() { runOnUI = onUI }

func goroutineID() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _ := strconv.ParseInt(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}

// onUI runs fn as the UI goroutine would, in turn with the app.
func onUI(fn func()) {
	id := goroutineID()
	if uiOwner.Load() == id {
		fn()
		return
	}
	uiMu.Lock()
	uiOwner.Store(id)
	defer func() {
		uiOwner.Store(0)
		uiMu.Unlock()
	}()
	fn()
}
