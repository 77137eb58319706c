package main

import "fmt"

// count writes n with its noun in English singular or plural: "1 case",
// "0 cases", "2 cases". The command line speaks English only; the app's
// translated plurals live in assets.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// pick returns one when n is 1, else many: for the verb or pronoun that
// agrees with a count ("1 file was", "2 files were").
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// evidenceCount says how many evidence files there are and, apart, how
// many stripped copies (derivatives of them with the metadata removed,
// which are not further evidence): "3 evidence files (plus 1 stripped
// copy)". A share may carry stripped copies only.
func evidenceCount(originals, stripped int) string {
	files := count(originals, "evidence file", "evidence files")
	switch {
	case stripped == 0:
		return files
	case originals == 0:
		return count(stripped, "stripped copy of an evidence file", "stripped copies of evidence files")
	}
	return fmt.Sprintf("%s (plus %s)", files, count(stripped, "stripped copy", "stripped copies"))
}
