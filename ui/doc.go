// Package ui is Dossier's desktop interface, built with Fyne. It holds no
// business logic: it calls package store (and later export) for everything,
// runs slow work (unlocking, searching) off the UI goroutine and updates
// widgets through fyne.Do. It never imports fyne.io/fyne/v2/app, so every
// screen can be driven headless in tests with fyne.io/fyne/v2/test.
package ui
