package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// sameTenders fails when the in-memory filtering (OpenTenders below
// MaxTenderSet) and the filtered SQL disagree on q; lots compared in
// lot-number order (the SQL's order is arbitrary).
func sameTenders(t *testing.T, st *store.Store, q store.TenderQuery) int {
	t.Helper()
	ctx := context.Background()
	got, gotMore, err := st.OpenTenders(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want, wantMore, err := st.OpenTendersSQL(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	norm := func(ts []store.Tender) string {
		for _, x := range ts {
			slices.SortFunc(x.Lots, func(a, b store.TenderLot) int { return compareNum(a.Number, b.Number) })
		}
		b, _ := json.Marshal(ts)
		return string(b)
	}
	if g, w := norm(got), norm(want); g != w || gotMore != wantMore {
		t.Errorf("%+v:\n in memory (more %v) %s\n SQL (more %v)       %s", q, gotMore, g, wantMore, w)
	}
	return len(want)
}

func compareNum(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// TestOpenTenderSetMatchesSQL: synthetic notices with corrections (a
// deadline moved back, lots dropped), cancellations, several départements,
// CPV codes, buyers and accented objects; every filter combination must
// give what the filtered SQL gives.
func TestOpenTenderSetMatchesSQL(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	pub := now.AddDate(0, 0, -3)
	deps := [][]string{{"75"}, {"13", "2A"}, {"69"}, {}}
	cpvs := [][]string{{"45000000"}, {"55520000", "15000000"}, {"90911000"}}
	objects := []string{"Travaux de VOIRIE", "Restauration scolaire bio", "Entretien des espaces verts à Évry", "Nettoyage écologique"}
	labelSets := [][]string{nil, {"social_clause"}, {"env_clause"}, {"reserved_insertion", "social_criterion"}, {"unknown_label"}}
	var notices, lots [][]any
	for i := 0; i < 120; i++ {
		id := fmt.Sprintf("N%03d", i)
		deadline := now.Add(time.Duration(i%40-8) * time.Hour)
		if i%11 == 0 {
			deadline = deadline.Add(30 * time.Minute) // ties and non-ties in deadline
		}
		siret := fmt.Sprintf("%09d%05d", 100000000+i%5, i%3)
		row := func(d time.Time, cancelled uint8, v uint64) []any {
			var dl any = d
			if i%23 == 5 {
				dl = nil // no deadline
			}
			return []any{id, "boamp", pub, dl, "Acheteur", siret, deps[i%len(deps)], cpvs[i%len(cpvs)],
				objects[i%len(objects)] + " " + id, "https://example.org/" + id, cancelled, []string{}, labelSets[i%len(labelSets)], v}
		}
		notices = append(notices, row(deadline, 0, 1))
		switch i % 9 {
		case 1:
			notices = append(notices, row(deadline, 1, 2)) // cancelled
		case 2:
			notices = append(notices, row(now.Add(-time.Hour), 0, 2)) // deadline moved back
		case 3:
			notices = append(notices, row(deadline.Add(time.Hour), 0, 3)) // postponed
		}
		for k := 1; k <= i%4; k++ {
			var reserved *uint8
			if (i+k)%5 == 0 {
				one := uint8(1)
				reserved = &one
			}
			lots = append(lots, []any{id, fmt.Sprint(k), fmt.Sprintf("Lot %d", k), cpvs[(i+k)%len(cpvs)], reserved, []string{},
				labelSets[(i+k)%len(labelSets)], pub, uint64(1)})
			if i%6 == 0 && k == 1 {
				// a newer version without lot 1's label: lot 2 (if any) is gone.
				lots = append(lots, []any{id, "1", "Lot 1 corrigé", cpvs[0], nil, []string{}, []string{"social_clause"}, pub, uint64(2)})
			}
		}
	}
	if err := st.InsertForTest(ctx, "notices", noticeCols, notices...); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertForTest(ctx, "lots", lotCols, lots...); err != nil {
		t.Fatal(err)
	}
	all := []string{"reserved", "social_clause"}
	total := 0
	for _, q := range []store.TenderQuery{
		{DeadlineAfter: now, Labels: all},
		{DeadlineAfter: now, Labels: all, Limit: 5},
		{DeadlineAfter: now.Add(-24 * time.Hour), Labels: all},
		{DeadlineAfter: now.Add(90 * time.Minute), Labels: []string{"env_clause"}},
		{DeadlineAfter: now, Labels: []string{"reserved_insertion"}},
		{DeadlineAfter: now, Labels: []string{"social_criterion", "env_clause"}},
		{DeadlineAfter: now, Labels: all, Departement: "2A"},
		{DeadlineAfter: now, Labels: all, Departement: "75", Limit: 3},
		{DeadlineAfter: now, Labels: all, CPVPrefix: "555"},
		{DeadlineAfter: now, Labels: all, CPVPrefix: "4"},
		{DeadlineAfter: now, Labels: all, BuyerSiret: "10000000200002"},
		{DeadlineAfter: now, Labels: all, BuyerSiren: "100000003"},
		{DeadlineAfter: now, Labels: all, Words: []string{"voirie"}},
		{DeadlineAfter: now, Labels: all, Words: []string{"évry", "ENTRETIEN"}},
		{DeadlineAfter: now, Labels: all, Words: []string{"ÉCOLOGIQUE"}, Departement: "69"},
		{DeadlineAfter: now.Add(-8 * time.Hour), Labels: all, Departement: "13", CPVPrefix: "15", Words: []string{"bio"}},
	} {
		total += sameTenders(t, st, q)
	}
	if total < 40 {
		t.Errorf("only %d tenders over all queries: the comparison proves little", total)
	}
}
