package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/store"
)

// caseView renders a case read-only, vocabulary in the person's language.
// Case text goes into plain labels, never markdown, so nothing in a
// narrative is interpreted.
//
// Text from a vault written before the text rules may hold control
// characters: it is shown escaped (store.Case.Visible), never raw.
func caseView(a *App, c *store.Case) []fyne.CanvasObject {
	c = c.Visible()
	l := a.lang
	var out []fyne.CanvasObject
	text := func(s string) {
		w := widget.NewLabel(s)
		w.Wrapping = fyne.TextWrapWord
		out = append(out, w)
	}
	head := func(s string) {
		out = append(out, widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	field := func(key, val string) {
		if val != "" {
			text(a.T(key) + ": " + val)
		}
	}
	title := widget.NewLabelWithStyle(c.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	out = append(out, title, widget.NewLabelWithStyle(c.Reference, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}))
	if c.NeedsReview {
		w := widget.NewLabel("⚑ " + a.T("ui.main.needs_review"))
		w.Importance = widget.WarningImportance
		out = append(out, w)
	}
	date := c.IncidentDate
	if c.IncidentEndDate != "" {
		date += " – " + c.IncidentEndDate
	}
	if c.DateEstimated && date != "" {
		date += " (" + a.T("ui.case.estimated") + ")"
	}
	field("ui.case.incident_date", date)
	var place []string
	for _, p := range []string{c.Locality, c.Region, c.Country, assets.VocabLabel(l, "place_type", c.PlaceType)} {
		if p != "" {
			place = append(place, p)
		}
	}
	field("ui.case.place", strings.Join(place, ", "))
	field("ui.case.status", assets.VocabLabel(l, "case_status", c.Status))
	field("ui.case.tags", strings.Join(c.Tags, ", "))
	text(a.T("ui.case.revision", c.Revision, when(c.UpdatedAt)))
	if c.Narrative != "" {
		head(a.T("ui.case.narrative"))
		text(c.Narrative)
	}
	if len(c.People) > 0 {
		head(a.T("ui.case.people"))
		for _, p := range c.People {
			var parts []string
			for _, r := range p.Roles {
				parts = append(parts, assets.VocabLabel(l, "role", r))
			}
			line := p.Pseudonym + " (" + strings.Join(parts, ", ") + ")"
			if p.LegalName != "" {
				line += " — " + p.LegalName
			}
			var extra []string
			if p.Gender != "" {
				extra = append(extra, assets.VocabLabel(l, "gender", p.Gender))
			}
			if p.Age != nil {
				extra = append(extra, strconv.Itoa(*p.Age))
			}
			if p.AgeGroup != "" {
				extra = append(extra, assets.VocabLabel(l, "age_group", p.AgeGroup))
			}
			for _, ch := range p.Characteristics {
				extra = append(extra, assets.VocabLabel(l, "characteristic", ch))
			}
			if len(extra) > 0 {
				line += ": " + strings.Join(extra, "; ")
			}
			text("• " + line)
		}
	}
	if len(c.Violations) > 0 {
		head(a.T("ui.case.violations"))
		for _, v := range c.Violations {
			line := assets.VocabLabel(l, "violation", v.Type)
			if v.Date != "" {
				line += ", " + v.Date
			}
			if v.Perpetrator != "" {
				line += " — " + assets.VocabLabel(l, "perpetrator", v.Perpetrator)
			}
			if v.PerpetratorDetails != "" {
				line += " (" + v.PerpetratorDetails + ")"
			}
			if v.Victim != "" {
				line += " → " + v.Victim
			}
			if v.Description != "" {
				line += ": " + v.Description
			}
			text("• " + line)
			for _, d := range []struct{ key, val string }{{"ui.edit.method", v.Method}, {"ui.edit.consequences", v.Consequences}} {
				if d.val != "" {
					text("   " + a.T(d.key) + " — " + d.val)
				}
			}
		}
	}
	if len(c.Interventions) > 0 {
		head(a.T("ui.case.interventions"))
		for _, x := range c.Interventions {
			line := assets.VocabLabel(l, "intervention", x.Type)
			if x.Status != "" {
				line += " (" + assets.VocabLabel(l, "intervention_status", x.Status) + ")"
			}
			if who := strings.TrimSpace(x.Date + " " + x.By); who != "" {
				line += ", " + who
			}
			if x.Outcome != "" {
				line += ": " + x.Outcome
			}
			text("• " + line)
		}
	}
	if len(c.Notes) > 0 {
		head(a.T("ui.case.notes"))
		for _, n := range c.Notes {
			text("• " + strings.TrimSpace(n.Date+" "+n.Author) + ": " + n.Text)
		}
	}
	if c.Consent != nil {
		head(a.T("ui.case.consent"))
		if !c.Consent.Obtained {
			text(a.T("ui.case.consent_none"))
		} else {
			var scopes []string
			for _, s := range c.Consent.Scope {
				scopes = append(scopes, assets.VocabLabel(l, "consent_scope", s))
			}
			text("✓ " + strings.Join(scopes, ", "))
		}
		if who := strings.TrimSpace(c.Consent.Date + " " + c.Consent.By); who != "" {
			text(who)
		}
	}
	return out
}
