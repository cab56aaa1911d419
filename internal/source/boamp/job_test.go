package boamp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/schedule"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// The job tests run the sources through the scheduler's runner, as
// pipelines do, with the day's reading faked.

// stormClient retries fast, so that a storm ends in seconds.
func stormClient(headerTimeout time.Duration) *fetch.Client {
	c := fetch.New(1000, 100)
	c.MaxAttempts = 3
	c.BaseBackoff = 10 * time.Millisecond
	c.MaxBackoff = 50 * time.Millisecond
	c.HTTP.Transport.(*http.Transport).ResponseHeaderTimeout = headerTimeout
	return c
}

func testRunner(st *store.Store, sources ...source.Source) *schedule.Runner {
	m := map[string]source.Source{}
	for _, s := range sources {
		m[s.Name()] = s
	}
	r := schedule.NewRunner(st, stormClient(time.Second), m)
	r.ProgressOut = io.Discard
	return r
}

func pipeline(name, src, url string, lookback time.Duration) schedule.Pipeline {
	return schedule.Pipeline{Name: name, Source: src, Schedule: "@daily", URL: url, Rate: 1000, Burst: 100,
		Lookback: lookback, Enabled: true}
}

func runs(t *testing.T, st *store.Store, pipeline string) []store.Run {
	t.Helper()
	rs, err := st.Runs(context.Background(), pipeline, 100)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// dayUpstream serves one page per day at /day/YYYY-MM-DD. While storm is
// set, it answers 500, 429 or nothing (a hang past the client's header
// timeout) in turn.
type dayUpstream struct {
	storm    atomic.Bool
	requests atomic.Int64
}

func (u *dayUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := u.requests.Add(1)
	if u.storm.Load() {
		switch n % 3 {
		case 0:
			w.WriteHeader(http.StatusInternalServerError)
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}
		return
	}
	fmt.Fprintf(w, `{"day":%q}`, strings.TrimPrefix(r.URL.Path, "/day/"))
}

// fakeDays reads the upstream's page of each day, as the API is paged
// through, noting the days read; after is called after each day.
func fakeDays(seen *[]string, after func()) dayReader {
	var mu sync.Mutex
	return func(ctx context.Context, s *sink, run *source.Run, day time.Time) error {
		if _, err := run.Fetch.Get(ctx, run.URL+"/day/"+day.Format(source.DayLayout)); err != nil {
			return err
		}
		mu.Lock()
		*seen = append(*seen, day.Format(source.DayLayout))
		mu.Unlock()
		s.sum.RecordsRead++
		s.sum.New++
		if after != nil {
			after()
		}
		return nil
	}
}

// A 500/429/timeout storm ends in a failed run with the reason; the next
// run, once upstream is back, resumes from the last committed day.
func TestStormFailsThenResumes(t *testing.T) {
	st := storetest.New(t)
	up := &dayUpstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	var seen []string
	r := testRunner(st, API{readDay: fakeDays(&seen, nil)})
	r.Fetch = stormClient(300 * time.Millisecond)
	clock := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	r.Clock = func() time.Time { return clock }
	p := pipeline("boamp-api", SourceAPI, srv.URL, 3*24*time.Hour)
	ctx := context.Background()

	run, err := r.Run(ctx, p)
	if err != nil || run.Status != schedule.StatusOK || run.Checkpoint != "2026-01-09" || run.RecordsRead != 4 {
		t.Fatalf("first run: %+v, err %v; want ok, 4 days read (07..10), checkpoint 2026-01-09", run, err)
	}

	// Five days later, upstream breaks down in the middle of the run:
	// days 09 and 10 come through, then the storm.
	clock = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	served := 0
	r.Sources[SourceAPI] = API{readDay: fakeDays(&seen, func() {
		if served++; served == 2 {
			up.storm.Store(true)
		}
	})}
	stormRun, err := r.Run(ctx, p)
	if err == nil || stormRun.Status != schedule.StatusFailed {
		t.Fatalf("storm run: %+v, err %v; want failed", stormRun, err)
	}
	if !strings.Contains(stormRun.Error, "giving up after 3 attempts") {
		t.Errorf("failed run's error does not give the reason: %q", stormRun.Error)
	}
	if stormRun.Checkpoint != "2026-01-10" {
		t.Errorf("checkpoint after the storm %q, want 2026-01-10 (the last day committed)", stormRun.Checkpoint)
	}
	codes := map[string]uint64{}
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, c := range fetch.StatusCounts() {
		if c.Host == host {
			codes[c.Status] = c.Count
		}
	}
	if codes["500"] == 0 || codes["429"] == 0 || codes["error"] == 0 {
		t.Errorf("upstream statuses counted %v: want 500s, 429s and timeouts", codes)
	}

	// Upstream back: the next run starts from the checkpoint, not from
	// today - lookback (12th), and not from scratch.
	up.storm.Store(false)
	seen = nil
	r.Sources[SourceAPI] = API{readDay: fakeDays(&seen, nil)}
	run, err = r.Run(ctx, p)
	if err != nil || run.Status != schedule.StatusOK {
		t.Fatalf("resumed run: %+v, err %v", run, err)
	}
	if got := strings.Join(seen, ","); got != "2026-01-10,2026-01-11,2026-01-12,2026-01-13,2026-01-14,2026-01-15" {
		t.Errorf("resumed run read %v, want 2026-01-10..2026-01-15", got)
	}
	if run.Checkpoint != "2026-01-14" {
		t.Errorf("checkpoint after resuming %q, want 2026-01-14", run.Checkpoint)
	}
	cp, _, err := st.LoadCheckpoint(ctx, "boamp-api")
	if err != nil || cp.Checkpoint != "2026-01-14" || cp.RunID != run.RunID {
		t.Errorf("stored checkpoint %+v, err %v", cp, err)
	}

	rs := runs(t, st, "boamp-api")
	if len(rs) != 3 {
		t.Fatalf("%d runs recorded, want 3: %+v", len(rs), rs)
	}
	want := []string{schedule.StatusOK, schedule.StatusFailed, schedule.StatusOK} // newest first
	for i, s := range want {
		if rs[i].Status != s {
			t.Errorf("run %d status %q, want %q", i, rs[i].Status, s)
		}
		if rs[i].FinishedAt.IsZero() {
			t.Errorf("run %d has no end", i)
		}
	}
	var b strings.Builder
	r.Metrics.Write(&b)
	for _, line := range []string{
		`vigie_pipeline_runs_total{pipeline="boamp-api",status="ok"} 2`,
		`vigie_pipeline_runs_total{pipeline="boamp-api",status="failed"} 1`,
		`vigie_pipeline_errors_total{pipeline="boamp-api"} 1`,
		`vigie_upstream_responses_total{host="` + host + `",status="500"}`,
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("metrics lack %s:\n%s", line, b.String())
		}
	}
}

