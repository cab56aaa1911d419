package clause

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const fieldsPath = "../../testdata/clauses/fields.jsonl"

// evaluateFields scores the field cases, each of which must name its field.
func evaluateFields(t *testing.T, path string) Report {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var c Case
		if err := json.Unmarshal([]byte(line), &c); err != nil || c.Field == "" {
			t.Fatalf("%s line %d: want a case with its field (%v)", path, i+1, err)
		}
	}
	rep, err := Evaluate(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

// TestFields: the same object reads differently by the field it is in — a
// clause in the execution conditions, a criterion among the award
// criteria, nothing in the participation conditions (except a
// reservation), what is bought in the object. Every label with cases must
// keep precision and recall at 0.9 or more.
func TestFields(t *testing.T) {
	rep := evaluateFields(t, fieldsPath)
	if rep.Cases < 80 {
		t.Errorf("%s has %d cases, want at least 80", fieldsPath, rep.Cases)
	}
	var sb strings.Builder
	rep.WriteTable(&sb)
	t.Log("\n" + sb.String())
	for _, s := range rep.Labels {
		if s.Precision < 0.9 || s.Recall < 0.9 {
			t.Errorf("%s: precision %.3f recall %.3f, want both >= 0.9", s.Label, s.Precision, s.Recall)
		}
	}
}

// Every parser field name maps to its hint; other names fall back on the
// words they contain.
func TestHintOf(t *testing.T) {
	for name, want := range map[string]fieldHint{
		FieldExecutionConditions:     hintExecution,
		FieldAwardCriteria:           hintCriteria,
		FieldParticipationConditions: hintSelection,
		FieldObject:                  hintObject,
		FieldLotTitle:                hintObject,
		FieldLotDescription:          hintObject,
		FieldAdditionalInfo:          hintNone,
		FieldText:                    hintNone,
		"BT-70 terms of performance": hintExecution,
		"lot/award_criteria":         hintCriteria,
	} {
		if got := hintOf(name); got != want {
			t.Errorf("hintOf(%q) = %d, want %d", name, got, want)
		}
	}
}
