package boamp

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/samples"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestIngestSamplesAndFixtures reads every real BOAMP and eForms sample
// and the fixtures of each shape, then checks what was stored.
func TestIngestSamplesAndFixtures(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	paths := []string{
		samples.Data(t, "boamp", "api"), samples.Data(t, "boamp", "v230-xml"),
		samples.Data(t, "eforms", "sdk-examples"), samples.Data(t, "eforms", "ted-real"),
		fixture(t, ""), filepath.Join(samples.RepoRoot(t), "testdata", "eforms"),
	}
	// Two runs: the fixtures' cancellation of the real 26-7109 then
	// applies to a notice already stored.
	sum, err := IngestFiles(ctx, st, paths[:4], Options{RunID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	fix, err := IngestFiles(ctx, st, paths[4:], Options{RunID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	sum.Add(fix)
	// 6 API records + 19 V230 + 22 SDK + 5 TED + fixtures (3 XML, 6 records).
	if sum.RecordsRead != 6+19+22+5+3+6 {
		t.Errorf("records read = %d", sum.RecordsRead)
	}
	if sum.Quarantined != 3 {
		t.Errorf("quarantined = %d, want 3 (truncated XML, cut donnees, unknown donnees shape)", sum.Quarantined)
	}
	if q, err := st.QuarantineCount(ctx, "boamp"); err != nil || q != 3 {
		t.Errorf("quarantine table has %d rows (%v), want 3", q, err)
	}

	get := func(id string) (*store.StoredNotice, []store.StoredLot) {
		t.Helper()
		n, lots, err := st.Notice(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if n == nil {
			t.Fatalf("notice %s not stored", id)
		}
		return n, lots
	}
	eq := func(id, what string, got, want any) {
		t.Helper()
		if !equal(got, want) {
			t.Errorf("%s %s = %v, want %v", id, what, got, want)
		}
	}

	// V230 as API JSON: the deadline is INDEXATION's, with its offset.
	n, _ := get("15-31501")
	eq("15-31501", "family", n.Family, "JOUE")
	eq("15-31501", "kind", n.Kind, "call_for_tenders")
	eq("15-31501", "format", n.Format, "v230")
	eq("15-31501", "published", n.PublicationDate.Format("2006-01-02"), "2015-03-03")
	eq("15-31501", "deadline", n.Deadline.UTC(), utc("2015-04-20T11:00:00Z"))
	eq("15-31501", "departements", n.Departements, []string{"35"})
	eq("15-31501", "cpv", n.CPV, []string{"45111291", "71000000", "70122100", "70122200"})
	eq("15-31501", "descriptors", n.Descriptors, []string{"33", "274"})
	eq("15-31501", "market type", n.MarketType, "works")

	// FNSimple: SIRET, offset-carrying deadline (the API's value is wrong).
	n, _ = get("26-7298")
	eq("26-7298", "format", n.Format, "fns-3.2.5")
	eq("26-7298", "siret", n.BuyerSIRET, "21590368300013")
	eq("26-7298", "deadline", n.Deadline.UTC(), utc("2026-02-16T11:00:00Z"))
	eq("26-7298", "cpv", n.CPV, []string{"45432111"})
	eq("26-7298", "declared negative", n.DeclaredNegative, []string{clause.Reserved})
	// code_departement lost the zeros; INDEXATION kept them.
	n, _ = get("26-7113")
	eq("26-7113", "departements", n.Departements, []string{"02", "08", "10", "51", "52", "54", "55", "57", "77"})
	eq("26-7113", "deadline (no offset: Paris time)", n.Deadline.UTC(), utc("2026-02-20T10:00:00Z"))
	n, lots := get("26-7308")
	eq("26-7308", "lots", len(lots), 7)
	eq("26-7308", "declared (criteres sociaux, environnementaux)", n.DeclaredLabels, []string{clause.SocialClause, clause.EnvClause})
	eq("26-7308", "deadline", n.Deadline.UTC(), utc("2026-02-27T11:00:00Z"))
	eq("26-7308", "lot 1 cpv", lots[0].CPV, []string{"55520000"})
	// 26-7109 is cancelled by the fixture 26-90012.
	n, _ = get("26-7109")
	eq("26-7109", "cancelled", n.Cancelled, true)
	n, _ = get("26-90012")
	eq("26-90012", "kind", n.Kind, "cancellation")
	eq("26-90012", "parent", n.ParentID, "26-7109")

	// V230 XML.
	n, lots = get("16-186394")
	eq("16-186394", "declared", n.DeclaredLabels, []string{clause.EnvClause})
	eq("16-186394", "declared negative", n.DeclaredNegative, []string{clause.Reserved})
	eq("16-186394", "lots", len(lots), 2)
	eq("16-186394", "deadline", n.Deadline.UTC(), utc("2017-02-07T11:00:00Z"))
	if !strings.Contains(n.ExecutionConds, "environnementale") {
		t.Errorf("16-186394 execution conditions = %q", n.ExecutionConds)
	}
	if len(lots) == 2 {
		eq("16-186394", "lot 2 title", lots[1].Title, "Prestations de remorquage pour les poids lourds de la ville de Paris")
		if lots[1].Reserved == nil || *lots[1].Reserved {
			t.Errorf("16-186394 lot 2 reserved = %v, want false (MARCHE_RESERVE_NON)", lots[1].Reserved)
		}
	}
	n, _ = get("17-4742")
	eq("17-4742", "kind", n.Kind, "award")
	eq("17-4742", "parent (the call)", n.ParentID, "16-652")
	eq("17-4742", "winners", len(n.Winners), 3)
	if !strings.Contains(n.AwardCriteria, "Prix (60)") {
		t.Errorf("17-4742 award criteria = %q, want the weights", n.AwardCriteria)
	}
	n, _ = get("16-186063") // PRESTATION_RESERVEE_OUI: reserved to a profession, not a social reservation
	if slices.Contains(n.DeclaredLabels, clause.Reserved) {
		t.Errorf("16-186063 declared %v: a profession reservation is not a reserved market", n.DeclaredLabels)
	}

	// Fixture: V230 with MARCHE_RESERVE_OUI + ATELIERS_PROTEGES.
	n, lots = get("17-90001")
	eq("17-90001", "declared", n.DeclaredLabels, []string{clause.Reserved, clause.ReservedDisability})
	eq("17-90001", "departements", n.Departements, []string{"02", "60"})
	eq("17-90001", "deadline", n.Deadline.UTC(), utc("2017-03-24T15:00:00Z"))
	eq("17-90001", "cpv", n.CPV, []string{"77310000", "77312000"})
	if !strings.Contains(n.Object, "communaux & fauchage") || strings.Contains(n.Object, "<b>") {
		t.Errorf("17-90001 object not made plain: %q", n.Object)
	}
	eq("17-90001", "lots", len(lots), 2)
	for _, l := range lots {
		if l.Reserved == nil || !*l.Reserved {
			t.Errorf("17-90001 lot %s reserved = %v, want true", l.Number, l.Reserved)
		}
	}
	if len(lots) == 2 && !slices.Contains(lots[1].DetectedLabels, clause.SocialClause) {
		t.Errorf("17-90001 lot 2 detected %v, want social_clause from its insertion clause", lots[1].DetectedLabels)
	}

	// Fixture: FNSimple reservationMarche oui, corrected by 26-90011.
	n, lots = get("26-90010")
	eq("26-90010", "declared", n.DeclaredLabels, []string{clause.SocialClause, clause.Reserved})
	eq("26-90010", "departements", n.Departements, []string{"02", "2A"})
	eq("26-90010", "siret", n.BuyerSIRET, "22020002600015")
	eq("26-90010", "deadline (from the correction)", n.Deadline.UTC(), utc("2026-03-09T11:00:00Z"))
	eq("26-90010", "corrected by", n.CorrectedBy, []string{"26-90011"})
	eq("26-90010", "cpv", n.CPV, []string{"55523100", "15800000"})
	eq("26-90010", "lots", len(lots), 2)
	n, _ = get("26-90011")
	eq("26-90011", "kind", n.Kind, "correction")
	eq("26-90011", "parent", n.ParentID, "26-90010")

	// Fixture: eForms carried as JSON in donnees.
	n, lots = get("26-90013")
	eq("26-90013", "format", n.Format, "eforms")
	eq("26-90013", "folder", n.ContractFolderID, "7c9e6679-7425-40de-944b-e07fc1f90ae7")
	eq("26-90013", "departements", n.Departements, []string{"69"})
	eq("26-90013", "siret", n.BuyerSIRET, "21690123100011")
	eq("26-90013", "deadline", n.Deadline.UTC(), utc("2026-03-03T11:00:00Z"))
	if len(lots) != 1 || lots[0].Reserved == nil || !*lots[0].Reserved {
		t.Errorf("26-90013 lots = %+v, want LOT-0001 reserved (BT-71 res-ws)", lots)
	} else {
		eq("26-90013", "lot declared", lots[0].DeclaredLabels, []string{clause.EnvClause, clause.Reserved})
	}

	// eForms XML: SDK examples and real TED notices.
	n, lots = get("14549263-b47b-4e59-96a1-2d0d13e19343") // cn_24_maximal (and its 100-lot twin share the id)
	eq("cn_24_maximal", "folder", n.ContractFolderID, "aff2863e-b4cc-4e91-baba-b3b85f709117")
	ess := 0
	for _, l := range lots {
		if slices.Contains(l.DeclaredLabels, clause.ReservedESS) {
			ess++
		}
	}
	if ess == 0 {
		t.Errorf("cn_24_maximal: no lot declared reserved_ess (BT-71 res-pub-ser)")
	}
	n, lots = get("a638ab6b-7005-48a9-a9c7-b91bfc6142f1")
	eq("TED 00047522", "lots", len(lots), 2)
	eq("TED 00047522", "siret", n.BuyerSIRET, "20003441100013")
	eq("TED 00047522", "departements", n.Departements, []string{"30"})
	eq("TED 00047522", "published", n.PublicationDate.Format("2006-01-02"), "2024-01-24")
	eq("TED 00047522", "declared negative", n.DeclaredNegative, []string{})
	if len(lots) > 0 {
		eq("TED 00047522", "lot reserved", lots[0].Reserved != nil && !*lots[0].Reserved, true)
	}
	n, _ = get("65667997-031a-4198-bd25-7225449ef479") // can_24_minimal
	eq("can_24_minimal", "kind", n.Kind, "award")
	eq("can_24_minimal", "winners", n.Winners, []string{"Espaces Verts Lemire"})

	// Fixture: eForms XML with BT-805 and a reserved lot beside a lot not reserved.
	n, lots = get("0f3c2a1e-1b2c-4d5e-8f90-a1b2c3d4e5f6")
	eq("eforms fixture", "deadline (summer offset)", n.Deadline.UTC(), utc("2026-07-01T10:00:00Z"))
	eq("eforms fixture", "published", n.PublicationDate.Format("2006-01-02"), "2026-06-02")
	eq("eforms fixture", "departements", n.Departements, []string{"59"})
	eq("eforms fixture", "siret", n.BuyerSIRET, "20004078300017")
	eq("eforms fixture", "notice declared (from its lots)", n.DeclaredLabels, []string{clause.EnvCriterion, clause.Reserved})
	eq("eforms fixture", "cpv", n.CPV, []string{"39130000", "39121100"})
	if len(lots) == 2 {
		eq("eforms fixture", "LOT-0001 declared", lots[0].DeclaredLabels, []string{clause.EnvCriterion, clause.Reserved})
		eq("eforms fixture", "LOT-0001 reserved", lots[0].Reserved != nil && *lots[0].Reserved, true)
		eq("eforms fixture", "LOT-0002 negative", lots[1].DeclaredNegative, []string{clause.EnvCriterion, clause.Reserved})
		eq("eforms fixture", "LOT-0002 not reserved", lots[1].Reserved != nil && !*lots[1].Reserved, true)
	} else {
		t.Errorf("eforms fixture: %d lots, want 2", len(lots))
	}
	n, _ = get("7f10ad90-127e-4c3b-a7ef-cfae9295d0ce") // pin-rtl_81: res-ws
	eq("pin-rtl_81", "kind", n.Kind, "prior_information")
	n, _ = get("71397268-6c47-4f2f-8ab0-f41a26138f81")
	eq("change-cn", "kind", n.Kind, "correction")
	eq("change-cn", "parent", n.ParentID, "c4c415ee-ac08-4465-8fa6-57568cf69462")

	// Re-ingesting the same inputs changes nothing.
	again, err := IngestFiles(ctx, st, paths, Options{RunID: "test-2"})
	if err != nil {
		t.Fatal(err)
	}
	if again.New != 0 || again.Updated != 0 || again.Duplicates != again.Notices {
		t.Errorf("second run: new %d, updated %d, duplicates %d of %d notices; want all duplicates",
			again.New, again.Updated, again.Duplicates, again.Notices)
	}
	n, _ = get("26-7109")
	eq("26-7109 after re-run", "cancelled", n.Cancelled, true)
	n, _ = get("26-90010")
	eq("26-90010 after re-run", "deadline", n.Deadline.UTC(), utc("2026-03-09T11:00:00Z"))
}

func equal(a, b any) bool {
	switch x := a.(type) {
	case []string:
		y := b.([]string)
		if len(x) == 0 && len(y) == 0 {
			return true
		}
		return slices.Equal(x, y)
	case time.Time:
		return x.Equal(b.(time.Time))
	}
	return a == b
}
