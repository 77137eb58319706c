package assets

import (
	"slices"
	"strings"
	"testing"
)

// Every translation has exactly the keys of the English one, and no text is
// empty.
func TestTranslationsHaveEnglishKeys(t *testing.T) {
	en, err := Messages("en")
	if err != nil {
		t.Fatal(err)
	}
	if len(en) < 100 {
		t.Fatalf("English has only %d keys", len(en))
	}
	for _, l := range Languages {
		m, err := Messages(l)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has key %q that English lacks", l, k)
			}
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
		}
		for k := range en {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks key %q", l, k)
			}
		}
	}
	ents, _ := FS.ReadDir("i18n")
	var files []string
	for _, e := range ents {
		files = append(files, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(files)
	want := slices.Clone(Languages)
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Fatalf("translation files %v, languages %v", files, want)
	}
}

func TestLabelFallbacks(t *testing.T) {
	if got := VocabLabel("fr", "violation", "extortion"); got != "Extorsion" {
		t.Fatalf("got %q", got)
	}
	if got := VocabLabel("ru", "perpetrator", "police"); got != "Полиция" {
		t.Fatalf("got %q", got)
	}
	if got := Label("xx", "violation.extortion"); got != "Extortion" {
		t.Fatalf("unknown language: got %q", got)
	}
	if got := Label("en", "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key: got %q", got)
	}
	if _, err := Messages("xx"); err == nil {
		t.Fatal("unknown language accepted")
	}
}
