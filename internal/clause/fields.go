package clause

import "strings"

// Names of the text fields the parsers hand to DetectFields
// (internal/notice/analyse.go for BOAMP and eForms notices and their lots,
// internal/source/decp for DECP contracts). The name tells the rules what
// kind of text they read: the same "produits écolabellisés" is a clause in
// the execution conditions, a criterion among the award criteria and the
// thing bought in the object.
const (
	// FieldText: a text of unknown kind ('vigie detect' on stdin, the
	// labelled corpora); read by its wording alone.
	FieldText = "text"
	// FieldObject: the object of the notice or contract (BOAMP OBJET,
	// eForms BT-21/BT-24, DECP objet): what is bought.
	FieldObject = "object"
	// FieldLotTitle and FieldLotDescription: a lot's title and
	// description, what the lot buys.
	FieldLotTitle       = "lot_title"
	FieldLotDescription = "lot_description"
	// FieldExecutionConditions: conditions of performance (BOAMP
	// CONDITION_PARTICULIERE_EXECUTION / conditions d'exécution, eForms
	// BT-70 terms of performance): a social or environmental object named
	// there is a clause.
	FieldExecutionConditions = "execution_conditions"
	// FieldAwardCriteria: the award criteria and their weights: a social
	// or environmental object named there is a criterion.
	FieldAwardCriteria = "award_criteria"
	// FieldParticipationConditions: what candidates must show to be
	// admitted (selection): neither clause nor criterion; reservations are
	// often written there and still count.
	FieldParticipationConditions = "participation_conditions"
	// FieldAdditionalInfo: free additional information, read by wording.
	FieldAdditionalInfo = "additional_info"
)

// fieldHint: what the name of a field says about its content.
type fieldHint uint8

const (
	hintNone      fieldHint = iota
	hintCriteria            // award criteria: a social/env feature there is a criterion
	hintExecution           // execution conditions: a feature there is a clause
	hintSelection           // participation conditions: only reservations count
	hintObject              // what is bought: read by wording, never a clause by field
)

// hintOf maps a field name to its hint: the parsers' names exactly, and
// for other names (eForms field paths, callers' own names) the words they
// contain.
func hintOf(name string) fieldHint {
	switch name {
	case FieldExecutionConditions:
		return hintExecution
	case FieldAwardCriteria:
		return hintCriteria
	case FieldParticipationConditions:
		return hintSelection
	case FieldObject, FieldLotTitle, FieldLotDescription:
		return hintObject
	case FieldText, FieldAdditionalInfo:
		return hintNone
	}
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "criteri") || strings.Contains(n, "critere"):
		return hintCriteria
	case strings.Contains(n, "execution") || strings.Contains(n, "performance"):
		return hintExecution
	case strings.Contains(n, "participation") || strings.Contains(n, "selection"):
		return hintSelection
	}
	return hintNone
}
