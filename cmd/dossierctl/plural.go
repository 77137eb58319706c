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
