package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestAnswerCacheBounded(t *testing.T) {
	c := newAnswerCache(3, 10, time.Second)
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		v, err := c.get(ctx, fmt.Sprint(i), func(context.Context) (any, int, bool, error) { return i, 2, true, nil })
		if err != nil || v != i {
			t.Fatalf("get %d: %v %v", i, v, err)
		}
		if c.len() > 3 {
			t.Fatalf("%d entries kept, bound 3", c.len())
		}
	}
	// Cost bound: 4 + 4 + 4 > 10, the oldest goes.
	for i := 0; i < 3; i++ {
		_, _ = c.get(ctx, fmt.Sprint("big", i), func(context.Context) (any, int, bool, error) { return i, 4, true, nil })
	}
	if c.len() != 2 || c.cost > 10 {
		t.Fatalf("after costly entries: %d entries, cost %d", c.len(), c.cost)
	}
	// Too costly alone: answered, not kept.
	_, _ = c.get(ctx, "huge", func(context.Context) (any, int, bool, error) { return 0, 11, true, nil })
	if _, ok := c.entries["huge"]; ok {
		t.Fatal("an entry above the cost bound was kept")
	}
	// Least recently used goes first: touch big1, add one more, big2 goes.
	_, _ = c.get(ctx, "big1", nil)
	_, _ = c.get(ctx, "x", func(context.Context) (any, int, bool, error) { return 0, 4, true, nil })
	if _, ok := c.entries["big1"]; !ok {
		t.Fatal("the recently used entry was evicted")
	}
	if _, ok := c.entries["big2"]; ok {
		t.Fatal("the least recently used entry was kept")
	}
}

func TestAnswerCacheCoalescesAndKeepsNoErrors(t *testing.T) {
	c := newAnswerCache(10, 100, 5*time.Second)
	var calls atomic.Int64
	release := make(chan struct{})
	compute := func(context.Context) (any, int, bool, error) {
		calls.Add(1)
		<-release
		return "answer", 1, true, nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.get(context.Background(), "k", compute)
			if err == nil && v != "answer" {
				err = fmt.Errorf("got %v", v)
			}
			errs <- err
		}()
	}
	// One of them computes; the others find the computation running.
	for c.computations.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("50 concurrent identical gets computed %d times", calls.Load())
	}

	// A caller that gives up does not fail the computation for others.
	slow := make(chan struct{})
	gone, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := c.get(gone, "slow", func(ctx context.Context) (any, int, bool, error) {
		<-slow
		return "done", 1, true, ctx.Err()
	}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	close(slow)
	if v, err := c.get(context.Background(), "slow", nil); err != nil || v != "done" {
		t.Fatalf("after the first caller left: %v %v", v, err)
	}

	// Errors are returned, not kept.
	n := 0
	fail := func(context.Context) (any, int, bool, error) { n++; return nil, 1, true, errors.New("boom") }
	for i := 0; i < 2; i++ {
		if _, err := c.get(context.Background(), "err", fail); err == nil {
			t.Fatal("error lost")
		}
	}
	if n != 2 {
		t.Fatalf("an error was kept: %d computations for 2 gets", n)
	}
}

var cacheContractCols = []string{"uid", "buyer_siret", "buyer_siren", "buyer_name", "contract_id", "notification_date", "departement",
	"region", "cpv", "cpv_division", "theme", "procedure", "nature", "amount", "declared_social_clause",
	"declared_social_criterion", "declared_reserved", "declared_env_clause", "declared_env_criterion",
	"detected_labels", "source", "version", "partition_year"}

func cacheContract(id, day string, amount float64, social uint8, version uint64) []any {
	d, _ := time.Parse("2006-01-02", day)
	return []any{"11111111100011" + id, "11111111100011", "111111111", "Ville", id, &d, "75", "Île-de-France", "45000000", "45",
		"habitat", "Appel d'offres ouvert", "Marché", &amount, &social, nil, nil, nil, nil, []string{}, "decp", version, uint16(d.Year())}
}

type yearRow struct {
	Year      string  `json:"year"`
	Contracts uint64  `json:"contracts"`
	Amount    float64 `json:"amount"`
	Social    struct {
		Declared struct {
			Count uint64 `json:"count"`
		} `json:"declared"`
	} `json:"social"`
}

