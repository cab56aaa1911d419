// Package clause decides which responsible-procurement features a notice,
// lot or contract carries — social and environmental clauses and criteria,
// reserved lots — from structured codes and French text, with evidence.
package clause

// Labels: the fixed vocabulary.
const (
	SocialClause       = "social_clause"
	SocialCriterion    = "social_criterion"
	EnvClause          = "env_clause"
	EnvCriterion       = "env_criterion"
	Reserved           = "reserved"
	ReservedDisability = "reserved_disability"
	ReservedInsertion  = "reserved_insertion"
	ReservedESS        = "reserved_ess"
)

// AllLabels in a stable order.
var AllLabels = []string{SocialClause, SocialCriterion, EnvClause, EnvCriterion,
	Reserved, ReservedDisability, ReservedInsertion, ReservedESS}

// Origins of evidence.
const (
	Declared = "declared" // a structured field the buyer filled in
	Detected = "detected" // what vigie read in the text
)

// Field is a named piece of a document to examine: a text field
// ("object", "execution_conditions", "award_criteria",
// "participation_conditions", "additional_info", …) or a structured code
// with its field path (e.g. "DONNEES/.../MARCHE_RESERVE_OUI", "BT-71").
type Field struct {
	Name string
	Text string
}

// Evidence is why a label was given (or, with Negative, explicitly denied).
type Evidence struct {
	Label    string `json:"label"`
	Origin   string `json:"origin"`             // Declared or Detected
	Field    string `json:"field"`              // field path or text field name
	Text     string `json:"text"`               // the matched span or code value
	Start    int    `json:"start"`              // character offsets into the field's text
	End      int    `json:"end"`                //
	Negative bool   `json:"negative,omitempty"` // a structured or written "no"
}

// Result is the outcome of detection for one subject.
type Result struct {
	Labels   []string   `json:"labels"` // positive labels, in AllLabels order
	Evidence []Evidence `json:"evidence"`
}
