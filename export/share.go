package export

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dossier-hr/dossier/store"
)

// Redaction profiles for shares.
const (
	RedactNone         = "none"         // as recorded; for a trusted legal partner
	RedactPseudonymise = "pseudonymise" // legal names, contacts, perpetrator names and reviewers' notes removed
	RedactAnonymise    = "anonymise"    // also pseudonyms replaced, places coarsened to the region, free text flagged
)

// Redactions lists the profiles, mildest first.
var Redactions = []string{RedactNone, RedactPseudonymise, RedactAnonymise}

// ErrConsent means a chosen case may not be shared under its consent.
var ErrConsent = errors.New("consent does not allow sharing")

// consentAllows reports whether a case's consent allows a share with that
// redaction. Sharing cases as recorded or pseudonymised needs consent to
// share with legal partners; an anonymised share also fits consent to
// anonymised statistics or public advocacy. Consent "store only", or none
// recorded, allows no share.
func consentAllows(c *store.Case, redact string) bool {
	if c.Consent == nil || !c.Consent.Obtained {
		return false
	}
	allowed := []string{"legal_partners"}
	if redact == RedactAnonymise {
		allowed = append(allowed, "anonymised_statistics", "public_advocacy")
	}
	for _, s := range c.Consent.Scope {
		if slices.Contains(allowed, s) {
			return true
		}
	}
	return false
}

// checkConsent refuses the share if any case's consent forbids it, naming
// every such case.
func checkConsent(cases []*store.Case, redact string) error {
	var refused []string
	for _, c := range cases {
		if !consentAllows(c, redact) {
			refused = append(refused, c.Reference)
		}
	}
	if len(refused) > 0 {
		need := "consent with the scope legal_partners"
		if redact == RedactAnonymise {
			need = "consent with the scope legal_partners, anonymised_statistics or public_advocacy"
		}
		verb, them := "lacks", "it"
		if len(refused) > 1 {
			verb, them = "lack", "them"
		}
		return fmt.Errorf("%w: %s %s %s; nothing was written. Leave %s out, or record the consent first",
			ErrConsent, strings.Join(refused, ", "), verb, need, them)
	}
	return nil
}

// redact returns a copy of c as a share with that profile may carry it.
// Free text (narrative, descriptions, outcomes) cannot be redacted by a
// program: an anonymised case is flagged for review so that its receiver
// knows to read it with care, and the sender is told to check it first.
func redact(c *store.Case, profile string) *store.Case {
	r := *c
	if profile == RedactNone {
		return &r
	}
	r.Notes = nil // reviewers' notes are internal
	r.People = slices.Clone(c.People)
	pseudonyms := map[string]string{}
	for i := range r.People {
		p := &r.People[i]
		p.LegalName, p.Contact = "", ""
		if profile == RedactAnonymise {
			anon := fmt.Sprintf("Person %d", i+1)
			pseudonyms[p.Pseudonym] = anon
			p.Pseudonym = anon
			p.Age = nil // the age group, if any, stays
		}
	}
	r.Violations = slices.Clone(c.Violations)
	for i := range r.Violations {
		v := &r.Violations[i]
		v.PerpetratorDetails = ""
		if anon, ok := pseudonyms[v.Victim]; ok {
			v.Victim = anon
		}
	}
	if profile == RedactAnonymise {
		r.Locality = ""
		r.Consent = &store.Consent{Obtained: c.Consent.Obtained, Scope: c.Consent.Scope}
		r.Interventions = slices.Clone(c.Interventions)
		for i := range r.Interventions {
			r.Interventions[i].By = ""
		}
		r.NeedsReview = true
	}
	return &r
}

// shareEvidence picks what of a case's evidence a share carries: with no
// redaction, everything; otherwise only stripped copies, since other files
// keep their metadata. It returns the items and how many were left out.
func shareEvidence(items []*store.Evidence, profile string) ([]*store.Evidence, int) {
	var out []*store.Evidence
	left := 0
	stripped := map[string]bool{}
	for _, e := range items {
		if e.Kind == store.EvidenceStripped {
			stripped[e.DerivedFrom] = true
		}
	}
	for _, e := range items {
		c := *e
		switch {
		case profile == RedactNone:
		case e.Kind == store.EvidenceStripped:
			// The original stays home, and so do names: who received it,
			// from whom, and the file's name, which can name someone.
			c.DerivedFrom, c.Custody, c.AddedBy = "", nil, ""
			c.Name = "evidence-" + c.ID[:8] + extension(c.MediaType)
		case stripped[e.ID]:
			continue // shared as its stripped copy
		default:
			left++
			continue
		}
		out = append(out, &c)
	}
	return out, left
}

func extension(mediaType string) string {
	switch mediaType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	}
	return ""
}

// SharePreview is what a share would carry: the cases as redacted, the
// evidence files, and how many files would be left out.
type SharePreview struct {
	Cases    []*store.Case
	Evidence []*store.Evidence
	LeftOut  int
}

// PreviewShare returns what a share of those cases with that redaction
// would carry, without writing anything, or the consent error that would
// refuse it.
func PreviewShare(ctx context.Context, v *store.Vault, cases []string, profile string) (*SharePreview, error) {
	if !slices.Contains(Redactions, profile) {
		return nil, fmt.Errorf("unknown redaction %q (none, pseudonymise or anonymise)", profile)
	}
	var all []*store.Case
	for _, ref := range cases {
		c, err := v.Get(ctx, ref)
		if err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	if err := checkConsent(all, profile); err != nil {
		return nil, err
	}
	p := &SharePreview{}
	for _, c := range all {
		p.Cases = append(p.Cases, redact(c, profile))
		ev, err := v.EvidenceOf(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		picked, left := shareEvidence(ev, profile)
		p.Evidence = append(p.Evidence, picked...)
		p.LeftOut += left
	}
	return p, nil
}
