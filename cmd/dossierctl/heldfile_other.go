//go:build !windows

package main

// heldByAnotherProgram: only Windows refuses to read, replace or remove a
// file that another program has open (see heldfile_windows.go).
func heldByAnotherProgram(error) bool { return false }
