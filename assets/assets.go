// Package assets holds what Dossier ships besides code: the translations of
// every label a person sees (vocabulary labels and interface strings) in
// English, French, Spanish, Russian, Portuguese and Indonesian.
//
// Translations are flat JSON objects, one file per language under i18n/,
// key to text. English is the reference: every other file has exactly its
// keys (a test checks it). Vocabulary labels are keyed "VOCABULARY.KEY",
// for example "violation.extortion", where KEY is the stable value stored in
// the database.
//
// A message that holds a count is an object instead of a text: one text
// per plural form the language uses, named as in CLDR (zero, one, two,
// few, many, other), each with one %d for the count:
//
//	"ui.n.cases": {"one": "%d дело", "few": "%d дела", "many": "%d дел", "other": "%d дела"}
//
// Plural picks the form; Label and Messages know only the plain texts. A
// message with several counts is a plain text with a %s for each, filled
// with count messages.
package assets

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:embed i18n/*.json
var FS embed.FS

// Languages are the supported languages, as BCP 47 codes, English first.
var Languages = []string{"en", "fr", "es", "ru", "pt", "id"}

var (
	once    sync.Once
	table   map[string]map[string]string            // language, key: text
	plurals map[string]map[string]map[string]string // language, key, plural form: text
	err     error
)

func load() {
	table = map[string]map[string]string{}
	plurals = map[string]map[string]map[string]string{}
	for _, l := range Languages {
		b, e := FS.ReadFile("i18n/" + l + ".json")
		if e != nil {
			err = fmt.Errorf("assets: %w", e)
			return
		}
		raw := map[string]json.RawMessage{}
		if e := json.Unmarshal(b, &raw); e != nil {
			err = fmt.Errorf("assets: i18n/%s.json: %w", l, e)
			return
		}
		m, p := map[string]string{}, map[string]map[string]string{}
		for k, v := range raw {
			var e error
			if bytes.HasPrefix(v, []byte("{")) {
				forms := map[string]string{}
				e = json.Unmarshal(v, &forms)
				p[k] = forms
			} else {
				var s string
				e = json.Unmarshal(v, &s)
				m[k] = s
			}
			if e != nil {
				err = fmt.Errorf("assets: i18n/%s.json: %s: %w", l, k, e)
				return
			}
		}
		table[l], plurals[l] = m, p
	}
}

// Messages returns the plain translations of one language, key to text,
// without the count messages. Do not modify the map.
func Messages(lang string) (map[string]string, error) {
	once.Do(load)
	if err != nil {
		return nil, err
	}
	m, ok := table[lang]
	if !ok {
		return nil, fmt.Errorf("assets: no translation for language %q", lang)
	}
	return m, nil
}

// Label returns the text of key in lang, falling back to English, then to
// the key itself, so a missing translation never hides a value.
func Label(lang, key string) string {
	once.Do(load)
	if s, ok := table[lang][key]; ok {
		return s
	}
	if s, ok := table["en"][key]; ok {
		return s
	}
	return key
}

// Plural returns the count message key in lang for the count n: the text
// of the plural form n takes in lang, with n in place of its %d, such as
// Plural("ru", "ui.n.cases", 22) = "22 дела". A form the translation lacks
// falls back to its "other"; a message lang lacks, to English; a key no
// language has gives the key and n, so a missing translation never hides a
// value.
func Plural(lang, key string, n int) string {
	once.Do(load)
	for _, l := range []string{lang, "en"} {
		forms, ok := plurals[l][key]
		if !ok {
			continue
		}
		s, ok := forms[PluralForm(l, n)]
		if !ok {
			s = forms["other"]
		}
		return fmt.Sprintf(s, n)
	}
	return key + " " + strconv.Itoa(n)
}

// pluralForms are the names of x/text's plural forms, as in CLDR.
var pluralForms = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one",
	plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

// PluralForm returns the CLDR plural form, or category, that the whole
// number n takes in lang: "one", "few", "many", "other" and so on. For
// example, Russian says 1 and 21 with "one", 2 to 4 and 22 with "few", 5
// to 20, 11 and 111 with "many"; French says 0 and 1 with "one";
// Indonesian has only "other". An unknown language gets English's rules.
func PluralForm(lang string, n int) string {
	tag, e := language.Parse(lang)
	if e != nil {
		tag = language.English
	}
	if n < 0 {
		n = -n // CLDR's rules apply to the absolute value
	}
	if n >= 10_000_000 {
		// x/text takes operands modulo 10,000,000; keep i % 1,000,000
		// and stay above 1, so that 10,000,000 is not taken for 0.
		n = n%1_000_000 + 1_000_000
	}
	return pluralForms[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
}

// VocabLabel returns the label of a vocabulary value, such as
// VocabLabel("fr", "violation", "extortion") = "Extorsion".
func VocabLabel(lang, vocabulary, key string) string {
	if key == "" {
		return ""
	}
	return Label(lang, vocabulary+"."+key)
}

// Icon is the application icon, a 256×256 PNG.
//
//go:embed icon.png
var Icon []byte

// NeutralIcon is the icon of the neutral window (a plain page, 256×256
// PNG): nothing in it says what the program is for.
//
//go:embed neutral-icon.png
var NeutralIcon []byte
