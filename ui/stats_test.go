package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestStatisticsFollowTheListAndCopy(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	var got <-chan string
	onUI(func() { got = a.main.showStats() })
	var text string
	select {
	case text = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no statistics")
	}
	for _, want := range []string{"4 cases, as the list shows them now", "Arbitrary arrest\t1", "By perpetrator\nPolice\t2", "By country\n", "RU\t1", "By year of the incident\n2025\t3\n2024\t1", "(not recorded)\t1"} {
		if !strings.Contains(text, want) {
			t.Errorf("statistics lack %q:\n%s", want, text)
		}
	}
	eventually(t, "the dialog", func() bool {
		return labelWith(w, "4 cases, as the list shows them now") && labelWith(w, "By perpetrator")
	})
	if c := fyne.CurrentApp().Clipboard().Content(); c != "" {
		t.Fatalf("clipboard written before Copy: %q", c)
	}
	onUI(func() { test.Tap(button(t, w, "Copy as text")) })
	if c := fyne.CurrentApp().Clipboard().Content(); c != text {
		t.Fatalf("clipboard %q", c)
	}
	onUI(func() { test.Tap(button(t, w, "Close")) })
	// The empty detail pane and the Vault menu open it too.
	button(t, w, "Statistics")
	if item := w.MainMenu().Items[0].Items[1]; item.Label != "Statistics…" {
		t.Fatalf("menu item %q", item.Label)
	} else {
		onUI(item.Action)
	}
	eventually(t, "the dialog from the menu", func() bool { return labelWith(w, "By perpetrator") })
	onUI(func() { test.Tap(button(t, w, "Close")) })

	// With a filter, only what the list shows is counted.
	onUI(func() { a.main.perpetrator.SetSelected("Police") })
	eventually(t, "the filtered list", func() bool { return a.main.count.Text == "2 cases" })
	onUI(func() { got = a.main.showStats() })
	select {
	case text = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no statistics")
	}
	if !strings.Contains(text, "2 cases, as the list shows them now") || strings.Contains(text, "ID\t") {
		t.Fatalf("filtered statistics:\n%s", text)
	}
}