// The archive is read day by day after the checkpoint up to yesterday; a
// failing day stops the run with the days before it checkpointed.
func TestArchiveJobDays(t *testing.T) {
	st := storetest.New(t)
	var days []string
	failOn := ""
	read := func(ctx context.Context, s *sink, run *source.Run, day time.Time) error {
		d := day.Format(source.DayLayout)
		if d == failOn {
			return fmt.Errorf("HTTP 503")
		}
		days = append(days, d)
		s.sum.RecordsRead += 10
		s.sum.New += 10
		return nil
	}
	r := testRunner(st, Archive{readDay: read})
	clock := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	r.Clock = func() time.Time { return clock }
	p := pipeline("archive", SourceArchive, "http://archive.test/", 2*24*time.Hour)
	ctx := context.Background()

	run, err := r.Run(ctx, p)
	if err != nil || strings.Join(days, ",") != "2026-01-08,2026-01-09" || run.Checkpoint != "2026-01-09" || run.RecordsRead != 20 {
		t.Fatalf("first run %+v, err %v, days %v", run, err, days)
	}
	days = nil
	clock = time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	failOn = "2026-01-12"
	run, err = r.Run(ctx, p)
	if err == nil || run.Status != schedule.StatusFailed || run.Checkpoint != "2026-01-11" || strings.Join(days, ",") != "2026-01-10,2026-01-11" {
		t.Fatalf("failing run %+v, err %v, days %v", run, err, days)
	}
	days = nil
	failOn = ""
	run, err = r.Run(ctx, p)
	if err != nil || strings.Join(days, ",") != "2026-01-12,2026-01-13,2026-01-14" || run.Checkpoint != "2026-01-14" {
		t.Fatalf("resumed run %+v, err %v, days %v; want 12..14", run, err, days)
	}
}
