package schedule

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// fakeDataGouv serves a dataset API answer in data.gouv.fr's shape and the
// files it lists; lastModified can be changed between runs.
type fakeDataGouv struct {
	mu           sync.Mutex
	lastModified string
	srv          *httptest.Server
}

func (f *fakeDataGouv) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	lm := f.lastModified
	f.mu.Unlock()
	switch r.URL.Path {
	case "/api/1/datasets/decp-consolidees/":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"5cd57bf68b4c4179299eb0e9","title":"Données essentielles de la commande publique - fichiers consolidés","resources":[
{"id":"r-json","title":"decp.json","url":"%[1]s/files/decp.json","format":"json","type":"main","filesize":10,"last_modified":%[2]q},
{"id":"r-xml","title":"decp.xml","url":"%[1]s/files/decp.xml","format":"xml","type":"main","filesize":10,"last_modified":%[2]q},
{"id":"r-doc","title":"Documentation","url":"%[1]s/files/notice.pdf","format":"pdf","type":"documentation","last_modified":%[2]q}]}`, f.srv.URL, lm)
	case "/files/decp.json":
		w.Header().Set("ETag", `"v-`+lm+`"`)
		if r.Header.Get("If-None-Match") == `"v-`+lm+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, `{"marches":[]}`)
	default:
		http.NotFound(w, r)
	}
}

func TestDECPJobResolvesAndSkipsUnchanged(t *testing.T) {
	st := storetest.New(t)
	up := &fakeDataGouv{lastModified: "2026-01-10T05:00:00+00:00"}
	up.srv = httptest.NewServer(up)
	defer up.srv.Close()
	var got []string
	r := newTestRunner(st, map[string]Job{SourceDECP: DECPJob(func(ctx context.Context, rc *RunContext, url string) (ingest.Summary, error) {
		got = append(got, strings.TrimPrefix(url, up.srv.URL))
		return ingest.Summary{Source: "decp", RecordsRead: 3, New: 3}, nil
	})})
	p := testPipeline(t, "decp", SourceDECP, "@daily", up.srv.URL+"/api/1/datasets/decp-consolidees/", 0)
	p.Resources = `^decp\.json$`
	p.resources = regexp.MustCompile(p.Resources)
	ctx := context.Background()

	run, err := r.Run(ctx, p)
	if err != nil || run.Status != StatusOK || run.RecordsRead != 3 {
		t.Fatalf("first run %+v, err %v", run, err)
	}
	if len(got) != 1 || got[0] != "/files/decp.json" {
		t.Fatalf("first run ingested %v, want the decp.json resource only", got)
	}
	if !strings.Contains(run.Checkpoint, `"r-json"`) || !strings.Contains(run.Checkpoint, "2026-01-10T05:00:00+00:00") {
		t.Errorf("checkpoint %s does not hold the resource's last_modified", run.Checkpoint)
	}

	got = nil
	run, err = r.Run(ctx, p)
	if err != nil || run.Status != StatusOK || len(got) != 0 || run.RecordsRead != 0 {
		t.Errorf("unchanged dataset: run %+v, err %v, ingested %v; want ok, nothing ingested", run, err, got)
	}

	up.mu.Lock()
	up.lastModified = "2026-01-11T05:00:00+00:00"
	up.mu.Unlock()
	run, err = r.Run(ctx, p)
	if err != nil || len(got) != 1 || !strings.Contains(run.Checkpoint, "2026-01-11") {
		t.Errorf("changed resource: run %+v, err %v, ingested %v; want it ingested again", run, err, got)
	}

	// A pattern that matches nothing is an error naming what is there.
	p.resources = regexp.MustCompile(`^decp-2099\.json$`)
	run, err = r.Run(ctx, p)
	if err == nil || run.Status != StatusFailed || !strings.Contains(run.Error, "no resource matches") || !strings.Contains(run.Error, "decp.xml") {
		t.Errorf("no matching resource: run %+v, err %v", run, err)
	}
}

// A file URL (no dataset) is checked with a conditional GET: a 304 skips it.
func TestDECPJobConditionalGET(t *testing.T) {
	st := storetest.New(t)
	up := &fakeDataGouv{lastModified: "a"}
	up.srv = httptest.NewServer(up)
	defer up.srv.Close()
	n := 0
	r := newTestRunner(st, map[string]Job{SourceDECP: DECPJob(func(ctx context.Context, rc *RunContext, url string) (ingest.Summary, error) {
		n++
		return ingest.Summary{Source: "decp", RecordsRead: 1}, nil
	})})
	p := testPipeline(t, "decp-file", SourceDECP, "@daily", up.srv.URL+"/files/decp.json", 0)
	ctx := context.Background()
	for i, want := range []int{1, 1} {
		run, err := r.Run(ctx, p)
		if err != nil || n != want {
			t.Fatalf("run %d: %+v, err %v, ingested %d times, want %d", i, run, err, n, want)
		}
	}
	up.mu.Lock()
	up.lastModified = "b"
	up.mu.Unlock()
	if run, err := r.Run(ctx, p); err != nil || n != 2 || !strings.Contains(run.Checkpoint, `\"v-b\"`) {
		t.Errorf("after the file changed: %+v, err %v, ingested %d times, want 2", run, err, n)
	}
}

// The archive is read day by day after the checkpoint up to yesterday; a
// failing day stops the run with the days before it checkpointed.
func TestBOAMPArchiveJobDays(t *testing.T) {
	st := storetest.New(t)
	var days []string
	failOn := ""
	r := newTestRunner(st, map[string]Job{SourceBOAMPArchive: BOAMPArchiveJob(func(ctx context.Context, rc *RunContext, day time.Time) (ingest.Summary, error) {
		d := day.Format(DayLayout)
		if d == failOn {
			return ingest.Summary{}, fmt.Errorf("HTTP 503")
		}
		days = append(days, d)
		return ingest.Summary{Source: "boamp-archive", RecordsRead: 10, New: 10}, nil
	})})
	clock := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	r.Clock = func() time.Time { return clock }
	p := testPipeline(t, "archive", SourceBOAMPArchive, "@daily", "http://archive.test/", 2*24*time.Hour)
	ctx := context.Background()

	run, err := r.Run(ctx, p)
	if err != nil || strings.Join(days, ",") != "2026-01-08,2026-01-09" || run.Checkpoint != "2026-01-09" || run.RecordsRead != 20 {
		t.Fatalf("first run %+v, err %v, days %v", run, err, days)
	}
	days = nil
	clock = time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)
	failOn = "2026-01-12"
	run, err = r.Run(ctx, p)
	if err == nil || run.Status != StatusFailed || run.Checkpoint != "2026-01-11" || strings.Join(days, ",") != "2026-01-10,2026-01-11" {
		t.Fatalf("failing run %+v, err %v, days %v", run, err, days)
	}
	days = nil
	failOn = ""
	run, err = r.Run(ctx, p)
	if err != nil || strings.Join(days, ",") != "2026-01-12,2026-01-13,2026-01-14" || run.Checkpoint != "2026-01-14" {
		t.Fatalf("resumed run %+v, err %v, days %v; want 12..14", run, err, days)
	}
}
