package main

import (
	"os"
	"testing"
)

// tempDir is t.TempDir, except under Wine (make test-windows), where Go's
// os.RemoveAll cannot remove files: Go 1.26 deletes them with
// FileDispositionInformationEx (Windows 10 1607 and later), which Wine
// 8.0 answers with "Invalid function", and t.TempDir's cleanup would fail
// every test. There the folder is left to the Wine prefix, which
// windows/test.sh removes whole.
func tempDir(t *testing.T) string {
	if !underWine() {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "dossier-test-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
