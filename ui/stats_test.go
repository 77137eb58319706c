package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

func TestStatisticsFollowTheListAndCopy(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	// None of the four cases consented to statistics: none is counted,
	// and the dialog says so.
	press(t, w, "Statistics")
	eventually(t, "the dialog", func() bool {
		return labelWith(w, "0 cases, as the list shows them now") && labelWith(w, "4 cases are not counted: their consent does not include anonymised statistics.") &&
			labelWith(w, "Counts under 5 are hidden (—)") && labelWith(w, "By perpetrator")
	})
	// Each table says it has nothing to count, rather than stand empty.
	if n := countLabels(w, "Nothing to count: no case here is counted."); n != 5 {
		t.Fatalf("%d of the 5 tables say they have nothing to count", n)
	}
	press(t, w, "Close")

	// Thirteen more, consented; one is alone in its country.
	var more strings.Builder
	for range 6 {
		more.WriteString(`{"title":"t","incident_date":"2025-03","country":"RU","violations":[{"type":"arbitrary_arrest","perpetrator":"police"}],"consent":{"obtained":true,"scope":["anonymised_statistics"]}}` + "\n")
		more.WriteString(`{"title":"t","incident_date":"2024-05","country":"BO","violations":[{"type":"extortion","perpetrator":"police"}],"consent":{"obtained":true,"scope":["anonymised_statistics"]}}` + "\n")
	}
	more.WriteString(`{"title":"t","incident_date":"2025-06","country":"ID","violations":[{"type":"denial_of_oat","perpetrator":"health_worker"}],"consent":{"obtained":true,"scope":["anonymised_statistics","legal_partners"]}}` + "\n")
	if _, err := a.Vault().AddCases(t.Context(), strings.NewReader(more.String())); err != nil {
		t.Fatal(err)
	}
	press(t, w, "Statistics")
	eventually(t, "the dialog", func() bool {
		return labelWith(w, "13 cases, as the list shows them now") && labelWith(w, "By perpetrator")
	})
	clip := fyne.CurrentApp().Clipboard()
	if c := clip.Content(); c != "" {
		t.Fatalf("clipboard written before Copy: %q", c)
	}
	press(t, w, "Copy as text")
	text := clip.Content()
	// ID's single case is hidden, and RU's 6 with it (else ID's would be
	// the total less the rest); BO's 6 show. Police's 12 would give away
	// the one health worker's: both are hidden.
	for _, want := range []string{"13 cases, as the list shows them now", "4 cases are not counted", "By country\nBO\t6\n", "ID\t—", "RU\t—",
		"By violation\nArbitrary arrest\t6\n", "By perpetrator\nHealth worker\t—\nPolice\t—\n", "By year of the incident\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("statistics lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\t1\n") {
		t.Errorf("a count of 1 is shown:\n%s", text)
	}
	// Counts and vocabulary only: no case content.
	for _, content := range []string{"аптеки", "шприцы", "Пётр", "metadon", "retén", "compulsória"} {
		if strings.Contains(text, content) {
			t.Errorf("the copied statistics hold %q", content)
		}
	}
	press(t, w, "Close")
	// The Vault menu opens it too.
	menu(t, w, "Vault", "Statistics…")
	eventually(t, "the dialog from the menu", func() bool { return labelWith(w, "By perpetrator") })
	press(t, w, "Close")

	// With a filter, only what the list shows is counted.
	choose(t, w, a.main.perpetrator, "Police")
	eventually(t, "the filtered list", func() bool { return a.main.count.Text == "14 cases" })
	press(t, w, "Statistics")
	eventually(t, "the filtered statistics", func() bool {
		return labelWith(w, "12 cases, as the list shows them now") && labelWith(w, "2 cases are not counted")
	})
	press(t, w, "Copy as text")
	if text := clip.Content(); !strings.Contains(text, "12 cases, as the list shows them now") || strings.Contains(text, "ID\t") {
		t.Fatalf("filtered statistics:\n%s", text)
	}
}

// countLabels counts the visible labels whose text is exactly text.
func countLabels(w fyne.Window, text string) int {
	n := 0
	onUI(func() {
		for _, root := range append(w.Canvas().Overlays().List(), w.Content()) {
			for _, o := range shown(root) {
				if l, ok := o.(*widget.Label); ok && l.Text == text {
					n++
				}
			}
		}
	})
	return n
}
