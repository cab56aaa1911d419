package api_test

import (
	"testing"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// /api/v1/definitions says what every detected label means, in French and
// English, with what it covers and excludes, how labels are read, the
// decisions taken where the guide is silent, and the detector version.
func TestDefinitionsLabels(t *testing.T) {
	srv := api.New(storetest.New(t), api.Options{})
	var doc struct {
		Labels struct {
			FR, EN          string
			DetectorVersion uint32 `json:"detector_version"`
			Definitions     []clause.LabelDefinition
			Decisions       []string
		}
	}
	getJSON(t, srv, "/api/v1/definitions", &doc)
	l := doc.Labels
	if l.FR == "" || l.EN == "" || l.DetectorVersion != clause.Version || len(l.Decisions) == 0 {
		t.Errorf("labels section: %+v", l)
	}
	if len(l.Definitions) != len(clause.AllLabels) {
		t.Fatalf("%d label definitions, want %d", len(l.Definitions), len(clause.AllLabels))
	}
	for i, d := range l.Definitions {
		if d.Label != clause.AllLabels[i] || d.FR.Definition == "" || len(d.EN.Excludes) == 0 {
			t.Errorf("definition %d: %+v", i, d)
		}
	}
}
