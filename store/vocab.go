package store

import (
	"encoding/json"
	"slices"
)

// Vocabulary keys. They are stored in the database and in bundles, so a key
// is never renamed or reused; labels are translated in package assets.
var (
	ViolationTypes = []string{
		"arbitrary_arrest", "arbitrary_detention", "illegal_search", "planted_evidence",
		"coerced_confession", "denial_of_legal_counsel", "extortion", "confiscation_of_property",
		"confiscation_of_harm_reduction_supplies", "physical_assault", "torture_ill_treatment",
		"sexual_violence", "harassment_threats", "surveillance", "death_in_custody",
		"extrajudicial_killing", "death_penalty", "compulsory_treatment", "forced_drug_testing",
		"denial_of_oat", "denial_of_harm_reduction", "denial_of_health_care",
		"discrimination_in_health_care", "breach_of_confidentiality", "drug_user_registry",
		"biometric_data_collection", "discrimination_employment", "discrimination_housing",
		"discrimination_education", "loss_of_child_custody", "denial_of_social_benefits",
		"gender_based_violence", "other",
	}
	Perpetrators = []string{
		"police", "drug_control_agency", "military", "prison_staff", "prosecutor_court",
		"health_worker", "treatment_centre_staff", "social_services", "employer", "landlord",
		"family_member", "community_member", "armed_group", "unknown", "other",
	}
	Genders          = []string{"female", "male", "non_binary", "transgender_woman", "transgender_man", "other", "undisclosed"}
	CaseStatuses     = []string{"open", "under_review", "referred", "closed"}
	Roles            = []string{"victim", "witness", "source", "perpetrator", "intervening_party"}
	PlaceTypes       = []string{"street", "home", "police_station", "pretrial_detention", "prison", "court", "hospital_clinic", "harm_reduction_site", "treatment_centre", "workplace", "online", "other"}
	Characteristics  = []string{"uses_drugs", "injects_drugs", "on_oat", "living_with_hiv", "hepatitis_c", "sex_worker", "lgbtq", "migrant", "homeless", "formerly_incarcerated", "minor", "pregnant", "indigenous", "ethnic_minority"}
	ViolationStatus  = []string{"confirmed", "likely", "possible", "unlikely", "unknown"}
	Priorities       = []string{"low", "normal", "high", "urgent"}
	ConsentScopes    = []string{"store_only", "legal_partners", "anonymised_statistics", "public_advocacy"}
	AgeGroups        = []string{"under_18", "18_24", "25_34", "35_44", "45_54", "55_plus", "unknown"}
	InterventionType = []string{"legal_aid", "complaint_filed", "strategic_litigation", "medical_referral", "psychosocial_support", "shelter", "advocacy", "un_communication", "other"}
	InterventionStat = []string{"planned", "in_progress", "done", "abandoned"}
)

// Vocabularies maps each vocabulary's name (the prefix of its label keys in
// package assets) to its keys.
var Vocabularies = map[string][]string{
	"violation":           ViolationTypes,
	"perpetrator":         Perpetrators,
	"gender":              Genders,
	"case_status":         CaseStatuses,
	"role":                Roles,
	"place_type":          PlaceTypes,
	"characteristic":      Characteristics,
	"violation_status":    ViolationStatus,
	"priority":            Priorities,
	"consent_scope":       ConsentScopes,
	"age_group":           AgeGroups,
	"intervention":        InterventionType,
	"intervention_status": InterventionStat,
}

