package store

import "slices"

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

// HuridocsCodes carries the HURIDOCS list-04 code of a violation type where
// one exists.
var HuridocsCodes = map[string]string{
	"arbitrary_arrest":                        "030101",
	"arbitrary_detention":                     "030102",
	"illegal_search":                          "040101",
	"extortion":                               "130104",
	"confiscation_of_property":                "130107",
	"confiscation_of_harm_reduction_supplies": "130107",
	"physical_assault":                        "020101",
	"harassment_threats":                      "020103",
	"sexual_violence":                         "020102",
	"torture_ill_treatment":                   "020111110000",
	"death_in_custody":                        "010106010000",
	"denial_of_legal_counsel":                 "350109",
	"denial_of_health_care":                   "530105",
	"discrimination_in_health_care":           "530103",
}

func inVocab(vocab []string, key string) bool { return slices.Contains(vocab, key) }
