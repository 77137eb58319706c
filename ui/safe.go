package ui

import (
	"fmt"
	"reflect"
	"regexp"
	"runtime/debug"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// A bug in the interface must not end the program in a person's hands: a
// panic in a callback, in work done off the UI goroutine or in an update
// sent back to it is recovered where Fyne or the goroutine would have let
// it end the process. What is typed is kept as a draft, the log gets the
// call stack without values (the panic's own message can quote a case, so
// only its type is logged), and the person is told.

// current is the app whose window reports a recovered panic: one window
// per process.
var current atomic.Pointer[App]

// runOnUI hands fn to the UI goroutine; tests replace it.
var runOnUI = fyne.Do

// do runs fn on the UI goroutine, recovering a panic in it.
func do(fn func()) {
	runOnUI(func() {
		defer recovered()
		fn()
	})
}

// goSafe runs fn on a new goroutine, recovering a panic in it.
func goSafe(fn func()) {
	go func() {
		defer recovered()
		fn()
	}()
}

// safe wraps a callback a person triggers (a button, a picker, a menu
// item, a dialog's answer) so that a panic in it is recovered. F is any
// function type without results.
func safe[F any](fn F) F {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return fn
	}
	if v.Type().NumOut() != 0 {
		panic("ui.safe: a callback with results") // a programming error, caught by the tests
	}
	return reflect.MakeFunc(v.Type(), func(args []reflect.Value) []reflect.Value {
		defer recovered()
		v.Call(args)
		return nil
	}).Interface().(F)
}

// recovered is deferred by every guard: it recovers a panic and reports
// it. It must be called directly by the deferred call for recover to work.
func recovered() {
	r := recover()
	if r == nil {
		return
	}
	a := current.Load()
	report := crashReport(r, debug.Stack())
	if a == nil {
		return
	}
	a.log.WithField("report", report).Error("a fault in the interface was stopped; nothing saved was lost")
	a.crashes.Add(1)
	// Off this call: the panic may have left the widgets half-changed,
	// and the dialog and the draft need a sound UI goroutine turn.
	runOnUI(func() {
		defer func() { recover() }() // a second fault here must not end the program either
		a.afterCrash(report)
	})
}

// argList, pcSuffix and goHeader find what a stack holds besides the
// functions and the files: argument words, pointers and offsets.
var (
	argList  = regexp.MustCompile(`\([^()]*\)$`)
	pcSuffix = regexp.MustCompile(` \+0x[0-9a-f]+$`)
	goHeader = regexp.MustCompile(`^goroutine \d+ .*`)
)

// crashReport is what is logged of a panic: its type and the stack's
// functions and lines, with no argument values.
func crashReport(r any, stack []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "panic of type %T\n", r)
	if err, ok := r.(error); ok && isRuntimeError(err) {
		// Runtime errors ("index out of range [-1]") hold no content.
		b.WriteString(err.Error() + "\n")
	}
	for _, line := range strings.Split(string(stack), "\n") {
		line = goHeader.ReplaceAllString(line, "goroutine")
		if !strings.HasPrefix(line, "\t") {
			line = argList.ReplaceAllString(line, "(…)")
		}
		line = pcSuffix.ReplaceAllString(line, "")
		if strings.TrimSpace(line) != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func isRuntimeError(err error) bool {
	_, ok := err.(interface{ RuntimeError() })
	return ok
}

// afterCrash keeps what is typed and tells the person.
func (a *App) afterCrash(report string) {
	if m := a.main; m != nil && m.editor != nil && !m.editor.closed {
		m.editor.keepDraft()
	}
	copyBtn := widget.NewButton(a.T("ui.crash.copy"), safe(func() {
		a.win.Clipboard().SetContent(report)
	}))
	msg := wrapLabel(a.T("ui.crash.message"))
	d := dialog.NewCustom(a.T("ui.crash.title"), a.T("ui.close"), container.NewVBox(msg, container.NewHBox(copyBtn)), a.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}
