//go:build !windows

package main

import "os"

// openExclusive: elsewhere than Windows, opening a file cannot keep
// others out; windows.txtar runs on Windows only.
func openExclusive(name string) (*os.File, error) { return os.OpenFile(name, os.O_RDWR, 0) }
