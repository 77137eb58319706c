package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/store"
)

func newBuffered(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 64<<10) }

// printCase writes a case for a person to read, with vocabulary in English.
func printCase(w io.Writer, c *store.Case) {
	lbl := func(vocab, key string) string { return assets.VocabLabel("en", vocab, key) }
	field := func(name, val string) {
		if val != "" {
			fmt.Fprintf(w, "%-18s %s\n", name+":", val)
		}
	}
	fmt.Fprintf(w, "%s  %s\n", c.Reference, c.Title)
	field("ID", c.ID)
	date := c.IncidentDate
	if c.IncidentEndDate != "" {
		date += " to " + c.IncidentEndDate
	}
	if c.DateEstimated && date != "" {
		date += " (estimate)"
	}
	field("Incident date", date)
	var place []string
	for _, p := range []string{c.Locality, c.Region, c.Country} {
		if p != "" {
			place = append(place, p)
		}
	}
	field("Place", strings.Join(place, ", "))
	field("Place type", lbl("place_type", c.PlaceType))
	field("Status", lbl("case_status", c.Status))
	field("Violation status", lbl("violation_status", c.ViolationStatus))
	field("Priority", lbl("priority", c.Priority))
	field("Tags", strings.Join(c.Tags, ", "))
	if c.NeedsReview {
		field("Review", "NEEDS REVIEW (conflicting revisions were merged)")
	}
	field("Revision", fmt.Sprintf("%d, updated %s by %s; created %s by %s", c.Revision, c.UpdatedAt, c.UpdatedBy, c.CreatedAt, c.CreatedBy))
	field("Origin", c.OriginOrg)
	if c.Narrative != "" {
		fmt.Fprintf(w, "\nNarrative:\n%s\n", indent(c.Narrative))
	}
	if len(c.People) > 0 {
		fmt.Fprintln(w, "\nPeople:")
		for _, p := range c.People {
			var roles []string
			for _, r := range p.Roles {
				roles = append(roles, lbl("role", r))
			}
			var extra []string
			if p.Gender != "" {
				extra = append(extra, lbl("gender", p.Gender))
			}
			if p.Age != nil {
				extra = append(extra, "age "+strconv.Itoa(*p.Age))
			}
			if p.AgeGroup != "" {
				extra = append(extra, "age "+lbl("age_group", p.AgeGroup))
			}
			for _, ch := range p.Characteristics {
				extra = append(extra, lbl("characteristic", ch))
			}
			fmt.Fprintf(w, "  - %s (%s)", p.Pseudonym, strings.Join(roles, ", "))
			if len(extra) > 0 {
				fmt.Fprintf(w, ": %s", strings.Join(extra, "; "))
			}
			fmt.Fprintln(w)
			if p.LegalName != "" {
				fmt.Fprintf(w, "    legal name: %s\n", p.LegalName)
			}
			if p.Contact != "" {
				fmt.Fprintf(w, "    contact: %s\n", p.Contact)
			}
		}
	}
	if len(c.Violations) > 0 {
		fmt.Fprintln(w, "\nViolations:")
		for _, x := range c.Violations {
			fmt.Fprintf(w, "  - %s", lbl("violation", x.Type))
			if code, ok := store.HuridocsCode(x.Type); ok {
				fmt.Fprintf(w, " [HURIDOCS %s]", code)
			} else {
				fmt.Fprint(w, " [no HURIDOCS term]")
			}
			if x.Perpetrator != "" {
				fmt.Fprintf(w, " by %s", lbl("perpetrator", x.Perpetrator))
			}
			if x.PerpetratorDetails != "" {
				fmt.Fprintf(w, " (%s)", x.PerpetratorDetails)
			}
			if x.Victim != "" {
				fmt.Fprintf(w, " against %s", x.Victim)
			}
			if x.Date != "" {
				fmt.Fprintf(w, " on %s", x.Date)
			}
			fmt.Fprintln(w)
			for _, t := range []struct{ k, v string }{{"method", x.Method}, {"consequences", x.Consequences}, {"description", x.Description}} {
				if t.v != "" {
					fmt.Fprintf(w, "    %s: %s\n", t.k, t.v)
				}
			}
		}
	}
	if len(c.Interventions) > 0 {
		fmt.Fprintln(w, "\nInterventions:")
		for _, x := range c.Interventions {
			fmt.Fprintf(w, "  - %s", lbl("intervention", x.Type))
			for _, t := range []struct{ k, v string }{{"", lbl("intervention_status", x.Status)}, {"on ", x.Date}, {"by ", x.By}} {
				if t.v != "" {
					fmt.Fprintf(w, ", %s%s", t.k, t.v)
				}
			}
			fmt.Fprintln(w)
			if x.Outcome != "" {
				fmt.Fprintf(w, "    outcome: %s\n", x.Outcome)
			}
		}
	}
	if c.Consent != nil {
		fmt.Fprintln(w, "\nConsent:")
		if !c.Consent.Obtained {
			fmt.Fprintln(w, "  not obtained")
		} else {
			var scopes []string
			for _, s := range c.Consent.Scope {
				scopes = append(scopes, lbl("consent_scope", s))
			}
			fmt.Fprintf(w, "  obtained")
			if c.Consent.Date != "" {
				fmt.Fprintf(w, " on %s", c.Consent.Date)
			}
			if c.Consent.By != "" {
				fmt.Fprintf(w, " by %s", c.Consent.By)
			}
			fmt.Fprintf(w, "; scope: %s\n", orDash(strings.Join(scopes, ", ")))
		}
	}
	if len(c.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, n := range c.Notes {
			fmt.Fprintf(w, "  - %s %s: %s\n", n.Date, n.Author, n.Text)
		}
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
