package assets

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every translation has exactly the keys of the English one, plain and
// count messages alike, and no text is empty.
func TestTranslationsHaveEnglishKeys(t *testing.T) {
	once.Do(load)
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
		for k, forms := range plurals[l] {
			if _, ok := plurals["en"][k]; !ok {
				t.Errorf("%s has count message %q that English lacks or has as plain text", l, k)
			}
			for f, v := range forms {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s: %q, form %q is empty", l, k, f)
				}
			}
		}
		for k := range plurals["en"] {
			if _, ok := plurals[l][k]; !ok {
				t.Errorf("%s lacks count message %q, or has it as plain text", l, k)
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

// The numbers the plural tests try: each CLDR rule of the six languages
// changes form somewhere among them.
var counts = []int{0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111}

func TestPluralPerLanguage(t *testing.T) {
	want := map[string]map[string][]string{
		"ui.n.cases": {
			"en": {"0 cases", "1 case", "2 cases", "3 cases", "5 cases", "11 cases", "21 cases", "22 cases", "25 cases", "101 cases", "111 cases"},
			"fr": {"0 cas", "1 cas", "2 cas", "3 cas", "5 cas", "11 cas", "21 cas", "22 cas", "25 cas", "101 cas", "111 cas"},
			"es": {"0 casos", "1 caso", "2 casos", "3 casos", "5 casos", "11 casos", "21 casos", "22 casos", "25 casos", "101 casos", "111 casos"},
			"ru": {"0 дел", "1 дело", "2 дела", "3 дела", "5 дел", "11 дел", "21 дело", "22 дела", "25 дел", "101 дело", "111 дел"},
			"pt": {"0 caso", "1 caso", "2 casos", "3 casos", "5 casos", "11 casos", "21 casos", "22 casos", "25 casos", "101 casos", "111 casos"},
			"id": {"0 kasus", "1 kasus", "2 kasus", "3 kasus", "5 kasus", "11 kasus", "21 kasus", "22 kasus", "25 kasus", "101 kasus", "111 kasus"},
		},
		"ui.n.evidence_files": {
			"en": {"0 evidence files", "1 evidence file", "2 evidence files", "3 evidence files", "5 evidence files", "11 evidence files", "21 evidence files", "22 evidence files", "25 evidence files", "101 evidence files", "111 evidence files"},
			// French says 0 and 1 in the singular.
			"fr": {"0 fichier de preuve", "1 fichier de preuve", "2 fichiers de preuve", "3 fichiers de preuve", "5 fichiers de preuve", "11 fichiers de preuve", "21 fichiers de preuve", "22 fichiers de preuve", "25 fichiers de preuve", "101 fichiers de preuve", "111 fichiers de preuve"},
			"es": {"0 archivos de pruebas", "1 archivo de pruebas", "2 archivos de pruebas", "3 archivos de pruebas", "5 archivos de pruebas", "11 archivos de pruebas", "21 archivos de pruebas", "22 archivos de pruebas", "25 archivos de pruebas", "101 archivos de pruebas", "111 archivos de pruebas"},
			"ru": {"0 файлов доказательств", "1 файл доказательств", "2 файла доказательств", "3 файла доказательств", "5 файлов доказательств", "11 файлов доказательств", "21 файл доказательств", "22 файла доказательств", "25 файлов доказательств", "101 файл доказательств", "111 файлов доказательств"},
			// CLDR's Portuguese (Brazil's) counts 0 with 1, as French does.
			"pt": {"0 arquivo de provas", "1 arquivo de provas", "2 arquivos de provas", "3 arquivos de provas", "5 arquivos de provas", "11 arquivos de provas", "21 arquivos de provas", "22 arquivos de provas", "25 arquivos de provas", "101 arquivos de provas", "111 arquivos de provas"},
			"id": {"0 berkas bukti", "1 berkas bukti", "2 berkas bukti", "3 berkas bukti", "5 berkas bukti", "11 berkas bukti", "21 berkas bukti", "22 berkas bukti", "25 berkas bukti", "101 berkas bukti", "111 berkas bukti"},
		},
	}
	for key, langs := range want {
		if len(langs) != len(Languages) {
			t.Fatalf("%s: test covers %d languages, not %d", key, len(langs), len(Languages))
		}
		for lang, texts := range langs {
			for i, n := range counts {
				if got := Plural(lang, key, n); got != texts[i] {
					t.Errorf("Plural(%q, %q, %d) = %q, want %q", lang, key, n, got, texts[i])
				}
			}
		}
	}
}

func TestPluralForm(t *testing.T) {
	once.Do(load)
	want := map[string][]string{ // forms of counts, in order
		"en": {"other", "one", "other", "other", "other", "other", "other", "other", "other", "other", "other"},
		"fr": {"one", "one", "other", "other", "other", "other", "other", "other", "other", "other", "other"},
		"es": {"other", "one", "other", "other", "other", "other", "other", "other", "other", "other", "other"},
		"ru": {"many", "one", "few", "few", "many", "many", "one", "few", "many", "one", "many"},
		"pt": {"one", "one", "other", "other", "other", "other", "other", "other", "other", "other", "other"},
		"id": {"other", "other", "other", "other", "other", "other", "other", "other", "other", "other", "other"},
	}
	for lang, forms := range want {
		for i, n := range counts {
			if got := PluralForm(lang, n); got != forms[i] {
				t.Errorf("PluralForm(%q, %d) = %q, want %q", lang, n, got, forms[i])
			}
		}
	}
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"ru", -21, "one"},        // the absolute value counts
		{"ru", 10_000_001, "one"}, // beyond x/text's operand range
		{"ru", 10_000_012, "many"},
		{"pt", 10_000_000, "other"}, // not taken for 0
		{"fr", 20_000_001, "other"},
		{"xx", 1, "one"}, // unknown language: English's rules
		{"xx", 2, "other"},
	} {
		if got := PluralForm(c.lang, c.n); got != c.want {
			t.Errorf("PluralForm(%q, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

func TestPluralFallbacks(t *testing.T) {
	if got := Plural("xx", "ui.n.cases", 1); got != "1 case" {
		t.Errorf("unknown language: %q", got)
	}
	if got := Plural("ru", "no.such.key", 3); got != "no.such.key 3" {
		t.Errorf("missing key: %q", got)
	}
	if got := Label("en", "ui.n.cases"); got != "ui.n.cases" {
		t.Errorf("Label of a count message: %q", got)
	}
}

// formsOf returns the plural forms whole numbers take in lang, with
// "other", which every count message has as its fallback.
func formsOf(lang string) map[string]bool {
	forms := map[string]bool{"other": true}
	for n := 0; n <= 1000; n++ {
		forms[PluralForm(lang, n)] = true
	}
	return forms
}

// Every count message has, in every language, a text for each form the
// language uses, none for a form it does not use, and exactly one %d in
// each text.
func TestCountMessagesHaveTheirForms(t *testing.T) {
	once.Do(load)
	if len(plurals["en"]) < 10 {
		t.Fatalf("only %d count messages", len(plurals["en"]))
	}
	if f := formsOf("ru"); len(f) != 4 || !f["one"] || !f["few"] || !f["many"] {
		t.Fatalf("Russian forms %v", f)
	}
	if f := formsOf("id"); len(f) != 1 {
		t.Fatalf("Indonesian forms %v", f)
	}
	for _, l := range Languages {
		need := formsOf(l)
		for key, forms := range plurals[l] {
			for f := range need {
				if _, ok := forms[f]; !ok {
					t.Errorf("%s: %q lacks the form %q", l, key, f)
				}
			}
			for f, text := range forms {
				if !need[f] {
					t.Errorf("%s: %q has the form %q, which %s does not use", l, key, f, l)
				}
				if verbs := verbs(text); len(verbs) != 1 || verbs[0] != "%d" {
					t.Errorf("%s: %q, form %q: %q must hold one %%d and no other verb", l, key, f, text)
				}
			}
		}
	}
}

var fmtVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)

// verbs returns the fmt verbs in s, without the escaped "%%".
func verbs(s string) []string {
	var vs []string
	for _, v := range fmtVerb.FindAllString(s, -1) {
		if v != "%%" {
			vs = append(vs, v)
		}
	}
	return vs
}

// A plain text with %d is a number that is not a count (a revision, a row);
// any other count must be a count message, so that it agrees with its
// number. New non-count numbers go on this list.
func TestCountsAreCountMessages(t *testing.T) {
	once.Do(load)
	notCounts := map[string]bool{"ui.case.revision": true, "ui.case.revision_of": true, "ui.edit.row": true, "ui.edit.saved": true, "ui.history.created": true,
		"ui.resolve.mine": true, "ui.resolve.theirs": true, "ui.resolve.done": true}
	for _, l := range Languages {
		for k, v := range table[l] {
			if strings.Contains(v, "%d") && !notCounts[k] {
				t.Errorf("%s: %q has a %%d: make it a count message (%q)", l, k, v)
			}
		}
	}
}

// No text hedges its plural with "(s)": count messages say it right.
func TestNoHedgedPlurals(t *testing.T) {
	once.Do(load)
	for _, l := range Languages {
		for k, v := range table[l] {
			if strings.Contains(v, "(s)") {
				t.Errorf("%s: %q: %q", l, k, v)
			}
		}
		for k, forms := range plurals[l] {
			for f, v := range forms {
				if strings.Contains(v, "(s)") {
					t.Errorf("%s: %q, form %q: %q", l, k, f, v)
				}
			}
		}
	}
}

// The import dialog promises only what happens: a case in conflict is
// marked with the list's own "needs review" label (the app has no view
// that compares the two versions yet), in every language.
func TestImportTextsNameTheNeedsReviewMark(t *testing.T) {
	for _, l := range Languages {
		mark := Label(l, "ui.main.needs_review")
		for _, key := range []string{"ui.import.would", "ui.import.done"} {
			if s := Label(l, key); !strings.Contains(s, mark) {
				t.Errorf("%s %s does not name the mark %q that the list shows: %s", l, key, mark, s)
			}
		}
	}
}
