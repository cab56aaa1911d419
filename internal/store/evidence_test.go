package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// A structured or written "no" (MARCHE_RESERVE_NON, "Pas de considération
// sociale") is stored as negative evidence and reads back as negative, so
// that it is never taken for support of its label; positive evidence
// stays positive.
func TestNegativeEvidenceRoundTrip(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.InsertForTest(ctx, "contracts", []string{"uid", "buyer_siret", "contract_id", "object", "detector_version", "version", "partition_year"},
		[]any{"u1", "s1", "c1", "Nettoyage", uint32(0), uint64(1), uint16(2024)}); err != nil {
		t.Fatal(err)
	}
	var evs []clause.Evidence
	evs = append(evs, clause.FromBOAMP("MARCHE_RESERVE_NON", "DONNEES/MARCHE_RESERVE_NON")...)
	evs = append(evs, clause.FromDECPConsideration("Pas de considération sociale", "considerationsSociales/considerationSociale")...)
	evs = append(evs, clause.FromDECPConsideration("Clause environnementale", "considerationsEnvironnementales/considerationEnvironnementale")...)
	var rows []store.EvidenceRow
	var want []bool
	for _, e := range evs {
		rows = append(rows, store.EvidenceRow{Label: e.Label, Origin: e.Origin, Field: e.Field, Text: e.Text, Negative: e.Negative})
		want = append(want, e.Negative)
	}
	if len(rows) < 3 || !want[0] || want[len(want)-1] {
		t.Fatalf("detector evidence %+v: want negatives first and a positive last", evs)
	}
	rel := []store.Relabel{{Detection: store.DetectionRow{SubjectKind: "contract", SubjectID: "u1",
		DeclaredLabels: []string{clause.EnvClause}, DeclaredNegative: []string{clause.Reserved, clause.SocialClause},
		DetectedLabels: []string{}, Evidence: rows, Version: 1}}}
	if err := st.WriteRedetections(ctx, "contract", rel, nil, 1); err != nil {
		t.Fatal(err)
	}

	var neg []uint8
	if err := store.QueryRowForTest(ctx, st, "SELECT evidence.negative FROM detections FINAL WHERE subject_kind = 'contract' AND subject_id = 'u1'", &neg); err != nil {
		t.Fatal(err)
	}
	got := make([]bool, len(neg))
	for i, n := range neg {
		got[i] = n == 1
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored evidence.negative %v, want %v", neg, want)
	}

	// Re-detection reads the declared evidence back with its flag.
	subs, err := st.StaleSubjects(ctx, "contract", 2, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || len(subs[0].Declared) != len(rows) {
		t.Fatalf("stale subjects %+v, want u1 with %d declared evidence", subs, len(rows))
	}
	for i, e := range subs[0].Declared {
		if e.Negative != want[i] || e.Label != rows[i].Label {
			t.Errorf("declared evidence %d read back as %+v, want label %s negative %v", i, e, rows[i].Label, want[i])
		}
	}
}

// The open-tenders feed shows a lot's stored "no" as negative evidence,
// never as support for the label it denies.
func TestTenderEvidenceKeepsNegative(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	evs := append(clause.FromBOAMP("MARCHE_RESERVE_NON", "DONNEES/MARCHE_RESERVE_NON"),
		clause.DetectText("Clause d'insertion : 5 % des heures travaillées seront réservées à des publics éloignés de l'emploi.").Evidence...)
	var rows []store.EvidenceRow
	for _, e := range evs {
		rows = append(rows, store.EvidenceRow{Label: e.Label, Origin: e.Origin, Field: e.Field, Text: e.Text,
			Start: uint32(e.Start), End: uint32(e.End), Negative: e.Negative})
	}
	rel := []store.Relabel{{Detection: store.DetectionRow{SubjectKind: "lot", SubjectID: "26-1#1", NoticeID: "26-1",
		DetectedLabels: []string{clause.SocialClause}, DeclaredNegative: []string{clause.Reserved}, Evidence: rows, Version: 1}}}
	if err := st.WriteRedetections(ctx, "notice", nil, rel, 1); err != nil {
		t.Fatal(err)
	}
	ts := []store.Tender{{NoticeID: "26-1", Lots: []store.TenderLot{{Number: "1"}}}}
	if err := st.AttachTenderEvidence(ctx, ts); err != nil {
		t.Fatal(err)
	}
	got := ts[0].Lots[0].Evidence
	if len(got) != len(evs) {
		t.Fatalf("lot evidence %+v, want %d items", got, len(evs))
	}
	var neg, pos int
	for _, e := range got {
		switch {
		case e.Negative && e.Label == clause.Reserved:
			neg++
		case !e.Negative && e.Label == clause.SocialClause:
			pos++
		default:
			t.Errorf("unexpected evidence %+v", e)
		}
	}
	if neg == 0 || pos == 0 {
		t.Errorf("want a negative reserved and a positive social_clause, got %+v", got)
	}
}
