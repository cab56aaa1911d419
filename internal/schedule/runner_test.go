package schedule

import (
	"context"
	"errors"
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
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testClient retries fast, so that a storm ends in seconds.
func testClient(headerTimeout time.Duration) *fetch.Client {
	c := fetch.New(1000, 100)
	c.MaxAttempts = 3
	c.BaseBackoff = 10 * time.Millisecond
	c.MaxBackoff = 50 * time.Millisecond
	c.HTTP.Transport.(*http.Transport).ResponseHeaderTimeout = headerTimeout
	return c
}

func testPipeline(t *testing.T, name, source, schedule, url string, lookback time.Duration) Pipeline {
	t.Helper()
	s, err := cronParser.Parse(schedule)
	if err != nil {
		t.Fatal(err)
	}
	return Pipeline{Name: name, Source: source, Schedule: schedule, URL: url, Rate: 1000, Burst: 100,
		Lookback: lookback, Enabled: true, schedule: s}
}

// job is a test source's run.
type job func(ctx context.Context, run *source.Run) (ingest.Summary, error)

type fakeSource struct {
	name string
	run  job
}

func (f fakeSource) Name() string { return f.name }
func (f fakeSource) Run(ctx context.Context, run *source.Run) (ingest.Summary, error) {
	return f.run(ctx, run)
}

func newTestRunner(st *store.Store, jobs map[string]job) *Runner {
	sources := map[string]source.Source{}
	for name, j := range jobs {
		sources[name] = fakeSource{name, j}
	}
	return &Runner{Store: st, Fetch: testClient(time.Second), Sources: sources, Metrics: NewMetrics(), ProgressOut: io.Discard}
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
	mu       sync.Mutex
	served   []string
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
	u.mu.Lock()
	u.served = append(u.served, strings.TrimPrefix(r.URL.Path, "/day/"))
	u.mu.Unlock()
	fmt.Fprintf(w, `{"day":%q}`, strings.TrimPrefix(r.URL.Path, "/day/"))
}

// daySource reads one page per day from the upstream, from today -
// lookback to today, and saves each day before today as the checkpoint.
func daySource(ctx context.Context, run *source.Run) (ingest.Summary, error) {
	sum := ingest.Summary{Source: "boamp"}
	today := source.Day(run.Now)
	for d := source.Day(today.Add(-run.Lookback)); !d.After(today); d = d.AddDate(0, 0, 1) {
		if _, err := run.Fetch.Get(ctx, run.URL+"/day/"+d.Format(source.DayLayout)); err != nil {
			return sum, err
		}
		sum.RecordsRead++
		sum.New++
		run.Progress.Add(1)
		if d.Before(today) {
			if err := run.Checkpoint.Save(ctx, d.Format(source.DayLayout)); err != nil {
				return sum, err
			}
		}
	}
	return sum, nil
}

// A slow run is never overlapped by its next turn; the turn is skipped.
func TestNoOverlapWhenSlow(t *testing.T) {
	st := storetest.New(t)
	var active, maxActive, started atomic.Int64
	slow := func(ctx context.Context, rc *source.Run) (ingest.Summary, error) {
		n := active.Add(1)
		defer active.Add(-1)
		started.Add(1)
		for {
			m := maxActive.Load()
			if n <= m || maxActive.CompareAndSwap(m, n) {
				break
			}
		}
		select {
		case <-time.After(2500 * time.Millisecond):
			return ingest.Summary{Source: "decp", RecordsRead: 1, New: 1}, nil
		case <-ctx.Done():
			return ingest.Summary{}, ctx.Err()
		}
	}
	r := newTestRunner(st, map[string]job{"decp": slow})
	p := testPipeline(t, "slow", "decp", "@every 1s", "http://upstream.test/", 0)
	sch := NewScheduler(r, []Pipeline{p})
	ctx, cancel := context.WithCancel(context.Background())
	done := sch.Start(ctx)
	time.Sleep(4600 * time.Millisecond)
	cancel()
	<-done

	if maxActive.Load() != 1 {
		t.Errorf("%d runs of the pipeline at once, want 1", maxActive.Load())
	}
	if started.Load() != 2 {
		t.Errorf("%d runs started in 4.6 s with a 2.5 s run every 1 s, want 2", started.Load())
	}
	var b strings.Builder
	r.Metrics.Write(&b)
	if strings.Contains(b.String(), `vigie_pipeline_skipped_total{pipeline="slow"} 0`) {
		t.Errorf("no skipped turn counted:\n%s", b.String())
	}
	rs := runs(t, st, "slow")
	if len(rs) != 2 || rs[0].Status != StatusInterrupted || rs[1].Status != StatusOK {
		t.Errorf("runs recorded %+v: want an ok run, then one interrupted by the stop", rs)
	}
}

// A schedule fires by itself and the run is recorded with what it read.
func TestScheduleFires(t *testing.T) {
	st := storetest.New(t)
	up := &dayUpstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	r := newTestRunner(st, map[string]job{"boamp": daySource})
	p := testPipeline(t, "fires", "boamp", "@every 1s", srv.URL, 24*time.Hour)
	off := p
	off.Name, off.Enabled = "off", false
	sch := NewScheduler(r, []Pipeline{p, off})
	ctx, cancel := context.WithCancel(context.Background())
	done := sch.Start(ctx)
	if _, ok := sch.NextRuns()["off"]; ok {
		t.Errorf("a disabled pipeline is scheduled")
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if rs := runs(t, st, "fires"); len(rs) > 0 && rs[len(rs)-1].Status == StatusOK {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	<-done
	rs := runs(t, st, "fires")
	if len(rs) == 0 {
		t.Fatal("the schedule never fired")
	}
	first := rs[len(rs)-1]
	if first.Status != StatusOK || first.RecordsRead != 2 || first.Checkpoint != source.Day(first.StartedAt).AddDate(0, 0, -1).Format(source.DayLayout) {
		t.Errorf("first scheduled run %+v: want ok, 2 days read, checkpoint yesterday", first)
	}
	if len(runs(t, st, "off")) != 0 {
		t.Errorf("the disabled pipeline ran")
	}
	list, err := Statuses(context.Background(), st, sch.Pipelines, time.Now(), sch.NextRuns(), r.Running)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "fires" || list[0].LastRun == nil || list[0].NextRun == nil || list[0].Checkpoint == "" {
		t.Errorf("status of the scheduled pipeline: %+v", list[0])
	}
	if list[1].NextRun != nil || list[1].LastRun != nil {
		t.Errorf("status of the disabled pipeline: %+v", list[1])
	}
}

// On stop, a run in progress is cancelled and recorded interrupted, within
// the bound (10 s), keeping the checkpoint of what it had committed.
func TestShutdownRecordsInterrupted(t *testing.T) {
	st := storetest.New(t)
	var inRun = make(chan struct{})
	jobFn := func(ctx context.Context, rc *source.Run) (ingest.Summary, error) {
		if err := rc.Checkpoint.Save(ctx, "2026-01-01"); err != nil {
			return ingest.Summary{}, err
		}
		close(inRun)
		<-ctx.Done()
		time.Sleep(300 * time.Millisecond) // the batch in flight ends
		return ingest.Summary{Source: "boamp", RecordsRead: 7}, ctx.Err()
	}
	r := newTestRunner(st, map[string]job{"boamp": jobFn})
	p := testPipeline(t, "long", "boamp", "@every 1s", "http://upstream.test/", 0)
	sch := NewScheduler(r, []Pipeline{p})
	ctx, cancel := context.WithCancel(context.Background())
	done := sch.Start(ctx)
	select {
	case <-inRun:
	case <-time.After(5 * time.Second):
		t.Fatal("the run never started")
	}
	t0 := time.Now()
	cancel()
	<-done
	took := time.Since(t0)
	t.Logf("shutdown with a run in progress took %v", took)
	if took > 10*time.Second {
		t.Errorf("shutdown took %v, want under 10 s", took)
	}
	rs := runs(t, st, "long")
	if len(rs) != 1 || rs[0].Status != StatusInterrupted || rs[0].Checkpoint != "2026-01-01" || rs[0].RecordsRead != 7 {
		t.Errorf("runs %+v: want one interrupted run at checkpoint 2026-01-01 with 7 read", rs)
	}
}

// A second Run of a pipeline that runs is refused at once.
func TestRunRefusesOverlap(t *testing.T) {
	st := storetest.New(t)
	release := make(chan struct{})
	inRun := make(chan struct{})
	jobFn := func(ctx context.Context, rc *source.Run) (ingest.Summary, error) {
		close(inRun)
		<-release
		return ingest.Summary{}, nil
	}
	r := newTestRunner(st, map[string]job{"decp": jobFn})
	p := testPipeline(t, "one", "decp", "@daily", "http://upstream.test/", 0)
	errc := make(chan error)
	go func() { _, err := r.Run(context.Background(), p); errc <- err }()
	<-inRun
	if !r.Running("one") {
		t.Errorf("Running is false during the run")
	}
	if _, err := r.Run(context.Background(), p); !errors.Is(err, ErrRunning) {
		t.Errorf("second run: err %v, want ErrRunning", err)
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if r.Running("one") {
		t.Errorf("Running is true after the run")
	}
}

// With CatchUp, a pipeline that never ran, or missed a turn while vigie was
// down, runs at start; one whose last run covers the latest turn waits.
func TestCatchUpRunsMissedPipelinesAtStart(t *testing.T) {
	st := storetest.New(t)
	var mu sync.Mutex
	ran := map[string]int{}
	jobFn := func(ctx context.Context, rc *source.Run) (ingest.Summary, error) {
		mu.Lock()
		ran[rc.Pipeline]++
		mu.Unlock()
		return ingest.Summary{Source: "decp"}, nil
	}
	r := newTestRunner(st, map[string]job{"decp": jobFn})
	yearly := "0 0 1 1 *" // its next turn is months away: only catch-up can run it now
	never := testPipeline(t, "never-ran", "decp", yearly, "http://upstream.test/", 0)
	missed := testPipeline(t, "missed", "decp", yearly, "http://upstream.test/", 0)
	current := testPipeline(t, "current", "decp", "@every 1h", "http://upstream.test/", 0)
	off := testPipeline(t, "off", "decp", yearly, "http://upstream.test/", 0)
	off.Enabled = false
	ctx := context.Background()
	for name, started := range map[string]time.Time{
		"missed":  time.Now().AddDate(-1, 0, -1), // before last 1 January's turn
		"current": time.Now().Add(-10 * time.Minute),
	} {
		if err := st.RecordRun(ctx, store.Run{RunID: name + "-1", Pipeline: name, Source: "decp", StartedAt: started.UTC().Truncate(time.Second),
			FinishedAt: started.UTC().Truncate(time.Second), Status: StatusOK, Version: 1}); err != nil {
			t.Fatal(err)
		}
	}

	sch := NewScheduler(r, []Pipeline{never, missed, current, off})
	sch.CatchUp = true
	runCtx, cancel := context.WithCancel(ctx)
	done := sch.Start(runCtx)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := ran["never-ran"] + ran["missed"]
		mu.Unlock()
		if n == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // room for a wrong run to show
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if ran["never-ran"] != 1 || ran["missed"] != 1 || ran["current"] != 0 || ran["off"] != 0 {
		t.Errorf("runs at start %v: want never-ran and missed once, current and off not at all", ran)
	}
}