func yearTrend(t *testing.T, srv *Server, url string) (string, map[string]yearRow) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", url, nil)
	srv.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", url, rec.Code, body)
	}
	var out struct {
		ComputedFrom string    `json:"computed_from"`
		Rows         []yearRow `json:"rows"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	m := map[string]yearRow{}
	for _, r := range out.Rows {
		m[r.Year] = r
	}
	return out.ComputedFrom, m
}

// TestIndicatorsCacheFollowsData: a re-ingestion (new version of a
// contract, a new contract) changes the answer once the rollup step that
// takes it in commits, although the same request was cached before;
// until then the last state answers at once, saying it is behind; and 50
// concurrent identical requests cost one computation.
func TestIndicatorsCacheFollowsData(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	open := func() *store.Store {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	st := open()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertForTest(ctx, "contracts", cacheContractCols,
		cacheContract("A", "2023-03-01", 100, 1, 1), cacheContract("B", "2023-05-01", 50, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if err := st.RefreshRollups(ctx); err != nil {
		t.Fatal(err)
	}
	srv := New(st, Options{RatePerIP: 1e9, Burst: 1e9})
	const url = "/api/v1/contracts/indicators?group_by=year"
	check := func(step, origin string, year string, contracts uint64, amount float64, social uint64) {
		t.Helper()
		from, rows := yearTrend(t, srv, url)
		r := rows[year]
		if from != origin || r.Contracts != contracts || r.Amount != amount || r.Social.Declared.Count != social {
			t.Fatalf("%s: computed from %s, %s: %+v; want %s, %d contracts, amount %v, %d social", step, from, year, r, origin, contracts, amount, social)
		}
	}
	check("first", "rollup", "2023", 2, 150, 1)
	before := srv.cache.computations.Load()
	check("cached", "rollup", "2023", 2, 150, 1)
	if srv.cache.computations.Load() != before {
		t.Fatal("the same request with unchanged data was computed again")
	}

	// Re-ingestion: A's new version is not social and moves to 2024.
	if err := st.InsertForTest(ctx, "contracts", cacheContractCols, cacheContract("A", "2024-01-10", 300, 0, 2)); err != nil {
		t.Fatal(err)
	}
	before = srv.cache.computations.Load()
	check("re-ingested, before the step", "rollup", "2023", 2, 150, 1)
	if srv.cache.computations.Load() != before {
		t.Fatal("a write that no step took in yet changed the answer's state")
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	if h := rec.Header(); h.Get("X-Vigie-Data-Refreshing") != "true" || h.Get("Age") == "" || h.Get("X-Vigie-Data-As-Of") == "" {
		t.Fatalf("before the step, freshness headers %v", h)
	}
	if err := st.RefreshRollups(ctx); err != nil {
		t.Fatal(err)
	}
	check("refreshed", "rollup", "2024", 1, 300, 0)
	check("refreshed", "rollup", "2023", 1, 50, 0)
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	if h := rec.Header(); h.Get("X-Vigie-Data-Refreshing") != "" || h.Get("Age") != "0" {
		t.Fatalf("after the step, freshness headers %v", h)
	}

	// Another process's write (not seen by this store's write hook) is
	// seen once the freshness check runs again.
	other := open()
	if err := other.InsertForTest(ctx, "contracts", cacheContractCols, cacheContract("C", "2023-07-01", 7, 1, 1)); err != nil {
		t.Fatal(err)
	}
	if err := other.RefreshRollups(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // store's freshnessTTL
	check("other process", "rollup", "2023", 2, 57, 1)

	// 50 concurrent identical requests on a new state: one computation.
	if err := st.InsertForTest(ctx, "contracts", cacheContractCols, cacheContract("D", "2022-07-01", 1, 1, 1)); err != nil {
		t.Fatal(err)
	}
	if err := st.RefreshRollups(ctx); err != nil {
		t.Fatal(err)
	}
	before = srv.cache.computations.Load()
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
			if rec.Code != 200 {
				t.Errorf("concurrent GET: %d", rec.Code)
			}
		}()
	}
	wg.Wait()
	if n := srv.cache.computations.Load() - before; n != 1 {
		t.Fatalf("50 concurrent identical requests: %d computations, want 1", n)
	}
	check("after the burst", "rollup", "2022", 1, 1, 1)
}

var cacheNoticeCols = []string{"notice_id", "source", "publication_date", "deadline", "buyer_name", "buyer_siret", "departements",
	"cpv", "object", "url", "cancelled", "declared_labels", "detected_labels", "version"}

func openTenderIDs(t *testing.T, srv *Server, url string) []string {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
	}
	var out struct {
		Truncated bool     `json:"truncated"`
		Items     []Tender `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range out.Items {
		ids = append(ids, it.NoticeID)
	}
	if out.Truncated {
		ids = append(ids, "(truncated)")
	}
	return ids
}

// TestTendersCacheFollowsDataAndTime: a cancellation is seen at once, and
// a notice whose deadline passes leaves the feed although the answer for
// the current minute was cached with it.
func TestTendersCacheFollowsDataAndTime(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	pub := now.AddDate(0, 0, -2)
	n := func(id string, deadline time.Time, cancelled uint8, version uint64) []any {
		return []any{id, "boamp", pub, deadline, "Ville", "33333333300033", []string{"75"}, []string{"45000000"},
			"Travaux " + id, "https://example.org/" + id, cancelled, []string{}, []string{"social_clause"}, version}
	}
	soon := now.Add(2 * time.Second)
	if err := st.InsertForTest(ctx, "notices", cacheNoticeCols,
		n("N1", soon, 0, 1), n("N2", now.Add(time.Hour), 0, 1), n("N3", now.Add(2*time.Hour), 0, 1)); err != nil {
		t.Fatal(err)
	}
	srv := New(st, Options{RatePerIP: 1e9, Burst: 1e9})
	const url = "/api/v1/tenders/open?limit=2"
	if got := fmt.Sprint(openTenderIDs(t, srv, url)); got != "[N1 N2 (truncated)]" {
		t.Fatalf("first: %s", got)
	}
	if got := fmt.Sprint(openTenderIDs(t, srv, "/api/v1/tenders/open?limit=2&deadline_after="+now.Add(time.Minute).Format(time.RFC3339))); got != "[N2 N3]" {
		t.Fatalf("explicit deadline_after: %s", got)
	}
	if err := st.InsertForTest(ctx, "notices", cacheNoticeCols, n("N2", now.Add(time.Hour), 1, 2)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(openTenderIDs(t, srv, url)); got != "[N1 N3]" {
		t.Fatalf("after N2's cancellation: %s", got)
	}
	time.Sleep(time.Until(soon) + 100*time.Millisecond)
	if got := fmt.Sprint(openTenderIDs(t, srv, url)); got != "[N3]" {
		t.Fatalf("after N1's deadline: %s", got)
	}
}
