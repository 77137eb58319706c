package main

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// heldByAnotherProgram reports whether Windows refused a file operation
// because another program holds the file: open without sharing, locked,
// or open while Dossier replaces it (a rename over a file that another
// program has open fails with "Access is denied"). Linux lets all of
// these happen, so they surprise on Windows only.
func heldByAnotherProgram(err error) bool {
	if errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return true
	}
	var le *os.LinkError
	return errors.As(err, &le) && errors.Is(err, windows.ERROR_ACCESS_DENIED)
}
