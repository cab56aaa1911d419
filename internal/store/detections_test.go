package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// Stale subjects are found by detector version, carry their texts and
// declared evidence, and re-detections replace the detected labels
// without touching the other columns.
func TestRedetection(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	ins := func(table string, cols []string, rows ...[]any) {
		t.Helper()
		if err := st.InsertForTest(ctx, table, cols, rows...); err != nil {
			t.Fatal(err)
		}
	}
	ins("contracts", []string{"uid", "buyer_siret", "contract_id", "buyer_name", "object", "detector_version", "version", "partition_year"},
		[]any{"u1", "s1", "c1", "Ville", "Marché réservé aux ESAT", uint32(0), uint64(5), uint16(2024)},
		[]any{"u2", "s1", "c2", "Ville", "Travaux", uint32(7), uint64(5), uint16(2024)})
	ins("detections", []string{"subject_kind", "subject_id", "notice_id", "declared_labels", "declared_negative", "detected_labels",
		"evidence.label", "evidence.origin", "evidence.field", "evidence.text", "evidence.start", "evidence.end", "detector_version", "detected_at", "version"},
		[]any{"contract", "u1", "", []string{"reserved"}, []string{}, []string{}, []string{"reserved"}, []string{"declared"},
			[]string{"considerationsSociales"}, []string{"Marché réservé"}, []uint32{0}, []uint32{0}, uint32(0), time.Now(), uint64(5)})
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	ins("notices", []string{"notice_id", "publication_date", "object", "award_criteria", "detector_version", "version"},
		[]any{"n1", day, "Nettoyage", "Critère social 10 %", uint32(0), uint64(3)})
	ins("lots", []string{"notice_id", "lot_number", "title", "description", "publication_date", "version"},
		[]any{"n1", "1", "Lot 1", "Lot réservé aux SIAE", day, uint64(3)})

	subs, err := st.StaleSubjects(ctx, "contract", 7, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].ID != "u1" || subs[0].Texts["object"] != "Marché réservé aux ESAT" {
		t.Fatalf("stale contracts %+v, want u1 with its object", subs)
	}
	if !reflect.DeepEqual(subs[0].DeclaredLabels, []string{"reserved"}) || len(subs[0].Declared) != 1 {
		t.Fatalf("declared of u1: %+v", subs[0])
	}
	rel := []store.Relabel{{Detection: store.DetectionRow{SubjectKind: "contract", SubjectID: "u1", DeclaredLabels: []string{"reserved"},
		DetectedLabels: []string{"reserved", "reserved_disability"}, Evidence: []store.EvidenceRow{{Label: "reserved_disability", Origin: "detected", Field: "object", Text: "réservé aux ESAT", Start: 7, End: 23}}, Version: 1},
		Labels: []string{"reserved", "reserved_disability"}}}
	if err := st.WriteRedetections(ctx, "contract", rel, nil, 7); err != nil {
		t.Fatal(err)
	}
	if subs, err := st.StaleSubjects(ctx, "contract", 7, "", 10); err != nil || len(subs) != 0 {
		t.Fatalf("after re-detection: %d stale contracts (%v), want 0", len(subs), err)
	}
	var labels []string
	var buyer string
	var dv uint32
	var version uint64
	if err := store.QueryRowForTest(ctx, st, "SELECT detected_labels, buyer_name, detector_version, version FROM contracts FINAL WHERE uid = 'u1'", &labels, &buyer, &dv, &version); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(labels, []string{"reserved", "reserved_disability"}) || buyer != "Ville" || dv != 7 || version != 6 {
		t.Errorf("contract u1 after re-detection: labels %v buyer %q detector %d version %d", labels, buyer, dv, version)
	}
	var dversion uint64
	var elabels []string
	if err := store.QueryRowForTest(ctx, st, "SELECT version, evidence.label FROM detections FINAL WHERE subject_kind = 'contract' AND subject_id = 'u1'", &dversion, &elabels); err != nil {
		t.Fatal(err)
	}
	if dversion != 6 || !reflect.DeepEqual(elabels, []string{"reserved_disability"}) {
		t.Errorf("detection of u1: version %d evidence %v, want version 6 and the new evidence", dversion, elabels)
	}

	nsubs, err := st.StaleSubjects(ctx, "notice", 7, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(nsubs) != 1 || len(nsubs[0].Lots) != 1 || nsubs[0].Lots[0].Texts["description"] != "Lot réservé aux SIAE" || nsubs[0].Texts["award_criteria"] != "Critère social 10 %" {
		t.Fatalf("stale notices %+v", nsubs)
	}
	nrel := []store.Relabel{{Detection: store.DetectionRow{SubjectKind: "notice", SubjectID: "n1", NoticeID: "n1", DetectedLabels: []string{"social_criterion"}, Version: 1}, Labels: []string{"social_criterion"}}}
	lrel := []store.Relabel{{Detection: store.DetectionRow{SubjectKind: "lot", SubjectID: "n1#1", NoticeID: "n1", DetectedLabels: []string{"reserved", "reserved_insertion"}, Version: 1}, Labels: []string{"reserved", "reserved_insertion"}}}
	if err := st.WriteRedetections(ctx, "notice", nrel, lrel, 7); err != nil {
		t.Fatal(err)
	}
	if err := store.QueryRowForTest(ctx, st, "SELECT detected_labels, version FROM lots FINAL WHERE notice_id = 'n1'", &labels, &version); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(labels, []string{"reserved", "reserved_insertion"}) || version != 4 {
		t.Errorf("lot after re-detection: %v version %d", labels, version)
	}
	if err := store.QueryRowForTest(ctx, st, "SELECT detected_labels, detector_version FROM notices FINAL WHERE notice_id = 'n1'", &labels, &dv); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(labels, []string{"social_criterion"}) || dv != 7 {
		t.Errorf("notice after re-detection: %v detector %d", labels, dv)
	}
}
