package schedule_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/samples"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// apiFixtures reads the real BOAMP API records kept in shared/data.
func apiFixtures(t *testing.T) []map[string]any {
	t.Helper()
	path := filepath.Join(samples.Data(t, "boamp", "api"), "records_dateparution-ge-2026-01-01_limit5.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("BOAMP API sample data missing (%v): see shared/data/boamp/SOURCES.md", err)
	}
	var page struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(b, &page); err != nil || len(page.Results) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return page.Results
}

// fakeBOAMP answers the Opendatasoft /records endpoint the way the BOAMP
// dataset does, for any publication day: the sample records, re-numbered
// per day (idweb YY-DDDNN), one slow page per day.
type fakeBOAMP struct {
	records []map[string]any
	delay   time.Duration

	mu   sync.Mutex
	days map[string]bool // days served since the last reset
}

var whereDay = regexp.MustCompile(`dateparution = date'(\d{4}-\d{2}-\d{2})'`)

func (f *fakeBOAMP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if filepath.Base(r.URL.Path) != "records" {
		http.NotFound(w, r)
		return
	}
	m := whereDay.FindStringSubmatch(r.URL.Query().Get("where"))
	if m == nil {
		http.Error(w, "want where=dateparution = date'…'", http.StatusBadRequest)
		return
	}
	day, _ := time.Parse("2006-01-02", m[1])
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	select {
	case <-time.After(f.delay):
	case <-r.Context().Done():
		return
	}
	var results []map[string]any
	for i, rec := range f.records {
		if i < offset {
			continue
		}
		c := map[string]any{}
		for k, v := range rec {
			c[k] = v
		}
		id := fmt.Sprintf("%s-%03d%02d", day.Format("06"), day.YearDay(), i)
		c["idweb"], c["id"], c["dateparution"] = id, id, m[1]
		results = append(results, c)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"total_count": len(f.records), "results": results})
	f.mu.Lock()
	f.days[m[1]] = true
	f.mu.Unlock()
}

func (f *fakeBOAMP) served() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.days)
}

func (f *fakeBOAMP) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.days = map[string]bool{}
}

func buildVigie(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vigie")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/vigie")
	cmd.Dir = samples.RepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type vigieProc struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