// HuridocsCodes carries, for each violation type that has one, the code of
// its term in HURIDOCS Micro-thesaurus 4, "Types of acts" (Events Standard
// Formats, 2001), in the thesaurus's 12-digit form: two digits a level,
// zeros below the term. The terms were checked against the list as HURIDOCS
// publishes it with OpenEvSys (schema/mysql-dbpopulate-mt.sql, list_code
// 4); docs/case-format.md names each term. A type whose act the list does
// not name is in NoHuridocsTerm instead: no code is made up.
var HuridocsCodes = map[string]string{
	"arbitrary_arrest":                        "030101000000", // Arrest
	"arbitrary_detention":                     "030102000000", // Detention, imprisonment
	"illegal_search":                          "040101000000", // Illegal search / raid
	"coerced_confession":                      "350118000000", // Denial of the right to freedom from giving self-incriminating evidence
	"denial_of_legal_counsel":                 "350109000000", // Denial of the right to legal assistance
	"extortion":                               "130104000000", // Extortion
	"confiscation_of_property":                "130107000000", // Confiscation of property
	"confiscation_of_harm_reduction_supplies": "130107000000", // Confiscation of property
	"physical_assault":                        "020101000000", // Physical assaults, including domestic violence
	"torture_ill_treatment":                   "020111110000", // Torture
	"sexual_violence":                         "020102000000", // Sexual violations
	"harassment_threats":                      "020103000000", // Psychological assault, harassment
	"surveillance":                            "020103030000", // Surveillance (under psychological assault, harassment)
	"death_in_custody":                        "010106010000", // Death in detention or police custody
	"extrajudicial_killing":                   "010101020000", // Extra-judicial execution outside any legal proceedings
	"death_penalty":                           "010101030000", // Capital punishment (legal execution)
	"denial_of_oat":                           "530107000000", // Denial of appropriate treatment
	"denial_of_harm_reduction":                "530105000000", // Failure to provide health care services
	"denial_of_health_care":                   "530105000000", // Failure to provide health care services
	"discrimination_in_health_care":           "530103000000", // Discrimination in access to primary health care
	"discrimination_employment":               "300101000000", // Violations of the right to work
	"discrimination_housing":                  "510100000000", // Direct actions which violate the right to adequate housing
	"discrimination_education":                "550100000000", // Direct actions which violate the right to education
	"denial_of_social_benefits":               "500100000000", // Direct actions which violate the right to social security
	"other":                                   "900000000000", // Other
}

// NoHuridocsTerm lists the violation types for which Micro-thesaurus 4 has
// no term: output says so (null in JSON, "no HURIDOCS term" in text)
// rather than give a code that would misfile the act.
var NoHuridocsTerm = []string{
	"planted_evidence", "compulsory_treatment", "forced_drug_testing", "breach_of_confidentiality",
	"drug_user_registry", "biometric_data_collection", "loss_of_child_custody", "gender_based_violence",
}

// HuridocsCode returns the Micro-thesaurus 4 code of a violation type, and
// false if it has none.
func HuridocsCode(violationType string) (string, bool) {
	code, ok := HuridocsCodes[violationType]
	return code, ok
}

// HuridocsRef is the HURIDOCS code that output carries beside a violation's
// type. Its JSON form is the code as a string, or null for a type without a
// term. The vault never stores it: it is filled from HuridocsCodes when a
// case is shown, dumped or bundled, and ignored on input.
type HuridocsRef struct{ Code string }

// MarshalJSON writes the code, or null.
func (r HuridocsRef) MarshalJSON() ([]byte, error) {
	if r.Code == "" {
		return []byte("null"), nil
	}
	return json.Marshal(r.Code)
}

// UnmarshalJSON accepts any value and keeps nothing: the code follows from
// the type, so a code read back from output (show --json fed to edit) is
// not an error, and a wrong one changes nothing.
func (r *HuridocsRef) UnmarshalJSON([]byte) error { *r = HuridocsRef{}; return nil }

// WithHuridocsCodes returns a copy of c whose violations carry the HURIDOCS
// code of their type (or null), for output. c is not changed.
func (c *Case) WithHuridocsCodes() *Case {
	out := *c
	out.Violations = make([]Violation, len(c.Violations))
	for i, x := range c.Violations {
		code, _ := HuridocsCode(x.Type)
		x.Huridocs = &HuridocsRef{Code: code}
		out.Violations[i] = x
	}
	return &out
}

func inVocab(vocab []string, key string) bool { return slices.Contains(vocab, key) }
