package clause

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const fieldsPath = "../../testdata/clauses/fields.jsonl"

// fieldCase is a labelled text with the name of the field it is read from.
type fieldCase struct {
	ID     string   `json:"id"`
	Field  string   `json:"field"`
	Text   string   `json:"text"`
	Labels []string `json:"labels"`
}

// evaluateFields scores DetectFields on field cases the way Evaluate scores
// DetectText on text cases.
func evaluateFields(t *testing.T, path string) Report {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	idx := map[string]int{}
	rep := Report{Misclassified: []Miss{}}
	for i, l := range AllLabels {
		idx[l] = i
		rep.Labels = append(rep.Labels, LabelScore{Label: l})
	}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var c fieldCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s line %d: %v", path, line, err)
		}
		if c.Field == "" {
			t.Fatalf("%s line %d (%s): no field", path, line, c.ID)
		}
		want, got := map[string]bool{}, map[string]bool{}
		for _, l := range c.Labels {
			if _, ok := idx[l]; !ok {
				t.Fatalf("%s line %d (%s): unknown label %q", path, line, c.ID, l)
			}
			want[l] = true
		}
		for _, l := range DetectFields([]Field{{Name: c.Field, Text: c.Text}}).Labels {
			got[l] = true
		}
		rep.Cases++
		m := Miss{ID: c.ID + " [" + c.Field + "]"}
		for _, l := range AllLabels {
			s := &rep.Labels[idx[l]]
			switch {
			case want[l] && got[l]:
				s.TP++
			case want[l]:
				s.FN++
				m.Missing = append(m.Missing, l)
			case got[l]:
				s.FP++
				m.Extra = append(m.Extra, l)
			}
			if want[l] {
				s.Support++
			}
		}
		if m.Missing != nil || m.Extra != nil {
			rep.Misclassified = append(rep.Misclassified, m)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for i := range rep.Labels {
		s := &rep.Labels[i]
		s.Precision, s.Recall = ratio(s.TP, s.TP+s.FP), ratio(s.TP, s.TP+s.FN)
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
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
