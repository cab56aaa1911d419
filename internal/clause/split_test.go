package clause

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// The split is the one CORPUS.md fixed before the texts were read:
// sha256(doc), first 8 bytes big-endian, modulo 100, below 35 → test.
// Expected parts computed apart (Python's hashlib).
func TestSplitOf(t *testing.T) {
	for doc, want := range map[string]string{
		"doc0": SplitDev, "doc1": SplitDev, "doc2": SplitDev, "doc7": SplitTest, "doc8": SplitTest,
		"doc9": SplitTest, "doc11": SplitTest, "a": SplitDev,
	} {
		if got := SplitOf(doc); got != want {
			t.Errorf("SplitOf(%q) = %s, want %s", doc, got, want)
		}
	}
	if got := CaseSplit(Case{ID: "x"}); got != SplitDev {
		t.Errorf("a case without doc is in %s, want dev", got)
	}
}

const evalCases = `{"id": "1", "doc": "doc0", "field": "award_criteria", "text": "Critère 2 : clause d'insertion (10 %)", "labels": ["social_clause"]}
{"id": "2", "doc": "doc0", "field": "execution_conditions", "text": "Le titulaire utilisera des produits éco-labellisés.", "labels": ["env_clause"]}
{"id": "3", "doc": "doc7", "text": "Lot 2 réservé aux ESAT et entreprises adaptées.", "labels": ["reserved_disability"]}
{"id": "4", "doc": "doc7", "text": "Le pouvoir adjudicateur se réserve le droit de ne pas attribuer.", "labels": []}
{"id": "5", "doc": "doc8", "text": "Clause d'insertion : 5 % des heures travaillées", "labels": ["env_clause"]}
`

// Only the asked part is scored; a test part report lists no case; a
// clause read as a criterion is counted as such; a specific reservation
// implies reserved.
func TestEvaluationSplit(t *testing.T) {
	dev, err := NewEvaluation(EvalOptions{Split: SplitDev})
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Read(strings.NewReader(evalCases), "cases"); err != nil {
		t.Fatal(err)
	}
	r := dev.Report()
	if r.Cases != 2 || r.DevDocs != 1 || r.TestDocs != 2 {
		t.Errorf("dev: %d cases, %d dev docs, %d test docs; want 2, 1, 2", r.Cases, r.DevDocs, r.TestDocs)
	}
	if r.Confusions.SocialClauseAsCriterion != 1 || len(r.Misclassified) != 1 || r.Misclassified[0].ID != "1" {
		t.Errorf("dev: confusions %+v, misclassified %+v; want case 1 as a clause read as criterion", r.Confusions, r.Misclassified)
	}
	if len(r.Fields) != 2 {
		t.Errorf("dev: %d fields, want 2", len(r.Fields))
	}
	test, _ := NewEvaluation(EvalOptions{Split: SplitTest})
	if err := test.Read(strings.NewReader(evalCases), "cases"); err != nil {
		t.Fatal(err)
	}
	r = test.Report()
	var sb strings.Builder
	r.WriteFull(&sb, true)
	if r.Cases != 3 || len(r.Misclassified) != 0 || strings.Contains(sb.String(), "Clause d'insertion") {
		t.Errorf("test: %d cases, misclassified %+v, output:\n%s", r.Cases, r.Misclassified, sb.String())
	}
	res := r.Labels[labelIndex(Reserved)]
	if res.TP != 1 || res.FP != 0 || r.Unlabelled != 1 || r.UnlabelledFlagged != 0 {
		t.Errorf("test: reserved %+v, unlabelled %d flagged %d", res, r.Unlabelled, r.UnlabelledFlagged)
	}
	if _, err := NewEvaluation(EvalOptions{Split: "train"}); err == nil {
		t.Error("split train accepted")
	}
	dup, _ := NewEvaluation(EvalOptions{})
	if err := dup.Read(strings.NewReader(evalCases+evalCases), "cases"); err == nil || !strings.Contains(err.Error(), "already read") {
		t.Errorf("duplicate ids: %v", err)
	}
}

// Kappa on a hand-computed table: 10 cases, both 3, only A 1, only B 1,
// neither 5: po 0.8, pa = pb = 0.4, pe 0.52, kappa 0.583.
func TestKappa(t *testing.T) {
	a, b := map[string][]string{}, map[string][]string{}
	set := func(m map[string][]string, id string, ls ...string) { m[id] = ls }
	for i, ab := range []string{"11", "11", "11", "10", "01", "00", "00", "00", "00", "00"} {
		id := string(rune('a' + i))
		set(a, id)
		set(b, id)
		if ab[0] == '1' {
			set(a, id, SocialClause)
		}
		if ab[1] == '1' {
			set(b, id, SocialClause)
		}
	}
	a["extra"] = []string{SocialClause} // not in b: not counted
	b["j"] = []string{ReservedInsertion}
	ks := Kappa(a, b)
	k := ks[labelIndex(SocialClause)]
	if k.Cases != 10 || k.Both != 3 || k.OnlyA != 1 || k.OnlyB != 1 || math.Abs(k.Kappa-0.5833) > 0.001 {
		t.Errorf("social_clause %+v, want kappa 0.583 on 10 cases", k)
	}
	if r := ks[labelIndex(Reserved)]; r.OnlyB != 1 {
		t.Errorf("reserved %+v: a specific reservation implies reserved", r)
	}
	if e := ks[labelIndex(ReservedESS)]; !math.IsNaN(e.Kappa) {
		t.Errorf("reserved_ess kappa %v, want NaN (no one gives it)", e.Kappa)
	}
}

func mustCase(t *testing.T, path string, line int, s string) Case {
	t.Helper()
	var c Case
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatalf("%s line %d: %v", path, line, err)
	}
	return c
}

// Every label has its definition, in order, in both languages.
func TestDefinitions(t *testing.T) {
	if len(Definitions) != len(AllLabels) {
		t.Fatalf("%d definitions for %d labels", len(Definitions), len(AllLabels))
	}
	for i, d := range Definitions {
		if d.Label != AllLabels[i] || d.FR.Name == "" || d.EN.Name == "" || d.FR.Definition == "" || d.EN.Definition == "" ||
			len(d.FR.Includes) != len(d.EN.Includes) || len(d.FR.Excludes) != len(d.EN.Excludes) {
			t.Errorf("definition %d: %+v", i, d)
		}
	}
}
