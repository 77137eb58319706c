// Package ui is Dossier's desktop interface, built with Fyne. It holds no
// business logic: it calls packages [store] and [export] for everything,
// runs slow work (unlocking, searching, writing bundles) off the UI
// goroutine with goSafe, and updates widgets from there through do, which
// wraps [fyne.Do]. Every callback is wrapped in safe, so that a panic is
// reported instead of closing the window. It never imports
// fyne.io/fyne/v2/app, so every screen can be driven headless in tests with
// fyne.io/fyne/v2/test.
package ui