func startVigie(t *testing.T, bin, dsn, pipelines string, args ...string) *vigieProc {
	t.Helper()
	p := &vigieProc{cmd: exec.Command(bin, args...)}
	p.cmd.Env = append(os.Environ(), "VIGIE_CLICKHOUSE="+dsn, "VIGIE_PIPELINES="+pipelines, "VIGIE_DATA="+t.TempDir())
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *vigieProc) wait() int {
	err := p.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Columns that legitimately differ between two ingestions of the same input.
var volatile = []string{"version", "ingested_at", "detected_at", "fetched_at", "seen_at", "quarantined_at", "run_id"}

var ingestedTables = []string{"notices", "lots", "detections", "raw_documents", "quarantine"}

// The real vigie binary, killed -9 in the middle of a pipeline run and run
// again, ends with exactly the rows of an uninterrupted run; SIGTERM stops
// a run within the bound, recorded interrupted.
func TestKill9ThenRerunEqualsUninterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the vigie binary")
	}
	up := &fakeBOAMP{records: apiFixtures(t), delay: 150 * time.Millisecond, days: map[string]bool{}}
	srv := httptest.NewServer(up)
	defer srv.Close()
	dir := t.TempDir()
	def := fmt.Sprintf(`name: boamp-api
source: boamp
schedule: "@daily"
url: %s/api/explore/v2.1/catalog/datasets/boamp
rate: 1000
burst: 100
lookback: 14d
`, srv.URL)
	if err := os.WriteFile(filepath.Join(dir, "boamp-api.yaml"), []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildVigie(t)
	const days = 15 // today - 14 .. today

	// Reference: one uninterrupted run.
	dsnRef := storetest.DSN(t)
	up.reset()
	ref := startVigie(t, bin, dsnRef, dir, "run", "boamp-api")
	if code := ref.wait(); code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, ref.out.String())
	}
	if up.served() != days {
		t.Fatalf("uninterrupted run read %d days, want %d", up.served(), days)
	}

	// Killed -9 once a few days are in, then run again.
	dsn := storetest.DSN(t)
	up.reset()
	killed := startVigie(t, bin, dsn, dir, "run", "boamp-api")
	waitFor(t, "6 days served", func() bool { return up.served() >= 6 })
	if err := killed.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed.wait()
	st := openStore(t, dsn)
	ctx := context.Background()
	partial, err := st.Snapshot(ctx, "notices", volatile...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := openStore(t, dsnRef).Snapshot(ctx, "notices", volatile...)
	if err != nil {
		t.Fatal(err)
	}
	if len(partial) == 0 || len(partial) >= len(want) {
		t.Fatalf("the kill did not land mid-run: %d notices stored of %d", len(partial), len(want))
	}
	cp, found, err := st.LoadCheckpoint(ctx, "boamp-api")
	if err != nil || !found {
		t.Fatalf("no checkpoint after the killed run (err %v)", err)
	}
	t.Logf("killed -9 with %d of %d notices stored, checkpoint %s", len(partial), len(want), cp.Checkpoint)

	again := startVigie(t, bin, dsn, dir, "run", "boamp-api")
	if code := again.wait(); code != 0 {
		t.Fatalf("run after the kill: exit %d\n%s", code, again.out.String())
	}
	stRef := openStore(t, dsnRef)
	for _, table := range ingestedTables {
		got, err := st.Snapshot(ctx, table, volatile...)
		if err != nil {
			t.Fatal(err)
		}
		exp, err := stRef.Snapshot(ctx, table, volatile...)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("%s after kill -9 and re-run: %d rows, uninterrupted run: %d rows", table, len(got), len(exp))
			for i := 0; i < len(got) && i < len(exp); i++ {
				if got[i] != exp[i] {
					t.Errorf("first difference:\n got  %s\n want %s", got[i], exp[i])
					break
				}
			}
		}
	}
	if len(want) != days*len(up.records) {
		t.Errorf("uninterrupted run stored %d notices, want %d", len(want), days*len(up.records))
	}
	runs, err := st.Runs(ctx, "boamp-api", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Status != "ok" || runs[1].Status != "interrupted" || !strings.Contains(runs[1].Error, "killed?") {
		t.Errorf("runs after kill and re-run: %+v; want the killed one recorded interrupted by the re-run, then ok", runs)
	}

	// SIGTERM mid-run: the run stops, is recorded interrupted, the process
	// exits 130 within the bound.
	dsnTerm := storetest.DSN(t)
	up.reset()
	term := startVigie(t, bin, dsnTerm, dir, "run", "boamp-api")
	waitFor(t, "3 days served", func() bool { return up.served() >= 3 })
	t0 := time.Now()
	if err := term.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := term.wait()
	took := time.Since(t0)
	t.Logf("vigie run exited %d, %v after SIGTERM", code, took)
	if code != 130 {
		t.Errorf("exit status after SIGTERM %d, want 130\n%s", code, term.out.String())
	}
	if took > 10*time.Second {
		t.Errorf("vigie run took %v to stop after SIGTERM, want under 10 s", took)
	}
	runs, err = openStore(t, dsnTerm).Runs(ctx, "boamp-api", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != "interrupted" || runs[0].FinishedAt.IsZero() {
		t.Errorf("run after SIGTERM: %+v, want one interrupted run with its end", runs)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func httpGet(addr, path string) (int, string) {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// 'vigie serve' fires the schedule and ingests with the real BOAMP
// ingestion, shows it at /api/v1/pipelines and /metrics, and on SIGTERM
// during a run stops within the bound with the run recorded interrupted.
func TestServeFiresIngestsAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the vigie binary")
	}
	up := &fakeBOAMP{records: apiFixtures(t), delay: 100 * time.Millisecond, days: map[string]bool{}}
	srv := httptest.NewServer(up)
	defer srv.Close()
	dir := t.TempDir()
	def := fmt.Sprintf(`name: boamp-api
source: boamp
schedule: "@every 1s"
url: %s/api/explore/v2.1/catalog/datasets/boamp
rate: 1000
burst: 100
lookback: 9d
`, srv.URL)
	if err := os.WriteFile(filepath.Join(dir, "boamp-api.yaml"), []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildVigie(t)
	dsn := storetest.DSN(t)
	addr := freeAddr(t)
	p := startVigie(t, bin, dsn, dir, "serve", "--addr", addr)
	defer p.cmd.Process.Kill()

	var list struct {
		Pipelines []struct {
			Name    string
			LastRun *struct {
				Status      string
				RecordsRead uint64 `json:"records_read"`
			} `json:"last_run"`
			NextRun    *time.Time `json:"next_run"`
			Checkpoint string
		}
	}
	waitFor(t, "a scheduled run to end ok", func() bool {
		code, body := httpGet(addr, "/api/v1/pipelines")
		if code != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil || len(list.Pipelines) != 1 {
			return false
		}
		lr := list.Pipelines[0].LastRun
		return lr != nil && lr.Status == "ok"
	})
	got := list.Pipelines[0]
	if got.LastRun.RecordsRead != 10*uint64(len(up.records)) || got.NextRun == nil || got.Checkpoint == "" {
		t.Errorf("/api/v1/pipelines after the first run: %+v", got)
	}
	code, metrics := httpGet(addr, "/metrics")
	// Later turns may have ended too by now: they read the same notices
	// again, all duplicates.
	for _, want := range []string{
		`(?m)^vigie_pipeline_runs_total\{pipeline="boamp-api",status="ok"\} [1-9]\d*$`,
		`(?m)^vigie_pipeline_records_total\{pipeline="boamp-api",kind="new"\} ` + strconv.Itoa(10*len(up.records)) + `$`,
		`(?m)^vigie_upstream_responses_total\{host="` + regexp.QuoteMeta(strings.TrimPrefix(srv.URL, "http://")) + `",status="200"\} [1-9]\d*$`,
	} {
		if code != http.StatusOK || !regexp.MustCompile(want).MatchString(metrics) {
			t.Errorf("/metrics (%d) lacks %s:\n%s", code, want, metrics)
		}
	}

	// The next turn starts; stop the service in the middle of it.
	up.reset()
	waitFor(t, "the next run to be under way", func() bool { return up.served() >= 2 })
	t0 := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exit := p.wait()
	took := time.Since(t0)
	t.Logf("vigie serve exited %d, %v after SIGTERM with a run in progress", exit, took)
	if took > 10*time.Second {
		t.Errorf("vigie serve took %v to stop, want under 10 s", took)
	}
	runs, err := openStore(t, dsn).Runs(context.Background(), "boamp-api", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 2 || runs[0].Status != "interrupted" || runs[len(runs)-1].Status != "ok" {
		t.Errorf("runs after SIGTERM: %+v; want the first ok and the last interrupted\n%s", runs, p.out.String())
	}
}
