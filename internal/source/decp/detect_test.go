package decp

import (
	"slices"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
)

// A contract whose declarations are all negative gets no detections row;
// reprocess rebuilds its declared evidence from declared_raw, and must
// find what detect would have stored.
func TestDeclaredEvidenceMatchesDetect(t *testing.T) {
	c := &decpparse.Contract{}
	c.Considerations.Social = []string{"Pas de considération sociale"}
	c.Considerations.Environmental = []string{"Critère environnemental", "Sans objet"}
	_, row := detect(c, "u1", 1, time.Time{})
	raw := []string{"social:Pas de considération sociale", "environmental:Critère environnemental", "environmental:Sans objet"}
	ev, labels, negative := DeclaredEvidence(raw)
	if !slices.Equal(labels, row.DeclaredLabels) || !slices.Equal(negative, row.DeclaredNegative) {
		t.Fatalf("labels %v / %v, want %v / %v", labels, negative, row.DeclaredLabels, row.DeclaredNegative)
	}
	if len(ev) != len(row.Evidence) {
		t.Fatalf("%d evidence, detect stored %d", len(ev), len(row.Evidence))
	}
	for i, e := range ev {
		r := row.Evidence[i]
		if e.Label != r.Label || e.Field != r.Field || e.Text != r.Text || e.Negative != r.Negative || e.Origin != clause.Declared {
			t.Errorf("evidence %d: %+v, detect stored %+v", i, e, r)
		}
	}
}

func TestInformative(t *testing.T) {
	neg := store.DetectionRow{DeclaredNegative: []string{clause.SocialClause},
		Evidence: []store.EvidenceRow{{Label: clause.SocialClause, Origin: clause.Declared, Negative: true}}}
	if informative(&neg) {
		t.Error("declared negatives alone are informative")
	}
	pos := store.DetectionRow{DeclaredLabels: []string{clause.EnvClause}}
	if !informative(&pos) {
		t.Error("a positive declaration is not informative")
	}
	det := store.DetectionRow{Evidence: []store.EvidenceRow{{Label: clause.EnvClause, Origin: clause.Detected, Negative: true}}}
	if !informative(&det) {
		t.Error("detected evidence is not informative")
	}
}
