// Package assets holds what Dossier ships besides code: the translations of
// every label a person sees (vocabulary labels and interface strings) in
// English, French, Spanish, Russian, Portuguese and Indonesian.
//
// Translations are flat JSON objects, one file per language under i18n/,
// key to text. English is the reference: every other file has exactly its
// keys (a test checks it). Vocabulary labels are keyed "VOCABULARY.KEY",
// for example "violation.extortion", where KEY is the stable value stored in
// the database.
package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:embed i18n/*.json
var FS embed.FS

// Languages are the supported languages, as BCP 47 codes, English first.
var Languages = []string{"en", "fr", "es", "ru", "pt", "id"}

var (
	once  sync.Once
	table map[string]map[string]string
	err   error
)

func load() {
	table = map[string]map[string]string{}
	for _, l := range Languages {
		b, e := FS.ReadFile("i18n/" + l + ".json")
		if e != nil {
			err = fmt.Errorf("assets: %w", e)
			return
		}
		m := map[string]string{}
		if e := json.Unmarshal(b, &m); e != nil {
			err = fmt.Errorf("assets: i18n/%s.json: %w", l, e)
			return
		}
		table[l] = m
	}
}

// Messages returns the translations of one language, key to text. Do not
// modify the map.
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
