package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

func TestStatisticsFollowTheListAndCopy(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "Statistics")
	eventually(t, "the dialog", func() bool {
		return labelWith(w, "4 cases, as the list shows them now") && labelWith(w, "By perpetrator")
	})
	clip := fyne.CurrentApp().Clipboard()
	if c := clip.Content(); c != "" {
		t.Fatalf("clipboard written before Copy: %q", c)
	}
	press(t, w, "Copy as text")
	text := clip.Content()
	for _, want := range []string{"4 cases, as the list shows them now", "Arbitrary arrest\t1", "By perpetrator\nPolice\t2", "By country\n", "RU\t1", "By year of the incident\n2025\t3\n2024\t1", "(not recorded)\t1"} {
		if !strings.Contains(text, want) {
			t.Errorf("statistics lack %q:\n%s", want, text)
		}
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
	eventually(t, "the filtered list", func() bool { return a.main.count.Text == "2 cases" })
	press(t, w, "Statistics")
	eventually(t, "the filtered statistics", func() bool { return labelWith(w, "2 cases, as the list shows them now") })
	press(t, w, "Copy as text")
	if text := clip.Content(); !strings.Contains(text, "2 cases, as the list shows them now") || strings.Contains(text, "ID\t") {
		t.Fatalf("filtered statistics:\n%s", text)
	}
}
