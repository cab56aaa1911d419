package boamp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// genRecords makes n API records from the FNSimple fixture record, with
// new idwebs (prefix-i) and the given publication day.
func genRecords(t testing.TB, prefix string, n int, day string) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(fixture(t, "api-page-shapes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	for i := 0; i < n; i++ {
		src := p.Results[[]int{0, 3}[i%2]] // FNSimple and eForms shapes in turn
		id := fmt.Sprintf("%s-%d", prefix, i)
		r := map[string]any{}
		for k, v := range src {
			r[k] = v
		}
		r["idweb"] = id
		r["dateparution"] = day
		r["gestion"] = strings.ReplaceAll(strings.ReplaceAll(src["gestion"].(string), src["idweb"].(string), id), "2026-02-02", day)
		raw, _ := json.Marshal(r)
		out = append(out, raw)
	}
	return out
}

// fakeAPI serves /records and /exports/json for day windows like the
// Opendatasoft API: pages of at most 100, offset+limit ≤ 10 000, and the
// faults asked for.
type fakeAPI struct {
	mu        sync.Mutex
	days      map[string][]json.RawMessage
	announced map[string]int // total_count to announce instead of the real count
	hits      map[string]int // per request URI
	exports   int
}

var whereRe = "dateparution = date'"

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits[r.URL.RequestURI()]++
	hit := f.hits[r.URL.RequestURI()]
	q := r.URL.Query()
	where := q.Get("where")
	if !strings.HasPrefix(where, whereRe) || q.Get("order_by") != "idweb" {
		http.Error(w, "want a day window ordered by idweb", http.StatusBadRequest)
		return
	}
	day := strings.TrimSuffix(strings.TrimPrefix(where, whereRe), "'")
	recs := f.days[day]
	switch {
	case strings.HasSuffix(r.URL.Path, "/records"):
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		if limit > 100 || offset+limit > 10000 {
			http.Error(w, `{"error_code":"InvalidRESTParameterError"}`, http.StatusBadRequest)
			return
		}
		// Faults, each on the first hit of a page only.
		if hit == 1 {
			switch offset {
			case 100:
				w.Header().Set("Retry-After", "0")
				http.Error(w, "quota", http.StatusTooManyRequests)
				return
			case 200:
				http.Error(w, "boom", http.StatusInternalServerError)
				return
			}
		}
		end := min(offset+limit, len(recs))
		page := recs[min(offset, len(recs)):end]
		total := len(recs)
		if a, ok := f.announced[day]; ok {
			total = a
		}
		body, _ := json.Marshal(map[string]any{"total_count": total, "results": page})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if hit == 1 && offset == 0 && day == "2026-02-02" {
			w.Write(body[:len(body)/2]) // truncated: fewer bytes than announced
			return
		}
		w.Write(body)
	case strings.HasSuffix(r.URL.Path, "/exports/json"):
		f.exports++
		body, _ := json.Marshal(recs)
		w.Header().Set("Content-Type", "application/json")
		if f.exports == 1 {
			// Cut mid-stream without a length: the client sees a clean EOF
			// inside the array.
			w.Write(body[:len(body)*2/3])
			return
		}
		w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

func testClient() *fetch.Client {
	c := fetch.New(10000, 100)
	c.BaseBackoff = time.Millisecond
	c.MaxBackoff = 5 * time.Millisecond
	return c
}

func TestIngestAPIPagesFaultsAndExports(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	f := &fakeAPI{
		days: map[string][]json.RawMessage{
			"2026-02-02": genRecords(t, "26-1", 250, "2026-02-02"),
			"2026-02-03": genRecords(t, "26-2", 130, "2026-02-03"),
		},
		// The second day announces more than /records can page: the
		// walker must switch to the export.
		announced: map[string]int{"2026-02-03": 10001},
		hits:      map[string]int{},
	}
	srv := httptest.NewServer(f)
	defer srv.Close()

	since, until := utc("2026-02-02T00:00:00Z"), utc("2026-02-04T00:00:00Z")
	run := byHand(st, srv.URL+"/api/explore/v2.1/catalog/datasets/boamp", since, until)
	sum, err := API{}.Run(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	if run.Checkpoint.Value() != "2026-02-04" {
		t.Errorf("checkpoint = %q, want the last day read", run.Checkpoint.Value())
	}
	if sum.Notices != 380 || sum.New != 380 || sum.Quarantined != 0 {
		t.Errorf("summary = %+v, want 380 new notices", sum)
	}
	if n, err := st.NoticeCount(ctx); err != nil || n != 380 {
		t.Errorf("stored %d distinct notices (%v), want 380", n, err)
	}
	for _, id := range []string{"26-1-0", "26-1-249", "26-2-0", "26-2-129"} {
		if n, _, err := st.Notice(ctx, id); err != nil || n == nil {
			t.Errorf("notice %s missing (%v)", id, err)
		}
	}
	if f.exports != 2 {
		t.Errorf("exports requested %d times, want 2 (the first cut short)", f.exports)
	}
	// Every fault was met and retried.
	for _, off := range []string{"offset=0", "offset=100", "offset=200"} {
		found := false
		for uri, n := range f.hits {
			if strings.Contains(uri, off) && strings.Contains(uri, "2026-02-02") && n == 2 {
				found = true
			}
		}
		if !found {
			t.Errorf("page %s of day 1 not requested exactly twice: %v", off, f.hits)
		}
	}

	// A second run finds nothing new.
	again, err := API{}.Run(ctx, byHand(st, srv.URL+"/api/explore/v2.1/catalog/datasets/boamp", since, until))
	if err != nil {
		t.Fatal(err)
	}
	if again.New != 0 || again.Updated != 0 || again.Duplicates != 380 {
		t.Errorf("second run = %+v, want 380 duplicates", again)
	}
}

// A checkpoint that cannot be saved stops the run after the first day.
func TestIngestAPIStopsWhenCheckpointFails(t *testing.T) {
	st := storetest.New(t)
	down := storetest.New(t)
	down.Close()
	f := &fakeAPI{days: map[string][]json.RawMessage{"2026-02-05": genRecords(t, "26-5", 3, "2026-02-05")}, hits: map[string]int{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	run := byHand(st, srv.URL, utc("2026-02-05T00:00:00Z"), utc("2026-02-07T00:00:00Z"))
	run.Checkpoint = source.NewCheckpoint(down, "test", "t", "")
	sum, err := API{}.Run(context.Background(), run)
	if err == nil || !strings.Contains(err.Error(), "day 2026-02-05 done") || sum.RecordsRead != 3 {
		t.Errorf("err = %v, summary %+v; want the checkpoint's error after the first day", err, sum)
	}
}
