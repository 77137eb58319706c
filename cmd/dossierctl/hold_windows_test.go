package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// openExclusive opens name sharing it with no one, as many Windows
// programs open the documents they edit: until it is closed, other
// programs can neither read, write, rename nor delete it.
func openExclusive(name string) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "CreateFile", Path: name, Err: err}
	}
	return os.NewFile(uintptr(h), name), nil
}
