package main

import (
	"fmt"
	"os"
	"time"
)

// holdFile opens file (alone, sharing it with no one, when exclusive is
// set), creates ready and waits to be killed: the other program of the
// tests of windows.txtar.
func holdFile(file, ready string, exclusive bool) int {
	open := func(name string) (*os.File, error) { return os.OpenFile(name, os.O_RDWR, 0) }
	if exclusive {
		open = openExclusive
	}
	f, err := open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	if err := os.WriteFile(ready, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	time.Sleep(time.Hour)
	return 0
}
