package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

var contractCols = []string{"uid", "buyer_siret", "buyer_siren", "buyer_name", "contract_id", "notification_date", "departement",
	"region", "cpv", "cpv_division", "theme", "procedure", "nature", "amount", "declared_social_clause",
	"declared_social_criterion", "declared_reserved", "declared_env_clause", "declared_env_criterion",
	"detected_labels", "source", "version", "partition_year"}

func date(s string) *time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return &t
}
func f64(v float64) *float64 { return &v }
func u8(v uint8) *uint8      { return &v }

// contract builds a contracts row; versions of one contract share the key.
func contract(siret, id string, notified *time.Time, dep string, amount *float64, sc, env *uint8, det []string, version uint64) []any {
	return []any{siret + id, siret, siret[:9], "Buyer " + siret, id, notified, dep, "11", "45000000", "45", "habitat",
		"Appel d'offres ouvert", "Marché", amount, sc, nil, nil, env, nil, det, "decp", version, uint16(0)}
}

func TestIndicatorsAllOrigins(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	rows := [][]any{
		contract("11111111100011", "A", date("2023-03-01"), "75", f64(100), u8(1), u8(0), nil, 1),
		// A newer version of A: no longer a social clause, amount 300.
		contract("11111111100011", "A", date("2023-03-01"), "75", f64(300), u8(0), u8(1), []string{"env_clause"}, 2),
		contract("11111111100011", "B", date("2023-07-10"), "75", nil, nil, nil, []string{"reserved_insertion"}, 1),
		contract("22222222200022", "C", nil, "", f64(50), u8(1), nil, []string{"social_clause"}, 1),
		contract("22222222200022", "D", date("2022-01-05"), "13", f64(1000), u8(1), u8(1), nil, 1),
	}
	if err := st.InsertForTest(ctx, "contracts", contractCols, rows...); err != nil {
		t.Fatal(err)
	}
	check := func(origin string, res store.IndicatorResult) {
		t.Helper()
		if res.Origin != origin {
			t.Fatalf("origin %q, want %q", res.Origin, origin)
		}
		got := map[string]store.IndicatorRow{}
		for _, r := range res.Rows {
			got[r.Keys[0]] = r
		}
		if len(got) != 3 {
			t.Fatalf("%s: groups %v", origin, res.Rows)
		}
		y23 := got["2023"]
		if y23.Contracts != 2 || y23.Amount != 300 || y23.AmountKnown != 1 {
			t.Errorf("%s 2023: %+v", origin, y23)
		}
		if m := y23.Measures["social"]; m.DeclaredCount != 0 || m.DeclaredUnknown != 2 || m.DetectedCount != 1 {
			t.Errorf("%s 2023 social: %+v", origin, m)
		}
		if m := y23.Measures["env"]; m.DeclaredCount != 1 || m.DeclaredAmount != 300 || m.DetectedCount != 1 || m.DetectedAmount != 300 {
			t.Errorf("%s 2023 env: %+v", origin, m)
		}
		if m := y23.Measures["reserved"]; m.DetectedCount != 1 || m.DetectedAmount != 0 {
			t.Errorf("%s 2023 reserved: %+v", origin, m)
		}
		if u := got["unknown"]; u.Contracts != 1 || u.Measures["social_clause"].DeclaredCount != 1 || u.Measures["env"].DeclaredUnknown != 1 {
			t.Errorf("%s unknown: %+v", origin, u)
		}
		if y22 := got["2022"]; y22.Amount != 1000 || y22.Measures["social"].DeclaredAmount != 1000 {
			t.Errorf("%s 2022: %+v", origin, y22)
		}
	}
	q := store.IndicatorQuery{GroupBy: []string{"year"}}
	res, err := st.Indicators(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	check("contracts", res)
	if err := st.RefreshRollups(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err = st.Indicators(ctx, q); err != nil {
		t.Fatal(err)
	}
	check("rollup", res)
	q.Filter.Procedure = "Appel d'offres ouvert"
	if res, err = st.Indicators(ctx, q); err != nil {
		t.Fatal(err)
	}
	check("facts", res)

	// Two dimensions, buyer and a date filter on days.
	res, err = st.Indicators(ctx, store.IndicatorQuery{GroupBy: []string{"buyer", "departement"},
		Filter: store.ContractFilter{From: *date("2023-03-01"), To: *date("2023-12-31")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0].Keys[0] != "11111111100011" || res.Rows[0].Keys[1] != "75" || res.Rows[0].Contracts != 2 || res.Rows[0].BuyerName == "" {
		t.Errorf("buyer,departement: %+v", res.Rows)
	}

	// A re-ingestion: answers stay those of the last step (never waiting
	// for one) until the next step takes it in.
	if err := st.InsertForTest(ctx, "contracts", contractCols,
		contract("22222222200022", "D", date("2022-01-05"), "13", f64(10), u8(0), u8(0), nil, 2)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // the freshness cache
	res, err = st.Indicators(ctx, store.IndicatorQuery{GroupBy: []string{"year"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Origin != "rollup" {
		t.Fatalf("after re-ingestion origin %q", res.Origin)
	}
	for _, r := range res.Rows {
		if r.Keys[0] == "2022" && r.Amount != 1000 {
			t.Errorf("after re-ingestion, before the step, 2022: %+v", r)
		}
	}
	if f, err := st.ContractsFreshness(ctx); err != nil || f.Current || f.Epoch != 1 {
		t.Errorf("freshness before the step: %+v %v", f, err)
	}
	if res, err := st.UpdateRollups(ctx); err != nil || res.Epoch != 2 || res.Full || res.Changed != 2 {
		t.Fatalf("step: %+v %v", res, err)
	}
	if f, err := st.ContractsFreshness(ctx); err != nil || !f.Current || f.Epoch != 2 {
		t.Errorf("freshness after the step: %+v %v", f, err)
	}
	res, err = st.Indicators(ctx, store.IndicatorQuery{GroupBy: []string{"year"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if r.Keys[0] == "2022" && (r.Amount != 10 || r.Measures["social"].DeclaredCount != 0) {
			t.Errorf("after re-ingestion 2022: %+v", r)
		}
	}

	list, more, err := st.ListContracts(ctx, store.ContractFilter{}, nil, 3)
	if err != nil || !more || len(list) != 3 {
		t.Fatalf("list: %v %v %v", len(list), more, err)
	}
	if list[0].ContractID != "A" || *list[0].Amount != 300 || list[0].Version != 2 {
		t.Errorf("first listed %+v", list[0])
	}
	list, more, err = st.ListContracts(ctx, store.ContractFilter{}, &store.ContractCursor{BuyerSiret: list[2].BuyerSiret, ContractID: list[2].ContractID}, 3)
	if err != nil || more || len(list) != 1 || list[0].ContractID != "D" || *list[0].Amount != 10 {
		t.Fatalf("page 2: %+v %v %v", list, more, err)
	}
}

var noticeCols = []string{"notice_id", "source", "publication_date", "deadline", "buyer_name", "buyer_siret", "departements",
	"cpv", "object", "url", "cancelled", "declared_labels", "detected_labels", "version"}
var lotCols = []string{"notice_id", "lot_number", "title", "cpv", "reserved", "declared_labels", "detected_labels", "publication_date", "version"}

func TestOpenTenders(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	pub := now.AddDate(0, 0, -3)
	future, past := now.Add(72*time.Hour), now.Add(-time.Hour)
	n := func(id string, deadline time.Time, cancelled uint8, labels []string, version uint64) []any {
		return []any{id, "boamp", pub, deadline, "Ville", "33333333300033", []string{"75"}, []string{"45000000"},
			"Travaux de voirie " + id, "https://example.org/" + id, cancelled, []string{}, labels, version}
	}
	if err := st.InsertForTest(ctx, "notices", noticeCols,
		n("N1", future, 0, nil, 1),
		n("N2", future.Add(time.Hour), 0, []string{"social_clause"}, 1),
		n("N3", past, 0, []string{"social_clause"}, 1),
		n("N4", future, 0, []string{"reserved"}, 1), n("N4", future, 1, []string{"reserved"}, 2), // cancelled later
		n("N5", future, 0, nil, 1)); err != nil {
		t.Fatal(err)
	}
	l := func(id, num string, reserved *uint8, labels []string, version uint64) []any {
		return []any{id, num, "Lot " + num, []string{"45000000"}, reserved, []string{}, labels, pub, version}
	}
	if err := st.InsertForTest(ctx, "lots", lotCols,
		l("N1", "1", nil, nil, 1), l("N1", "2", u8(1), nil, 1),
		l("N5", "1", nil, []string{"reserved_insertion"}, 1), l("N5", "2", nil, nil, 2)); err != nil { // N5 lot 1 dropped by a correction
		t.Fatal(err)
	}
	if err := st.InsertForTest(ctx, "detections", []string{"subject_kind", "subject_id", "notice_id", "evidence.label", "evidence.origin",
		"evidence.field", "evidence.text", "evidence.start", "evidence.end", "version"},
		[]any{"lot", "N1#2", "N1", []string{"reserved"}, []string{"declared"}, []string{"MARCHE_RESERVE"}, []string{"oui"}, []uint32{0}, []uint32{3}, uint64(1)}); err != nil {
		t.Fatal(err)
	}
	ts, more, err := st.OpenTenders(ctx, store.TenderQuery{DeadlineAfter: now, Labels: []string{"reserved", "social_clause"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if more || len(ts) != 2 || ts[0].NoticeID != "N1" || ts[1].NoticeID != "N2" {
		t.Fatalf("tenders: %+v", ts)
	}
	if len(ts[0].Lots) != 1 || ts[0].Lots[0].Number != "2" || len(ts[0].Lots[0].Evidence) != 1 || ts[0].Lots[0].Labels[0] != "reserved" {
		t.Errorf("N1 lots: %+v", ts[0].Lots)
	}
	ts, _, err = st.OpenTenders(ctx, store.TenderQuery{DeadlineAfter: now, Labels: []string{"social_clause"}, Words: []string{"VOIRIE n2"}, Limit: 10})
	if err != nil || len(ts) != 1 || ts[0].NoticeID != "N2" {
		t.Fatalf("q: %+v %v", ts, err)
	}
	pubs, _, err := st.BuyerPublications(ctx, "33333333300033", "")
	if err != nil || pubs[pub.Format("2006")] != 4 {
		t.Fatalf("publications %v %v", pubs, err)
	}
	ns, more, err := st.ListNotices(ctx, store.NoticeFilter{Labels: []string{"reserved"}}, "", 10)
	if err != nil || more || len(ns) != 1 || ns[0].NoticeID != "N4" || ns[0].Cancelled != 1 {
		t.Fatalf("notices %+v %v", ns, err)
	}
}
