package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/store"
)

// showStats counts the cases the list shows now (search and filters) by
// status, country, year, violation and perpetrator, in the person's
// language, off the UI goroutine. It returns the text the dialog shows
// (through the channel), for tests.
func (m *mainScreen) showStats() <-chan string {
	a := m.a
	a.touch()
	q := m.query()
	done := make(chan string, 1)
	// About a second over 100,000 cases (docs/performance.md).
	wait := dialog.NewCustomWithoutButtons(a.T("ui.stats.title"), widget.NewProgressBarInfinite(), a.win)
	wait.Show()
	goSafe(func() {
		// The vault's defaults: cases consented to statistics only, small
		// counts hidden, so that what is copied can be published.
		st, err := m.v.Stats(m.ctx, q, store.StatsOptions{})
		do(func() {
			wait.Hide()
			if m.ctx.Err() != nil {
				return // locked meanwhile
			}
			if err != nil {
				a.showError(a.message(err))
				done <- ""
				return
			}
			text := m.statsText(st)
			grid := container.NewGridWithColumns(2)
			for _, t := range m.statsTables(st) {
				box := container.NewVBox(widget.NewLabelWithStyle(t.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
				for _, r := range t.rows {
					box.Add(container.NewBorder(nil, nil, nil, widget.NewLabel(r.n), widget.NewLabel(r.label)))
				}
				grid.Add(box)
			}
			head := widget.NewLabel(m.statsHead(st))
			head.Wrapping = fyne.TextWrapWord
			copyBtn := widget.NewButtonWithIcon(a.T("ui.stats.copy"), theme.ContentCopyIcon(), safe(func() {
				// Counts and vocabulary labels only: no case content.
				fyne.CurrentApp().Clipboard().SetContent(text)
				a.touch()
			}))
			scroll := a.readScroll(container.NewVBox(head, grid))
			scroll.SetMinSize(fyne.NewSize(640, 460))
			dialog.ShowCustom(a.T("ui.stats.title"), a.T("ui.close"), container.NewBorder(nil, copyBtn, nil, nil, scroll), a.win)
			a.log.Info("statistics shown")
			done <- text
		})
	})
	return done
}

type statsTable struct {
	title string
	rows  []statsRow
}

type statsRow struct {
	label string
	n     string // the count, or "—" when hidden
}

// statsHead says what was counted and what was left out, and why.
func (m *mainScreen) statsHead(st *store.Stats) string {
	a := m.a
	var lines []string
	if st.TotalHidden {
		lines = append(lines, a.N("ui.stats.head_hidden", st.MinCount))
	} else {
		lines = append(lines, a.N("ui.stats.head", st.Total))
	}
	if st.NotConsented > 0 {
		lines = append(lines, a.N("ui.stats.not_consented", st.NotConsented))
	}
	if st.MinCount > 1 {
		lines = append(lines, a.N("ui.stats.hidden_note", st.MinCount))
	}
	return strings.Join(lines, "\n")
}

// statsTables labels the counts in the person's language.
func (m *mainScreen) statsTables(st *store.Stats) []statsTable {
	a := m.a
	var out []statsTable
	for _, t := range []struct {
		key, name, vocab string
		rows             []store.Count
	}{
		{"ui.stats.by_violation", "violation", "violation", st.ByViolation},
		{"ui.stats.by_perpetrator", "perpetrator", "perpetrator", st.ByPerpetrator},
		{"ui.stats.by_country", "country", "", st.ByCountry},
		{"ui.stats.by_year", "year", "", st.ByYear},
		{"ui.stats.by_status", "status", "case_status", st.ByStatus},
	} {
		tt := statsTable{title: a.T(t.key)}
		switch {
		case slices.Contains(st.Withheld, t.name):
			tt.rows = append(tt.rows, statsRow{label: a.T("ui.stats.withheld")})
		case len(t.rows) == 0:
			// No case counted (none has consent to statistics, or the
			// filters leave none): an empty table would look broken.
			tt.rows = append(tt.rows, statsRow{label: a.T("ui.stats.empty")})
		}
		for _, r := range t.rows {
			label := r.Key
			switch {
			case r.Key == "":
				label = a.T("ui.stats.none")
			case t.vocab != "":
				label = assets.VocabLabel(a.lang, t.vocab, r.Key)
			}
			n := fmt.Sprint(r.N)
			if r.Hidden {
				n = "—"
			}
			tt.rows = append(tt.rows, statsRow{label, n})
		}
		out = append(out, tt)
	}
	return out
}

// statsText is the tables as plain text, for pasting into a report.
func (m *mainScreen) statsText(st *store.Stats) string {
	var b strings.Builder
	b.WriteString(m.statsHead(st) + "\n")
	for _, t := range m.statsTables(st) {
		b.WriteString("\n" + t.title + "\n")
		for _, r := range t.rows {
			if r.n == "" {
				b.WriteString(r.label + "\n")
				continue
			}
			fmt.Fprintf(&b, "%s\t%s\n", r.label, r.n)
		}
	}
	return b.String()
}
