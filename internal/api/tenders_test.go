package api_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/samples"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// TestTendersFilteredInMemoryMatchSQL loads the real BOAMP samples and
// checks that the feed the API serves — filtered in memory from the
// cached open set — is what the filtered SQL returns, for filters taken
// from the samples themselves (départements, CPV prefixes, buyers, words).
func TestTendersFilteredInMemoryMatchSQL(t *testing.T) {
	data := samples.Data(t)
	st := storetest.New(t)
	ctx := context.Background()
	xmls, _ := filepath.Glob(filepath.Join(data, "boamp/v230-xml/*.xml"))
	jsons, _ := filepath.Glob(filepath.Join(data, "boamp/api/*.json"))
	if _, err := boamp.IngestFiles(ctx, st, append(xmls, jsons...), boamp.Options{}); err != nil {
		t.Fatalf("ingest boamp: %v", err)
	}
	srv := api.New(st, api.Options{MaxRows: 5000, RatePerIP: 1e9, Burst: 1e9})
	after := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	allLabels := []string{"social_clause", "social_criterion", "env_clause", "env_criterion", "reserved"}
	base, _, err := st.OpenTendersSQL(ctx, store.TenderQuery{DeadlineAfter: after, Labels: allLabels, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(base) < 3 {
		t.Fatalf("only %d labelled notices in the samples", len(base))
	}
	// Filters from the data: a few départements, CPV prefixes, buyers and
	// words of objects, plus values matching nothing.
	type filter struct{ dep, cpv, buyer, q string }
	filters := []filter{{}, {dep: "976"}, {cpv: "0"}, {q: "zzzzqqq"}}
	for _, tn := range base {
		f := filter{}
		if len(tn.Departements) > 0 {
			f.dep = tn.Departements[0]
		}
		if len(tn.CPV) > 0 && len(tn.CPV[0]) >= 3 {
			filters = append(filters, filter{cpv: tn.CPV[0][:3]}, filter{cpv: tn.CPV[0][:2], dep: f.dep})
		}
		if len(tn.BuyerSiret) == 14 {
			filters = append(filters, filter{buyer: tn.BuyerSiret}, filter{buyer: tn.BuyerSiret[:9]})
		}
		if w := strings.Fields(tn.Object); len(w) > 0 {
			filters = append(filters, filter{q: strings.ToUpper(w[len(w)-1])}, filter{q: w[0], dep: f.dep})
		}
		filters = append(filters, f)
	}
	nonEmpty := 0
	for _, labels := range []string{"", "social_clause", "reserved", "env_clause,env_criterion", "reserved_insertion,social_criterion"} {
		for _, f := range filters {
			limits := []int{1000}
			if labels == "" {
				limits = []int{2, 1000} // the cut by the limit, once
			}
			for _, limit := range limits {
				q := store.TenderQuery{DeadlineAfter: after, Labels: strings.Split(labels, ","), Departement: f.dep, CPVPrefix: f.cpv, Limit: limit}
				if labels == "" {
					q.Labels = []string{"reserved", "reserved_disability", "reserved_insertion", "reserved_ess", "social_clause"}
				}
				if len(f.buyer) == 14 {
					q.BuyerSiret = f.buyer
				} else if f.buyer != "" {
					q.BuyerSiren = f.buyer
				}
				if f.q != "" {
					q.Words = strings.Fields(f.q)
				}
				want, wantMore, err := st.OpenTendersSQL(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) > 0 {
					nonEmpty++
				}
				url := "/api/v1/tenders/open?deadline_after=2000-01-01&limit=" + itoa(limit)
				for k, v := range map[string]string{"labels": labels, "departement": f.dep, "cpv": f.cpv, "buyer": f.buyer, "q": f.q} {
					if v != "" {
						url += "&" + k + "=" + strings.ReplaceAll(v, " ", "+")
					}
				}
				var got struct {
					Truncated bool         `json:"truncated"`
					Items     []api.Tender `json:"items"`
				}
				getJSON(t, srv, url, &got)
				wantItems := make([]api.Tender, len(want))
				for i := range want {
					wantItems[i] = api.TenderOf(&want[i])
				}
				if g, w := tendersJSON(got.Items), tendersJSON(wantItems); g != w || got.Truncated != wantMore {
					t.Errorf("%s:\n API (truncated %v) %s\n SQL (more %v)      %s", url, got.Truncated, g, wantMore, w)
				}
			}
		}
	}
	if nonEmpty < len(filters) {
		t.Errorf("only %d non-empty answers for %d filters", nonEmpty, len(filters))
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// tendersJSON: lots in lot-number order (the SQL's order is arbitrary).
func tendersJSON(ts []api.Tender) string {
	if ts == nil {
		ts = []api.Tender{}
	}
	for i := range ts {
		slices.SortFunc(ts[i].Lots, func(a, b api.TenderLot) int {
			if len(a.Number) != len(b.Number) {
				return len(a.Number) - len(b.Number)
			}
			return strings.Compare(a.Number, b.Number)
		})
	}
	b, _ := json.Marshal(ts)
	return string(b)
}
